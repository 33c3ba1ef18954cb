"""Sending the outbox: one claim per row, retries with backoff, permanent errors, never twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django_scopes import scope, scopes_disabled
from twilio.rest import Client as TwilioClient

from coachos.comms import gateways, outbox, sender
from coachos.comms.models import OutboundMessage, SmsOptOut
from coachos.tenancy.models import Organization
from tests.concurrency import run_concurrently
from tests.factories import BookingFactory, OutboundMessageFactory, TrainingSessionFactory

Status = OutboundMessage.Status
AFTERNOON = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # 15:00 in Chicago
ROOT = Path(settings.BASE_DIR)


class FlakyGateway:
    def __init__(self, errors: list[gateways.GatewayError]) -> None:
        self.errors = list(errors)
        self.sent: list[gateways.Sms] = []

    def send(self, sms: gateways.Sms) -> str:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(sms)
        return f"SM{len(self.sent)}"


def _row(org: Organization, client: Any, **kwargs: Any) -> OutboundMessage:
    """A due row written straight to the table (no hand-off to a worker on commit)."""
    with scope(organization=org):
        return OutboundMessageFactory(organization=org, client=client, to=client.phone, sender=org.sms_number,
                                      body="Bring a towel.", **kwargs)


def _queue(org: Organization, client: Any, **kwargs: Any) -> OutboundMessage:
    with scope(organization=org):
        message = outbox.enqueue(organization=org, channel="sms", kind="custom", client=client,
                                 context={"message": "Bring a towel."}, **kwargs)
    assert message is not None
    return message


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_due_message_is_sent_and_recorded(sms_org: Organization, texter: Any, sms_sent: list[Any]) -> None:
    message = _queue(sms_org, texter)
    assert sender.send_due() == {"sent": 1}
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.provider_id.startswith("SM")
    assert message.attempts == 1
    assert message.sent_at == AFTERNOON
    assert [(s.to, s.sender, s.body) for s in sms_sent] == [("+13125550142", "+13125550199", "Bring a towel.")]
    assert sender.send_due() == {}  # nothing twice


@pytest.mark.django_db
def test_transient_errors_are_retried_with_backoff(sms_org: Organization, texter: Any) -> None:
    gateway = FlakyGateway([gateways.GatewayError("Twilio 503", code="", permanent=False)] * 2)
    gateways.use_sms_gateway(gateway)
    with time_machine.travel(AFTERNOON, tick=False) as clock:
        message = _queue(sms_org, texter)
        assert sender.send_due() == {"queued": 1}
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.QUEUED, 1)
        assert message.scheduled_for == AFTERNOON + timedelta(minutes=1)
        assert "503" in message.last_error
        assert sender.send_due() == {}  # not before its time
        clock.shift(timedelta(minutes=1))
        assert sender.send_due() == {"queued": 1}
        message.refresh_from_db()
        assert message.scheduled_for == AFTERNOON + timedelta(minutes=1) + timedelta(minutes=5)
        clock.shift(timedelta(minutes=5))
        assert sender.send_due() == {"sent": 1}
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 3, "")
    assert len(gateway.sent) == 1


@pytest.mark.django_db
def test_gives_up_after_the_last_attempt(sms_org: Organization, texter: Any) -> None:
    gateway = FlakyGateway([gateways.GatewayError("timeout")] * 10)
    gateways.use_sms_gateway(gateway)
    Organization.objects.filter(pk=sms_org.pk).update(quiet_hours_start=time(0), quiet_hours_end=time(0))
    sms_org.refresh_from_db()
    with time_machine.travel(AFTERNOON, tick=False) as clock:
        message = _queue(sms_org, texter)
        for _ in range(sender.MAX_ATTEMPTS):
            sender.send_due()
            clock.shift(timedelta(hours=3))
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == sender.MAX_ATTEMPTS
    assert gateway.sent == []


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_permanent_error_is_not_retried_and_opt_out_is_remembered(sms_org: Organization, texter: Any) -> None:
    gateways.use_sms_gateway(FlakyGateway([gateways.GatewayError(
        "Twilio 400: Attempt to send to unsubscribed recipient", code="21610", permanent=True)]))
    message = _queue(sms_org, texter)
    assert sender.send_due() == {"failed": 1}
    message.refresh_from_db()
    assert (message.status, message.error_code, message.attempts) == (Status.FAILED, "21610", 1)
    assert "unsubscribed" in message.last_error
    with scope(organization=sms_org):
        assert SmsOptOut.objects.filter(phone=texter.phone, source="provider").exists()
        later = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                               context={"message": "again"})
    assert later is not None and later.status == Status.SUPPRESSED


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_cancelled_booking_suppresses_its_pending_reminder(sms_org: Organization, texter: Any,
                                                          sms_sent: list[Any]) -> None:
    with scope(organization=sms_org):
        session = TrainingSessionFactory(organization=sms_org, coach__organization=sms_org,
                                         starts_at=AFTERNOON + timedelta(hours=20),
                                         ends_at=AFTERNOON + timedelta(hours=21))
        booking = BookingFactory(organization=sms_org, session=session, client=texter)
        message = outbox.enqueue(organization=sms_org, channel="sms", kind="reminder_24h", client=texter,
                                 related=booking, expires_at=session.starts_at)
        booking.status = booking.Status.CANCELLED_BY_CLIENT
        booking.save()
    assert message is not None
    assert sender.send_due() == {"suppressed": 1}
    message.refresh_from_db()
    assert "cancelled" in message.last_error
    assert sms_sent == []


@pytest.mark.django_db
def test_deferred_message_goes_when_quiet_hours_end(sms_org: Organization, texter: Any,
                                                    sms_sent: list[Any]) -> None:
    late = datetime(2026, 11, 25, 4, 30, tzinfo=UTC)  # 22:30 Chicago
    with time_machine.travel(late, tick=False) as clock:
        message = _queue(sms_org, texter)
        assert message.status == Status.DEFERRED
        assert sender.send_due() == {}
        clock.move_to(datetime(2026, 11, 25, 13, 59, tzinfo=UTC))
        assert sender.send_due() == {}
        clock.move_to(datetime(2026, 11, 25, 14, 0, tzinfo=UTC))  # 08:00 Chicago
        assert sender.send_due() == {"sent": 1}
    assert len(sms_sent) == 1


@pytest.mark.django_db
def test_a_row_due_just_before_quiet_hours_is_held_at_send_time(sms_org: Organization, texter: Any,
                                                               sms_sent: list[Any]) -> None:
    with time_machine.travel(datetime(2026, 11, 25, 2, 59, tzinfo=UTC), tick=False) as clock:  # 20:59
        message = _queue(sms_org, texter)
        assert message.status == Status.QUEUED
        clock.move_to(datetime(2026, 11, 25, 3, 1, tzinfo=UTC))  # the worker gets to it at 21:01
        assert sender.send_due() == {"deferred": 1}
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.DEFERRED, 0)
    assert message.scheduled_for == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert sms_sent == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("comms-concurrency")
def test_many_workers_at_once_send_each_message_once(sms_org: Organization, texter: Any,
                                                     sms_sent: list[Any]) -> None:
    ids = [_row(sms_org, texter, scheduled_for=AFTERNOON).pk for _ in range(20)]
    run_concurrently(lambda _i: sender.send_due(now=AFTERNOON), 8, timeout=120)
    assert len(sms_sent) == 20
    with scopes_disabled():
        assert set(OutboundMessage.objects.filter(pk__in=ids).values_list("status", flat=True)) == {Status.SENT}
        assert sum(OutboundMessage.objects.filter(pk__in=ids).values_list("attempts", flat=True)) == 20


CRASHING_WORKER = """
import os, sys
import django
django.setup()
from coachos.comms import gateways, sender

