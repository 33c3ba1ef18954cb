"""The outbox page: every outgoing message, filters, the reason a message did not go, "Send again"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope

from coachos.comms.models import OutboundMessage
from coachos.tenancy.models import AuditEntry
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, OutboundMessageFactory, member

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status


def url(org, suffix: str = "") -> str:
    return f"/o/{org.slug}/messages/{suffix}"


def test_empty_outbox_explains_what_will_appear(org, web):
    response = web.get(url(org))
    html = response.content.decode()
    assert response.status_code == 200
    assert "No messages yet" in html and "reminders" in html
    assert 'href="/o/northside-test/messages/"' in html  # the navigation item


def test_rows_show_who_what_status_and_the_reason(org, web):
    with scope(organization=org):
        ana = ClientFactory(organization=org, first_name="Ana", last_name="Alvarez")
        OutboundMessageFactory(organization=org, client=ana, kind="reminder_24h", status=Status.SENT,
                               sent_at=timezone.now(), body="Reminder: see you tomorrow")
        OutboundMessageFactory(organization=org, client=ana, kind="custom", status=Status.FAILED,
                               error_code="21610", last_error="Twilio 400: Attempt to send to unsubscribed recipient")
        OutboundMessageFactory(organization=org, client=ana, kind="low_credits", status=Status.SUPPRESSED,
                               last_error="The client has not agreed to texts.")
    html = web.get(url(org)).content.decode()
    assert f'href="/o/{org.slug}/clients/{ana.pk}/"' in html and "Ana Alvarez" in html
    assert "Reminder 24 hours before" in html and "Low credits" in html
    assert "Sent" in html and "Failed" in html and "Not sent" in html
    # The reasons, in plain words.
    assert "opted out of texts from your number (they replied STOP)" in html
    assert "The client has not agreed to texts." in html


def test_a_deferred_message_says_until_when_in_the_business_zone(org, web):
    # 03:00 UTC on a November Wednesday = 21:00 Tuesday in Chicago; held until 08:00 Chicago = 14:00 UTC.
    with scope(organization=org):
        OutboundMessageFactory(organization=org, status=Status.DEFERRED,
                               scheduled_for=datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
    with timezone.override("Asia/Tokyo"):
        html = web.get(url(org)).content.decode()
    assert "Held: quiet hours" in html
    assert "Held by quiet hours (9:00 PM–8:00 AM, your time zone) until Wednesday, November 25, 8:00 AM" in html


def test_filters_narrow_the_list(org, web):
    with scope(organization=org):
        ana = ClientFactory(organization=org, first_name="Ana", last_name="Zed")
        bob = ClientFactory(organization=org, first_name="Bob", last_name="Young")
        sent = OutboundMessageFactory(organization=org, client=ana, channel="sms", kind="reminder_24h",
                                      status=Status.SENT, body="ANA-SENT")
        failed = OutboundMessageFactory(organization=org, client=bob, channel="email", kind="receipt",
                                        status=Status.FAILED, last_error="x", body="BOB-FAILED")
        OutboundMessage.objects.filter(pk=failed.pk).update(created_at=timezone.now() - timedelta(days=10))

    def bodies(query: str) -> set[str]:
        response = web.get(url(org) + "?" + query)
        assert response.status_code == 200
        return {row["message"].body for row in response.context["rows"]}

    assert bodies("") == {"ANA-SENT", "BOB-FAILED"}
    assert bodies("status=failed") == {"BOB-FAILED"}
    assert bodies("channel=sms") == {"ANA-SENT"}
    assert bodies("kind=receipt") == {"BOB-FAILED"}
    assert bodies("q=ana+zed") == {"ANA-SENT"}
    assert bodies(f"q={bob.phone}") == {"BOB-FAILED"}
    today = timezone.localtime(timezone.now(), org.tzinfo).date()
    assert bodies(f"date_from={today - timedelta(days=1)}") == {"ANA-SENT"}
    assert bodies(f"date_to={today - timedelta(days=5)}") == {"BOB-FAILED"}
    # Nothing matches: a different empty state, with a way back.
    html = web.get(url(org) + "?status=delivered").content.decode()
    assert "No message matches these filters" in html
    # Nonsense filters are ignored, not a 500.
    assert web.get(url(org) + "?status=nope&date_from=yesterday").status_code == 200
    assert sent.pk


def test_newest_first_and_paginated(org, web):
    with scope(organization=org):
        for n in range(55):
            OutboundMessageFactory(organization=org, body=f"msg {n}")
    first = web.get(url(org))
    bodies = [row["message"].body for row in first.context["rows"]]
    assert len(bodies) == 50 and bodies[0] == "msg 54"
    second = web.get(url(org) + "?page=2")
    assert [row["message"].body for row in second.context["rows"]][-1] == "msg 0"


def test_detail_page_shows_everything(org, web):
    with scope(organization=org):
        ana = ClientFactory(organization=org, first_name="Ana")
        message = OutboundMessageFactory(organization=org, client=ana, channel="email", kind="receipt",
                                         subject="Your receipt", body="Thanks for your payment.\n\nSee you!",
                                         status=Status.SENT, attempts=2, provider_id="<abc@coachos>",
                                         sent_at=timezone.now(), dedupe_key="receipt:9")
    response = web.get(url(org, f"{message.pk}/"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your receipt" in html and "Thanks for your payment." in html and "See you!" in html
    assert "&lt;abc@coachos&gt;" in html and "receipt:9" in html and "Attempts" in html
    assert "Send again" not in html  # only for failed or unsent messages


def test_detail_links_the_related_booking(org, web):
    from ..factories import BookingFactory, TrainingSessionFactory

    with scope(organization=org):
        session = TrainingSessionFactory(coach__membership__organization=org, coach__organization=org)
        booking = BookingFactory(organization=org, session=session)
        message = OutboundMessageFactory(organization=org, client=booking.client, kind="booking_confirmation",
                                         related_type="booking", related_id=booking.pk)
    html = web.get(url(org, f"{message.pk}/")).content.decode()
    assert f"/o/{org.slug}/calendar/sessions/{session.pk}/" in html


def test_console_mode_banner(org, web, settings):
    settings.SMS_BACKEND = "console"
    assert "printed to the server log" in web.get(url(org)).content.decode()
    settings.SMS_BACKEND = "twilio"
    assert "printed to the server log" not in web.get(url(org)).content.decode()


def test_send_again_makes_a_new_row_and_an_audit_entry(sms_org, web, texter, sms_sent,
                                                       django_capture_on_commit_callbacks):
    org = sms_org
    with scope(organization=org):
        failed = OutboundMessageFactory(organization=org, client=texter, to=texter.phone, status=Status.FAILED,
                                        body="Your session moved to 6 PM", error_code="30003",
                                        last_error="Twilio 400: Unreachable destination handset")
    page = web.get(url(org, f"{failed.pk}/")).content.decode()
    assert "Send again" in page and "data-confirm" in page and "unreachable" in page
    assert web.get(url(org, f"{failed.pk}/send-again/")).status_code == 405
    with time_machine.travel(datetime(2026, 11, 24, 18, 0, tzinfo=UTC)):  # noon in Chicago: not quiet hours
        with django_capture_on_commit_callbacks(execute=True):
            response = web.post(url(org, f"{failed.pk}/send-again/"))
    with scope(organization=org):
        copy = OutboundMessage.objects.exclude(pk=failed.pk).get()
        failed.refresh_from_db()
        entry = AuditEntry.objects.get(action="message.resent")
    assert response.status_code == 302 and response["Location"] == url(org, f"{copy.pk}/")
    assert failed.status == Status.FAILED  # the original stays as it was
    assert copy.body == "Your session moved to 6 PM" and copy.status == Status.SENT
    assert [s.body for s in sms_sent] == ["Your session moved to 6 PM"]
    assert entry.object_id == str(copy.pk) and entry.data == {"original": failed.pk}


def test_send_again_refuses_a_sent_message(org, web):
    with scope(organization=org):
        sent = OutboundMessageFactory(organization=org, status=Status.SENT)
    response = web.post(url(org, f"{sent.pk}/send-again/"), follow=True)
    assert "Only failed or unsent messages can be sent again" in response.content.decode()
    with scope(organization=org):
        assert OutboundMessage.objects.count() == 1


def test_front_desk_uses_the_outbox_and_a_client_cannot(org):
    with scope(organization=org):
        message = OutboundMessageFactory(organization=org, status=Status.FAILED, last_error="boom")
    desk = login_as(member(org, Role.STAFF))
    assert desk.get(url(org)).status_code == 200
    assert desk.get(url(org, f"{message.pk}/")).status_code == 200
    assert desk.post(url(org, f"{message.pk}/send-again/")).status_code == 302
    client_user = login_as(member(org, Role.CLIENT))
    for path in ("", f"{message.pk}/", "inbox/", "templates/"):
        assert client_user.get(url(org, path)).status_code == 403, path
    assert client_user.post(url(org, f"{message.pk}/send-again/")).status_code == 403


def test_another_business_cannot_see_a_message(org, other_org, web):
    with scope(organization=other_org):
        theirs = OutboundMessageFactory(organization=other_org, status=Status.FAILED)
    assert web.get(url(org, f"{theirs.pk}/")).status_code == 404
    assert web.post(url(org, f"{theirs.pk}/send-again/")).status_code == 404
    assert web.get(url(other_org)).status_code == 404
