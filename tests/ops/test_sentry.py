"""Error tracking: an error reaches a Sentry stand-in on loopback with the user's id and role, release and
environment — and no email, name or phone number anywhere in what is sent."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import sentry_sdk
from django.test import Client as DjangoClient

from coachos.ops import sentry
from coachos.tenancy.roles import Role

from ..factories import member


class StandIn(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # type: ignore[import-not-found]

            body = brotli.decompress(body)
        StandIn.received.append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def sentry_stand_in(settings: Any) -> Any:
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    StandIn.received = []
    settings.SENTRY_DSN = f"http://publickey@127.0.0.1:{server.server_port}/42"
    settings.SENTRY_RELEASE = "coachos@1.2.3"
    settings.SENTRY_ENVIRONMENT = "staging"
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:settings.MIDDLEWARE.index(
        "coachos.tenancy.middleware.TenancyMiddleware") + 1], "coachos.ops.sentry.SentryUserMiddleware",
        *settings.MIDDLEWARE[settings.MIDDLEWARE.index("coachos.tenancy.middleware.TenancyMiddleware") + 1:]]
    settings.ROOT_URLCONF = "tests.ops.urls_boom"
    assert sentry.init_from_settings()
    yield StandIn.received
    sentry_sdk.get_client().close()
    sentry_sdk.init(dsn=None)  # off again for the other tests
    server.shutdown()


def events(received: list[bytes]) -> list[dict[str, Any]]:
    found = []
    for envelope in received:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def test_error_sent_with_id_role_release_environment_and_no_personal_data(sentry_stand_in: Any, org: Any) -> None:
    coach = member(org, Role.COACH, email="carla.coach@example.com", name="Carla Coachington")
    http = DjangoClient(raise_request_exception=False, HTTP_USER_AGENT="TestBrowser", REMOTE_ADDR="203.0.113.9")
    http.force_login(coach)
    assert http.get(f"/o/{org.slug}/boom/?phone=%2B13125550142").status_code == 500
    sentry_sdk.flush(timeout=5)
    raw = b"".join(sentry_stand_in)
    sent = events(sentry_stand_in)
    assert len(sent) == 1
    event = sent[0]
    assert event["user"] == {"id": str(coach.pk)}
    assert event["tags"]["role"] == "coach"
    assert event["release"] == "coachos@1.2.3" and event["environment"] == "staging"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    for personal in (b"carla.coach", b"Carla", b"Coachington", b"5550142", b"203.0.113.9", org.slug.encode(),
                     b"sessionid", b"csrftoken"):
        assert personal not in raw, personal


def test_off_without_a_dsn(settings: Any) -> None:
    settings.SENTRY_DSN = ""
    assert sentry.init_from_settings() is False


def test_scrub_keeps_only_what_is_safe() -> None:
    event = {"user": {"id": 7, "email": "a@b.example", "ip_address": "1.2.3.4", "username": "ann"},
             "request": {"method": "GET", "url": "https://x/o/acme/clients/3/", "cookies": {"sessionid": "s"},
                         "headers": {"Authorization": "Bearer t"}, "query_string": "q=ann@b.example"},
             "extra": {"email": "a@b.example"},
             "exception": {"values": [{"value": "no client Ann Lee ann@b.example +44 7700 900123",
                                       "stacktrace": {"frames": [{"vars": {"email": "a@b.example"}}]}}]},
             "breadcrumbs": {"values": [{"message": "sent to ann@b.example", "data": {"to": "ann@b.example"}}]}}
    cleaned = json.dumps(sentry.scrub(event))
    assert "a@b.example" not in cleaned and "ann@b.example" not in cleaned and "7700" not in cleaned
    assert "Ann Lee" not in cleaned
    assert "1.2.3.4" not in cleaned and "Bearer" not in cleaned and "sessionid" not in cleaned
    assert event["user"] == {"id": "7"} and event["request"] == {"method": "GET", "url": ""}