class CrashAfterProviderAccepts:
    def send(self, sms):
        with open(sys.argv[2], "a") as log:
            log.write(sms.to + "\\n")       # the provider has it now...
        os._exit(17)                       # ...and the worker dies before recording that

gateways.use_sms_gateway(CrashAfterProviderAccepts())
sender.deliver(int(sys.argv[1]))
"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.xdist_group("comms-concurrency")
def test_worker_killed_between_provider_and_commit_sends_no_duplicate(
        sms_org: Organization, texter: Any, sms_sent: list[Any], tmp_path: Path) -> None:
    provider_log = tmp_path / "provider.log"
    # The worker below runs on the real clock: exempt, or at night quiet hours would hold the row.
    message = _row(sms_org, texter, scheduled_for=datetime.now(UTC) - timedelta(minutes=1), quiet_hours_exempt=True)
    db = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coachos.settings",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
           "SMS_BACKEND": "console"}
    if "postgresql" not in db["ENGINE"]:
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    result = subprocess.run([sys.executable, "-c", CRASHING_WORKER, str(message.pk), str(provider_log)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 17, result.stderr[-2000:]
    assert provider_log.read_text().splitlines() == [texter.phone]  # the provider got it once

    message.refresh_from_db()
    assert message.status == Status.SENDING  # the claim was committed before the provider call
    assert sender.send_due() == {}  # a second worker does not send it again
    assert sms_sent == []
    with time_machine.travel(message.claimed_at + sender.STALE_AFTER + timedelta(seconds=1), tick=False):
        assert sender.send_due() == {}
        message.refresh_from_db()
    assert (message.status, message.error_code) == (Status.FAILED, "unknown_outcome")
    assert "not sent again" in message.last_error
    assert sms_sent == []
    assert provider_log.read_text().splitlines() == [texter.phone]


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_resend_creates_a_new_row_and_keeps_the_old(sms_org: Organization, texter: Any, owner: Any,
                                                    sms_sent: list[Any]) -> None:
    gateways.use_sms_gateway(FlakyGateway([gateways.GatewayError("no", code="21612", permanent=True)]))
    message = _queue(sms_org, texter)
    sender.send_due()
    gateways.use_sms_gateway(None)
    with scope(organization=sms_org):
        message.refresh_from_db()
        again = outbox.resend(message=message, actor=owner)
    sender.send_due()
    message.refresh_from_db()
    again.refresh_from_db()
    assert message.status == Status.FAILED
    assert again.status == Status.SENT and again.body == message.body
    assert len(sms_sent) == 1


# --- email -------------------------------------------------------------------------------------

@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_booking_email_has_text_html_and_ics(sms_org: Organization, texter: Any, outbox_mail: list[Any]) -> None:
    with scope(organization=sms_org):
        session = TrainingSessionFactory(organization=sms_org, coach__organization=sms_org,
                                         starts_at=datetime(2026, 11, 25, 23, 30, tzinfo=UTC),
                                         ends_at=datetime(2026, 11, 26, 0, 30, tzinfo=UTC))
        booking = BookingFactory(organization=sms_org, session=session, client=texter)
        outbox.enqueue(organization=sms_org, channel="email", kind="booking_confirmation", client=texter,
                       related=booking)
    assert sender.send_due() == {"sent": 1}
    [email] = outbox_mail
    assert email.to == ["tess@example.com"]
    assert email.from_email.startswith('"Northside Strength" <')
    assert "5:30 PM" in email.subject
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and "Northside Strength" in html and "Hi Tess" in html
    [(filename, content, ics_type)] = email.attachments
    assert filename == f"booking-{booking.pk}.ics" and ics_type.startswith("text/calendar")
    assert b"BEGIN:VEVENT" in (content if isinstance(content, bytes) else content.encode())
    assert "List-Unsubscribe" not in email.extra_headers  # not promotional


@pytest.mark.django_db
@time_machine.travel(AFTERNOON, tick=False)
def test_promotional_email_carries_an_unsubscribe_link(sms_org: Organization, texter: Any,
                                                       outbox_mail: list[Any]) -> None:
    from coachos.comms.emails import unsubscribe_client_id

    with scope(organization=sms_org):
        outbox.enqueue(organization=sms_org, channel="email", kind="promotion", client=texter,
                       context={"message": "Summer bootcamp starts Monday."})
    assert sender.send_due() == {"sent": 1}
    [email] = outbox_mail
    header = email.extra_headers["List-Unsubscribe"]
    assert header.startswith("<http") and "/unsubscribe/" in header
    token = header.rstrip(">/").rsplit("/", 1)[-1]
    assert unsubscribe_client_id(token) == texter.pk
    assert "Unsubscribe" in email.body


# --- Twilio through its SDK, up to the network ---------------------------------------------------

class FakeTwilio(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []
    reply: tuple[int, dict[str, Any]] = (201, {})

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        FakeTwilio.requests.append({"path": self.path, "form": parse_qs(body),
                                    "auth": self.headers.get("Authorization", "")})
        status, payload = FakeTwilio.reply
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_twilio() -> Iterator[str]:
    FakeTwilio.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _twilio(base_url: str) -> gateways.TwilioGateway:
    client = TwilioClient("AC" + "1" * 32, "secret-token")
    client.api.base_url = base_url
    return gateways.TwilioGateway(client)


def test_twilio_gateway_sends_through_the_sdk(fake_twilio: str) -> None:
    FakeTwilio.reply = (201, {"sid": "SM" + "a" * 32, "status": "queued"})
    sid = _twilio(fake_twilio).send(gateways.Sms(to="+13125550142", sender="+13125550199", body="Hi",
                                                 status_callback="https://coach.example/webhooks/twilio/status"))
    assert sid == "SM" + "a" * 32
    [request] = FakeTwilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/AC{'1' * 32}/Messages.json"
    assert request["form"] == {"To": ["+13125550142"], "From": ["+13125550199"], "Body": ["Hi"],
                               "StatusCallback": ["https://coach.example/webhooks/twilio/status"]}
    assert request["auth"].startswith("Basic ")


@pytest.mark.parametrize(("status", "code", "permanent"), [
    (400, 21610, True),   # unsubscribed recipient
    (400, 21211, True),   # invalid number
    (429, 20429, False),  # too many requests
    (500, 20500, False),  # Twilio's side
])
def test_twilio_errors_say_whether_to_retry(fake_twilio: str, status: int, code: int, permanent: bool) -> None:
    FakeTwilio.reply = (status, {"code": code, "message": "Provider said no", "status": status})
    with pytest.raises(gateways.GatewayError) as caught:
        _twilio(fake_twilio).send(gateways.Sms(to="+13125550142", sender="+13125550199", body="Hi"))
    assert caught.value.code == str(code)
    assert caught.value.permanent is permanent
    assert "Provider said no" in str(caught.value)
