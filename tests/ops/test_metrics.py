"""/metrics: Prometheus text, per route pattern (never raw paths), behind a token or an address list."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from django.test import Client as DjangoClient
from django.utils import timezone
from django_scopes import scope
from prometheus_client.parser import text_string_to_metric_families

from coachos.automations.models import JobSchedule
from coachos.comms.models import OutboundMessage
from coachos.ops.asgi import count_websockets
from coachos.ops.metrics import WEBSOCKETS
from coachos.tenancy.roles import Role

from ..conftest import bearer
from ..factories import member


def samples(text: str) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def scrape(settings: Any, **headers: Any) -> Any:
    return DjangoClient(**headers).get("/metrics")


def test_refused_without_token_from_elsewhere(settings: Any, db: None) -> None:
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    assert scrape(settings, REMOTE_ADDR="203.0.113.1").status_code == 403
    assert scrape(settings, REMOTE_ADDR="203.0.113.1", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert scrape(settings, REMOTE_ADDR="203.0.113.1",
                  HTTP_AUTHORIZATION="Bearer s3cret-metrics-token").status_code == 200
    assert scrape(settings, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_requests_counted_by_route_pattern_with_queries(settings: Any, org: Any) -> None:
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1"]
    owner = member(org, Role.OWNER)
    api = DjangoClient(**bearer(owner, org))
    for _ in range(3):
        assert api.get("/api/v1/me").status_code == 200
    DjangoClient().get(f"/book/{org.slug}/")
    text = scrape(settings).content.decode()
    found = samples(text)
    me = [s for s in found["coachos_http_requests_total"] if s.labels["route"].endswith("me")]
    assert me and me[0].labels == {"method": "GET", "route": me[0].labels["route"], "status": "200"}
    assert me[0].value >= 3
    routes = {s.labels["route"] for s in found["coachos_http_requests_total"]}
    assert "book/<slug:org_slug>/" in routes
    assert org.slug not in text  # route patterns, never paths
    assert any(s.value > 0 for s in found["coachos_db_queries_total"] if s.labels["route"].endswith("me"))
    assert "coachos_http_request_duration_seconds_bucket" in found


def test_outbox_and_job_lag_at_scrape(settings: Any, org: Any) -> None:
    now = timezone.now()
    with scope(organization=org):
        for minutes in (5, 1):
            OutboundMessage.objects.create(organization=org, channel="email", kind="test", to="x@example.com",
                                           body="b", scheduled_for=now - timedelta(minutes=minutes))
    JobSchedule.objects.create(name="demo-job", next_run_at=now - timedelta(minutes=20))
    found = samples(scrape(settings).content.decode())
    assert found["coachos_outbox_queued"][0].value == 2
    assert 290 <= found["coachos_outbox_oldest_due_age_seconds"][0].value <= 400
    assert 1190 <= found["coachos_job_lag_seconds"][0].value <= 1300
    # /healthz shows the lag too, and it is over the default 10 minutes.
    body = DjangoClient().get("/healthz").json()
    assert body["checks"]["jobs"]["status"] == "down" and body["checks"]["jobs"]["lag_seconds"] >= 1190


def test_websocket_connections_gauge() -> None:
    before = WEBSOCKETS._value.get()
    seen: list[float] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "websocket.accept"})
        seen.append(WEBSOCKETS._value.get())
        await send({"type": "websocket.close"})
        seen.append(WEBSOCKETS._value.get())

    async def noop(message: Any) -> None:
        return None

    asyncio.run(count_websockets(app)({"type": "websocket"}, None, noop))
    assert seen == [before + 1, before]
    assert WEBSOCKETS._value.get() == before
