"""The messages demo data: an outbox with a history and every reason, texts from clients; idempotent,
and the pages show it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import User
from coachos.comms.models import InboundMessage, OutboundMessage, SmsOptOut
from coachos.tenancy.models import Organization

from ..conftest import login_as

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status


def counts() -> tuple[int, int, int]:
    with scopes_disabled():
        return OutboundMessage.objects.count(), InboundMessage.objects.count(), SmsOptOut.objects.count()


def test_seed_messages_is_idempotent_and_shows_every_case():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
    with scope(organization=org):
        messages = OutboundMessage.objects.all()
        assert messages.filter(kind="reminder_24h", status__in=[Status.SENT, Status.DELIVERED]).count() >= 3
        assert messages.filter(kind="booking_confirmation", status=Status.SENT).exists()
        assert not messages.filter(kind="booking_confirmation", status=Status.QUEUED).exists()
        failed = messages.get(dedupe_key="demo:failed-21610")
        assert failed.status == Status.FAILED and failed.error_code == "21610" and failed.body
        assert SmsOptOut.objects.filter(phone=failed.to, source="provider").exists()
        suppressed = messages.get(dedupe_key="demo:low-credits-sms")
        assert suppressed.status == Status.SUPPRESSED and suppressed.last_error == "The client has not agreed to texts."
        assert messages.get(dedupe_key="demo:evening-news").status == Status.DEFERRED
        texts = InboundMessage.objects.all()
        assert texts.filter(body="Y", handled_as="confirm").exists()
        assert texts.filter(read_at__isnull=True, body__contains="?").count() >= 1
    owner = login_as(User.objects.get(email="owner@northside.example"))
    outbox = owner.get("/o/northside/messages/")
    assert outbox.status_code == 200 and outbox.context["rows"]
    assert "opted out of texts from your number" in owner.get("/o/northside/messages/?status=failed").content.decode()
    assert "The client has not agreed to texts." in owner.get(
        "/o/northside/messages/?status=suppressed").content.decode()
    assert "Held by quiet hours" in owner.get("/o/northside/messages/?status=deferred").content.decode()
    assert "parking" in owner.get("/o/northside/messages/inbox/").content.decode()
