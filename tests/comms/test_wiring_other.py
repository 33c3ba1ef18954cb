"""Credits running low, invitations by text, and the one zone every message uses."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scope

from coachos.accounts.models import Invitation
from coachos.comms import reminders
from coachos.comms.models import OutboundMessage
from coachos.credits.services import use_session
from coachos.scheduling import services
from coachos.scheduling.services.public import public_booking_confirm

from ..factories import ClientFactory, ClientPackageFactory, CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2025, 6, 2, 10, tzinfo=CHICAGO)
LINK = re.compile(r"https?://\S+/invitations/\S+/")


@pytest.fixture(autouse=True)
def monday_morning(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def rows(org: Any, **filters: Any) -> list[OutboundMessage]:
    with scope(organization=org):
        return list(OutboundMessage.objects.filter(**filters).order_by("id"))


# --- credits -------------------------------------------------------------------------------------

def test_low_credits_are_told_once_per_count(sms_org, texter):
    with scope(organization=sms_org):
        package = ClientPackageFactory(client=texter, name="5 sessions", total=5, remaining=3)
        for key in ("use-1", "use-2", "use-2", "use-3"):
            use_session(client=texter, actor=None, idempotency_key=key)
    low = rows(sms_org, kind="low_credits")
    assert sorted(m.dedupe_key for m in low) == sorted(
        f"low-credits:{package.pk}:{n}:{channel}" for n in (0, 1) for channel in ("sms", "email"))
    first = next(m for m in low if m.dedupe_key == f"low-credits:{package.pk}:1:sms")
    assert first.body.startswith("Heads up Tess: 5 sessions is running low (1 left). Top up: http")
    assert f"/portal/{sms_org.slug}/packages/" in first.body


def test_a_package_with_credits_to_spare_says_nothing(sms_org, texter):
    with scope(organization=sms_org):
        ClientPackageFactory(client=texter, remaining=5)
        use_session(client=texter, actor=None, idempotency_key="use-1")
    assert rows(sms_org) == []


# --- invitations ---------------------------------------------------------------------------------

@pytest.fixture
def invite(web: Any, django_capture_on_commit_callbacks: Any) -> Any:
    def _invite(org: Any, email: str) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return web.post(f"/o/{org.slug}/team/", {"email": email, "role": "client", "name": "Tess"})
    return _invite


def test_a_client_who_agreed_to_texts_is_invited_by_email_and_by_text(sms_org, texter, invite, outbox_mail,
                                                                       sms_sent, web, django_capture_on_commit_callbacks):
    assert invite(sms_org, "tess@example.com").status_code == 302
    assert len(outbox_mail) == 1  # the email, as before
    emailed = LINK.search(outbox_mail[0].body)
    assert emailed is not None
    [text] = rows(sms_org, kind="invitation", channel="sms")
    assert (text.channel, text.status, text.client_id) == ("sms", OutboundMessage.Status.SENT, texter.pk)
    assert [s.to for s in sms_sent] == ["+13125550142"]
    assert emailed.group(0) in sms_sent[0].body
    # Sending the invitation again sends the new link (the old one stops working) by text too.
    with scope(organization=sms_org):
        invitation = Invitation.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        web.post(f"/o/{sms_org.slug}/team/invitations/{invitation.pk}/resend/")
    texts = rows(sms_org, kind="invitation", channel="sms")
    assert len(texts) == 2 and len(sms_sent) == 2
    assert LINK.search(outbox_mail[1].body).group(0) in sms_sent[1].body  # type: ignore[union-attr]
    # The emails are outbox rows too, one per link.
    assert len(rows(sms_org, kind="invitation", channel="email")) == 2


def test_no_text_without_consent(sms_org, invite, outbox_mail):
    with scope(organization=sms_org):
        ClientFactory(organization=sms_org, email="noconsent@example.com", phone="+13125550133", sms_consent=False)
    invite(sms_org, "noconsent@example.com")
    assert len(outbox_mail) == 1
    assert rows(sms_org, kind="invitation", channel="sms") == []


# --- one zone: the business's --------------------------------------------------------------------

@pytest.fixture
def coach(sms_org: Any) -> Any:
    with scope(organization=sms_org):
        coach = CoachFactory(organization=sms_org, display_name="Jordan", min_notice_minutes=0)
        WeeklyAvailabilityFactory(coach=coach, weekday=1, start_time=time(9), end_time=time(20))
    return coach


SESSION = datetime(2025, 6, 10, 17, 30, tzinfo=CHICAGO)  # 23:30 in London


def _in_london() -> Any:
    return timezone.override(ZoneInfo("Europe/London"))


def _says_half_past_five(message: OutboundMessage) -> None:
    text = f"{message.subject} {message.body}"
    assert "5:30 PM" in text, text
    assert "11:30" not in text and "23:30" not in text and "10:30" not in text


def test_a_client_booking_from_london_reads_in_chicago_time(sms_org, coach):
    pt = SessionTypeFactory(organization=sms_org)
    with _in_london(), scope(organization=sms_org):
        hold = services.hold_create(coach=coach, session_type=pt, starts_at=SESSION)
        booking = public_booking_confirm(hold=hold, first_name="Lou", last_name="Don", email="lou@example.com",
                                         phone="+447700900123", note="")
    [email] = rows(sms_org, client=booking.client, kind="booking_confirmation")
    _says_half_past_five(email)
    [team_email, *_rest] = rows(sms_org, kind="client_booked")
    _says_half_past_five(team_email)


def test_a_coach_booking_from_london_reads_in_chicago_time(sms_org, coach, texter, owner):
    pt = SessionTypeFactory(organization=sms_org)
    with _in_london(), scope(organization=sms_org):
        services.booking_create(coach=coach, session_type=pt, client=texter, starts_at=SESSION, actor=owner,
                                mode=services.COACH)
    confirmations = rows(sms_org, kind="booking_confirmation")
    assert sorted(m.channel for m in confirmations) == ["email", "sms"]  # a loop over nothing checks nothing
    for message in confirmations:
        _says_half_past_five(message)


def test_the_reminder_job_reads_in_chicago_time_whatever_its_own_zone(sms_org, coach, texter, owner, time_machine):
    pt = SessionTypeFactory(organization=sms_org)
    with scope(organization=sms_org):
        services.booking_create(coach=coach, session_type=pt, client=texter, starts_at=SESSION, actor=owner,
                                mode=services.COACH)
    time_machine.move_to(SESSION - timedelta(hours=2), tick=False)
    with _in_london():
        reminders.reminders_send()
    sent = rows(sms_org, kind="reminder_2h")
    assert len(sent) == 2
    for message in sent:
        _says_half_past_five(message)
