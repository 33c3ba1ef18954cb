"""Texts from clients: STOP / START / HELP keywords, "Y" confirmations, and messages for the coach.

Every request goes through the real webhook, signed with Twilio's own validator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from coachos.comms import inbound, outbox, sender
from coachos.comms.models import InboundMessage, Notification, OutboundMessage, SmsOptOut
from coachos.scheduling.models import Booking
from coachos.tenancy.models import Organization
from tests.factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    OrganizationFactory,
    OutboundMessageFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
)

from ..conftest import bearer
from .conftest import twilio_post

Status = OutboundMessage.Status
Handling = InboundMessage.Handling
SMS = "/webhooks/twilio/sms"
NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # Tuesday 12:00 in Chicago

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("twilio")]

_sids = iter(range(1, 10_000))


def send_text(body: str, *, frm: str = "+13125550142", to: str = "+13125550199") -> InboundMessage | None:
    sid = f"SM{next(_sids):032d}"
    response = twilio_post(SMS, {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": frm, "To": to,
                                 "Body": body})
    assert response.status_code == 200, response.content
    with scopes_disabled():
        return InboundMessage.objects.filter(provider_id=sid).select_related("client", "booking").first()


def replies(org: Organization) -> list[OutboundMessage]:
    with scope(organization=org):
        return list(OutboundMessage.objects.filter(dedupe_key__startswith="reply:").order_by("id"))


def booked(org: Organization, client: Any, starts_at: datetime, *, reminder: str | None = Status.SENT,
           kind: str = "reminder_24h", sent_at: datetime | None = None, channel: str = "sms") -> Booking:
    """A booking of ``client`` at ``starts_at``; ``reminder`` is the status of the text of ``kind`` about it
    (None: none), written for 24 hours before the start or, given ``sent_at``, sent then."""
    with scope(organization=org):
        session = TrainingSessionFactory(organization=org, coach=CoachFactory(organization=org),
                                         starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
        booking = BookingFactory(organization=org, session=session, client=client)
        if reminder is not None:
            OutboundMessageFactory(organization=org, client=client, kind=kind, to=client.phone, channel=channel,
                                   related_type="booking", related_id=booking.pk, status=reminder,
                                   scheduled_for=sent_at or starts_at - timedelta(hours=24), sent_at=sent_at)
    return booking


def confirmed(booking: Booking) -> bool:
    with scopes_disabled():
        return Booking.objects.get(pk=booking.pk).client_confirmed_at is not None


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as clock:
        yield clock


# --- keywords -----------------------------------------------------------------------------------

@pytest.mark.parametrize("body, word", [
    ("STOP", "STOP"), (" stop ", "STOP"), ("Stop.", "STOP"), ("y", "Y"), ("Yes!", "YES"), ("YES 👍", "YES"),
    ("stop all", "STOP ALL"), ("Y E S", "Y E S"), ("", ""),
])
def test_keyword_ignores_case_spaces_and_punctuation(body: str, word: str) -> None:
    assert inbound.keyword(body) == word


@pytest.mark.parametrize("body", ["STOP", "stop", "Stop!", "STOPALL", "unsubscribe", "Cancel", "END", "quit."])
def test_stop_words_opt_the_number_out_without_a_reply(frozen: Any, sms_org: Organization, texter: Any,
                                                      body: str) -> None:
    message = send_text(body)
    assert message is not None and message.handled_as == Handling.STOP
    with scope(organization=sms_org):
        opt_out = SmsOptOut.objects.get()
    assert (opt_out.phone, opt_out.source) == (texter.phone, "keyword")
    assert replies(sms_org) == []  # the carrier answers STOP itself


@pytest.mark.parametrize("body", ["stop it please", "Don't cancel my session", "yess", "Y?maybe"])
def test_a_sentence_containing_a_keyword_is_a_message(frozen: Any, sms_org: Organization, texter: Any,
                                                      body: str) -> None:
    message = send_text(body)
    assert message is not None and message.handled_as == Handling.MESSAGE
    with scope(organization=sms_org):
        assert not SmsOptOut.objects.exists()


def test_after_stop_every_later_text_is_suppressed_end_to_end(frozen: Any, sms_org: Organization, texter: Any,
                                                             sms_sent: list[Any]) -> None:
    with scope(organization=sms_org):
        pending = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                                 context={"message": "Queued before STOP"})
    assert pending is not None and pending.status == Status.QUEUED
    send_text("STOP")
    booking = booked(sms_org, texter, NOW + timedelta(hours=24), reminder=None)
    with scope(organization=sms_org):
        reminder = outbox.enqueue(organization=sms_org, channel="sms", kind="reminder_24h", client=texter,
                                  related=booking)
    assert reminder is not None
    assert reminder.status == Status.SUPPRESSED
    assert "STOP" in reminder.last_error
    sender.send_due()
    pending.refresh_from_db()
    assert pending.status == Status.SUPPRESSED and "STOP" in pending.last_error
    assert sms_sent == []


def test_an_opt_out_holds_for_that_business_only(frozen: Any, sms_org: Organization, texter: Any,
                                                 sms_sent: list[Any]) -> None:
    send_text("STOP")
    other = OrganizationFactory(name="Other Gym", slug="other-gym", sms_number="+13125550188")
    with scope(organization=other):
        same_person = ClientFactory(organization=other, phone=texter.phone, sms_consent=True)
        message = outbox.enqueue(organization=other, channel="sms", kind="custom", client=same_person,
                                 context={"message": "Hello from another gym"})
    assert message is not None and message.status == Status.QUEUED


def test_start_opts_back_in_with_a_short_reply(frozen: Any, sms_org: Organization, texter: Any,
                                              sms_sent: list[Any]) -> None:
    send_text("STOP")
    message = send_text("Unstop")
    assert message is not None and message.handled_as == Handling.START
    with scope(organization=sms_org):
        assert not SmsOptOut.objects.exists()
    [reply] = replies(sms_org)
    assert (reply.kind, reply.to, reply.client, reply.status) == ("start_reply", texter.phone, texter, Status.QUEUED)
    assert sender.send_due() == {"sent": 1}
    assert [s.to for s in sms_sent] == [texter.phone]
    with scope(organization=sms_org):
        later = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                               context={"message": "Welcome back"})
    assert later is not None and later.status == Status.QUEUED


def test_help_gets_the_help_reply(frozen: Any, sms_org: Organization, texter: Any, sms_sent: list[Any]) -> None:
    Organization.objects.filter(pk=sms_org.pk).update(phone="+13125550111")
    message = send_text("help")
    assert message is not None and message.handled_as == Handling.HELP
    [reply] = replies(sms_org)
    assert reply.kind == "help_reply"
    assert "+13125550111" in reply.body and "STOP" in reply.body
    sender.send_due()
    assert [(s.to, s.sender) for s in sms_sent] == [(texter.phone, sms_org.sms_number)]


def test_a_client_who_texts_us_gets_the_answer_without_texting_consent(frozen: Any, sms_org: Organization,
                                                                       sms_sent: list[Any]) -> None:
    with scope(organization=sms_org):
        shy = ClientFactory(organization=sms_org, phone="+13125550177", sms_consent=False)
        reminder = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=shy,
                                  context={"message": "not without consent"})
    assert reminder is not None and reminder.status == Status.SUPPRESSED
    send_text("HELP", frm=shy.phone)
    [reply] = replies(sms_org)
    assert (reply.client, reply.status) == (shy, Status.QUEUED)
    sender.send_due()
    assert [s.to for s in sms_sent] == [shy.phone]


def test_an_opted_out_number_gets_no_answer_even_to_help(frozen: Any, sms_org: Organization, texter: Any,
                                                         sms_sent: list[Any]) -> None:
    send_text("STOP")
    send_text("HELP")
    [reply] = replies(sms_org)
    assert reply.status == Status.SUPPRESSED and "STOP" in reply.last_error
    sender.send_due()
    assert sms_sent == []


def test_help_from_a_number_we_do_not_know_is_answered(frozen: Any, sms_org: Organization,
                                                       sms_sent: list[Any]) -> None:
    message = send_text("HELP", frm="+13125550166")
    assert message is not None and message.client is None
    sender.send_due()
    assert [s.to for s in sms_sent] == ["+13125550166"]


def test_only_reply_kinds_skip_consent() -> None:
    with pytest.raises(outbox.CommsError):
        outbox.enqueue(organization=OrganizationFactory(), channel="sms", kind="promotion", to="+13125550100",
                       context={"message": "sale"}, reply=True)


# --- "Y" confirms the booking the latest confirmation or reminder asked about --------------------

def test_y_confirms_the_booking_replies_and_tells_the_team(frozen: Any, sms_org: Organization, texter: Any,
                                                           owner: Any, sms_sent: list[Any]) -> None:
    booking = booked(sms_org, texter, NOW + timedelta(hours=23, minutes=30))  # Wednesday 11:30 in Chicago
    message = send_text("Y")
    assert message is not None
    assert (message.handled_as, message.booking_id, message.client) == (Handling.CONFIRM, booking.pk, texter)
    with scopes_disabled():
        fresh = Booking.objects.get(pk=booking.pk)
    assert fresh.client_confirmed_at == NOW
    assert fresh.updated_at == NOW  # the calendar notices changes by updated_at
    [reply] = replies(sms_org)
    assert (reply.kind, reply.related_type, reply.related_id) == ("confirm_reply", "booking", booking.pk)
    assert "Wednesday, November 25" in reply.body and "11:30" in reply.body  # the business's zone
    sender.send_due()
    assert [s.to for s in sms_sent] == [texter.phone]
    with scopes_disabled():
        notification = Notification.objects.get(user=owner, kind="client_confirmed")
    assert "Tess Texter" in notification.title


@pytest.mark.parametrize("answer", ["Sí", "si!", "Oui", "ja"])
def test_yes_in_spanish_french_or_german_confirms_too(frozen: Any, sms_org: Organization, texter: Any,
                                                      answer: str) -> None:
    booking = booked(sms_org, texter, NOW + timedelta(hours=23, minutes=30))
    message = send_text(answer)
    assert message is not None and (message.handled_as, message.booking_id) == (Handling.CONFIRM, booking.pk)
    assert confirmed(booking)


def test_a_booking_made_an_hour_ahead_is_confirmed_by_answering_its_confirmation(
        frozen: Any, sms_org: Organization, texter: Any, owner: Any, sms_sent: list[Any]) -> None:
    """Booked inside both reminders' windows, so no reminder will ever ask: the confirmation does."""
    from coachos.comms import reminders
    from coachos.scheduling import services

    with scope(organization=sms_org):
        booking = services.booking_create(
            coach=CoachFactory(organization=sms_org), session_type=SessionTypeFactory(organization=sms_org),
            client=texter, starts_at=NOW + timedelta(hours=1), actor=owner, mode=services.COACH)
    sender.send_due()
    [confirmation] = [s for s in sms_sent if s.to == texter.phone]
    assert "Reply Y to confirm" in confirmation.body
    assert reminders.reminders_send()["businesses"] == 0  # reminders stay as they are: none for this booking
    message = send_text("y")
    assert message is not None and (message.handled_as, message.booking_id) == (Handling.CONFIRM, booking.pk)
    assert confirmed(booking)


def test_a_second_y_for_the_same_booking_says_confirmed_again_without_a_new_notification(
        frozen: Any, sms_org: Organization, texter: Any, owner: Any) -> None:
    booking = booked(sms_org, texter, NOW + timedelta(hours=5))
    send_text("yes")
    again = send_text("Yes.")
    assert again is not None and (again.handled_as, again.booking_id) == (Handling.CONFIRM, booking.pk)
    assert [r.kind for r in replies(sms_org)] == ["confirm_reply", "confirm_reply"]
    with scopes_disabled():
        assert Notification.objects.filter(user=owner, kind="client_confirmed").count() == 1


def test_yesterdays_booking_is_never_confirmed(frozen: Any, sms_org: Organization, texter: Any) -> None:
    yesterday = booked(sms_org, texter, NOW - timedelta(hours=24))
    message = send_text("Y")
    assert message is not None and message.handled_as == Handling.CONFIRM_NONE
    assert not confirmed(yesterday)
    assert [r.kind for r in replies(sms_org)] == ["confirm_none_reply"]


def test_a_booking_47_hours_ahead_with_a_sent_reminder_is_confirmed(frozen: Any, sms_org: Organization,
                                                                    texter: Any) -> None:
    booking = booked(sms_org, texter, NOW + timedelta(hours=47))
    send_text("Y")
    assert confirmed(booking)


def test_a_confirmation_for_next_week_is_answered_by_y(frozen: Any, sms_org: Organization, texter: Any) -> None:
    """The confirmation asks for a Y however far ahead the booking is (no reminder was sent yet)."""
    booking = booked(sms_org, texter, NOW + timedelta(days=7), kind="booking_confirmation",
                     sent_at=NOW - timedelta(minutes=5))
    message = send_text("Y")
    assert message is not None and (message.handled_as, message.booking_id) == (Handling.CONFIRM, booking.pk)
    assert confirmed(booking)


def test_a_session_that_started_an_hour_ago_is_confirmed(frozen: Any, sms_org: Organization, texter: Any) -> None:
    booking = booked(sms_org, texter, NOW - timedelta(hours=1), kind="reminder_2h")
    send_text("Y")
    assert confirmed(booking)


def test_a_session_that_started_three_hours_ago_is_not(frozen: Any, sms_org: Organization, texter: Any) -> None:
    booking = booked(sms_org, texter, NOW - timedelta(hours=3))
    assert send_text("Y").handled_as == Handling.CONFIRM_NONE  # type: ignore[union-attr]
    assert not confirmed(booking)


def test_the_grace_window_does_not_reach_into_yesterday(sms_org: Organization, texter: Any) -> None:
    """00:30 in Chicago: the session of 23:30 "yesterday" started an hour ago, but it is yesterday's."""
    just_after_midnight = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)
    with time_machine.travel(just_after_midnight, tick=False):
        late_session = booked(sms_org, texter, just_after_midnight - timedelta(hours=1))
        assert send_text("Y").handled_as == Handling.CONFIRM_NONE  # type: ignore[union-attr]
    assert not confirmed(late_session)


@pytest.mark.parametrize("reminder", [None, Status.QUEUED, Status.SUPPRESSED, Status.FAILED])
def test_a_booking_without_a_sent_reminder_is_not_chosen(frozen: Any, sms_org: Organization, texter: Any,
                                                         reminder: str | None) -> None:
    not_reminded = booked(sms_org, texter, NOW + timedelta(hours=3), reminder=reminder)
    reminded = booked(sms_org, texter, NOW + timedelta(hours=30))
    send_text("Y")
    assert not confirmed(not_reminded)
    assert confirmed(reminded)


def test_a_delivered_reminder_counts_and_an_unrelated_sent_text_does_not(frozen: Any, sms_org: Organization,
                                                                         texter: Any) -> None:
    with_other_text = booked(sms_org, texter, NOW + timedelta(hours=2), kind="reschedule")
    delivered = booked(sms_org, texter, NOW + timedelta(hours=4), reminder=Status.DELIVERED)
    send_text("Y")
    assert not confirmed(with_other_text)
    assert confirmed(delivered)


@pytest.mark.parametrize("last", ["confirmation", "reminder"])
def test_of_two_candidates_the_one_the_latest_text_asked_about_is_confirmed(
        frozen: Any, sms_org: Organization, texter: Any, last: str) -> None:
    """Tomorrow's session was reminded and next week's was just booked (its confirmation asks for a Y),
    or the other way round: the "Y" answers whichever text came last."""
    reminder_at, confirmation_at = ((NOW - timedelta(hours=1), NOW - timedelta(minutes=10)) if last == "confirmation"
                                    else (NOW - timedelta(minutes=10), NOW - timedelta(hours=1)))
    tomorrow = booked(sms_org, texter, NOW + timedelta(hours=23), kind="reminder_24h", sent_at=reminder_at)
    next_week = booked(sms_org, texter, NOW + timedelta(days=7), kind="booking_confirmation",
                       sent_at=confirmation_at)
    message = send_text("Y")
    expected, other = (next_week, tomorrow) if last == "confirmation" else (tomorrow, next_week)
    assert message is not None and message.booking_id == expected.pk
    assert confirmed(expected) and not confirmed(other)


def test_a_confirmation_by_email_does_not_ask_for_a_y(frozen: Any, sms_org: Organization, texter: Any) -> None:
    emailed = booked(sms_org, texter, NOW + timedelta(hours=5), kind="booking_confirmation", channel="email",
                     sent_at=NOW - timedelta(minutes=5))
    texted = booked(sms_org, texter, NOW + timedelta(hours=3), kind="booking_confirmation",
                    sent_at=NOW - timedelta(hours=1))
    send_text("Y")
    assert confirmed(texted) and not confirmed(emailed)


@pytest.mark.parametrize("started_ago, answered", [
    (timedelta(hours=1, minutes=59), True),
    (timedelta(hours=2, minutes=1), False),
])
def test_the_two_hour_grace_after_the_start_at_its_edges(frozen: Any, sms_org: Organization, texter: Any,
                                                         started_ago: timedelta, answered: bool) -> None:
    """A booking made at the last minute: its confirmation is the only text that asked for a Y."""
    booking = booked(sms_org, texter, NOW - started_ago, kind="booking_confirmation",
                     sent_at=NOW - started_ago - timedelta(minutes=30))
    message = send_text("Y")
    assert message is not None
    assert message.handled_as == (Handling.CONFIRM if answered else Handling.CONFIRM_NONE)
    assert confirmed(booking) is answered


def test_an_earlier_confirmed_booking_does_not_take_the_answer(frozen: Any, sms_org: Organization,
                                                               texter: Any) -> None:
    first = booked(sms_org, texter, NOW + timedelta(hours=3))
    with scopes_disabled():
        Booking.objects.filter(pk=first.pk).update(client_confirmed_at=NOW - timedelta(hours=1))
    second = booked(sms_org, texter, NOW + timedelta(hours=26))
    message = send_text("Y")
    assert message is not None and message.booking_id == second.pk
    assert confirmed(second)


def test_a_cancelled_booking_is_not_confirmed(frozen: Any, sms_org: Organization, texter: Any) -> None:
    booking = booked(sms_org, texter, NOW + timedelta(hours=3))
    with scopes_disabled():
        Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED_BY_CLIENT)
    assert send_text("Y").handled_as == Handling.CONFIRM_NONE  # type: ignore[union-attr]
    assert not confirmed(booking)


def test_another_clients_booking_is_never_confirmed(frozen: Any, sms_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        someone = ClientFactory(organization=sms_org, phone="+13125550155")
    theirs = booked(sms_org, someone, NOW + timedelta(hours=3))
    assert send_text("Y").handled_as == Handling.CONFIRM_NONE  # type: ignore[union-attr]
    assert not confirmed(theirs)


def test_another_business_booking_is_never_confirmed(frozen: Any, sms_org: Organization, texter: Any) -> None:
    other = OrganizationFactory(name="Other Gym", slug="other-gym", sms_number="+13125550188")
    with scope(organization=other):
        same_phone = ClientFactory(organization=other, phone=texter.phone)
    theirs = booked(other, same_phone, NOW + timedelta(hours=3))
    assert send_text("Y").handled_as == Handling.CONFIRM_NONE  # type: ignore[union-attr]  # to sms_org's number
    assert not confirmed(theirs)
    send_text("Y", to=other.sms_number)
    assert confirmed(theirs)


def test_when_clients_share_a_phone_the_one_with_the_booking_is_chosen(frozen: Any, sms_org: Organization,
                                                                       texter: Any) -> None:
    with scope(organization=sms_org):
        child = ClientFactory(organization=sms_org, first_name="Kid", phone=texter.phone)
    booking = booked(sms_org, child, NOW + timedelta(hours=20))
    message = send_text("Y")
    assert message is not None and (message.client, message.booking_id) == (child, booking.pk)
    [reply] = replies(sms_org)
    assert reply.client == child and "Kid" in reply.body
    other = send_text("See you then")
    assert other is not None and other.client == texter  # otherwise the lowest id


def test_y_with_nothing_to_confirm_gets_the_nothing_reply(frozen: Any, sms_org: Organization, texter: Any,
                                                          owner: Any) -> None:
    message = send_text("Y")
    assert message is not None and message.handled_as == Handling.CONFIRM_NONE and message.booking is None
    [reply] = replies(sms_org)
    assert reply.kind == "confirm_none_reply"
    with scopes_disabled():
        assert not Notification.objects.filter(kind="client_confirmed").exists()


def test_the_calendar_and_the_api_show_the_confirmation(frozen: Any, sms_org: Organization, texter: Any,
                                                        owner: Any, web: DjangoClient) -> None:
    booking = booked(sms_org, texter, NOW + timedelta(hours=20))
    with scopes_disabled():
        starts_at = Booking.objects.select_related("session").get(pk=booking.pk).session.starts_at
    params = {"start": (starts_at - timedelta(days=1)).isoformat(), "end": (starts_at + timedelta(days=1)).isoformat()}
    changes = reverse("calendar:changes", kwargs={"org_slug": sms_org.slug})
    events = reverse("calendar:events", kwargs={"org_slug": sms_org.slug})
    before = web.get(changes, params).json()["version"]
    api = f"/api/v1/bookings/{booking.pk}"
    headers = bearer(owner, sms_org)
    assert web.get(api, **headers).json()["confirmed"] is False
    frozen.shift(timedelta(seconds=3))
    send_text("Y")
    assert web.get(changes, params).json()["version"] != before
    [event] = web.get(events, params).json()
    assert event["extendedProps"]["confirmed"] is True
    body = web.get(api, **headers).json()
    assert body["confirmed"] is True
    assert body["confirmed_at"].startswith("2026-11-24T12:00:03")  # Chicago time, with its offset


# --- anything else is a message for the coach ---------------------------------------------------

def test_any_other_text_is_stored_and_shown_to_the_team(frozen: Any, sms_org: Organization, texter: Any,
                                                        owner: Any) -> None:
    message = send_text("Running 5 minutes late, sorry!")
    assert message is not None
    assert (message.handled_as, message.client, message.body) == (Handling.MESSAGE, texter,
                                                                   "Running 5 minutes late, sorry!")
    assert replies(sms_org) == []
    with scopes_disabled():
        notification = Notification.objects.get(user=owner, kind="client_message")
    assert "Tess Texter" in notification.title and "Running 5 minutes late" in notification.title


def test_a_text_from_an_unknown_number_is_kept_for_the_team(frozen: Any, sms_org: Organization,
                                                            owner: Any) -> None:
    message = send_text("Hi, do you have space on Saturday?", frm="+13125550133")
    assert message is not None and message.client is None and message.handled_as == Handling.MESSAGE
    with scopes_disabled():
        assert Notification.objects.filter(user=owner, kind="client_message").count() == 1


def test_no_numbers_or_bodies_in_the_logs(frozen: Any, sms_org: Organization, texter: Any, owner: Any,
                                          caplog: Any) -> None:
    caplog.set_level("DEBUG")
    booked(sms_org, texter, NOW + timedelta(hours=3))
    for body in ("Secret words here", "HELP", "Y", "STOP", "START"):
        send_text(body)
    logged = "".join(str(r.__dict__) for r in caplog.records)
    assert "inbound sms received" in logged
    for private in (texter.phone, sms_org.sms_number, "Secret words", "Tess"):
        assert private not in logged


def test_a_picture_without_text_still_reaches_the_team(frozen: Any, sms_org: Organization, texter: Any,
                                                       owner: Any) -> None:
    message = send_text("")
    assert message is not None and message.handled_as == Handling.MESSAGE
    with scopes_disabled():
        notification = Notification.objects.get(user=owner, kind="client_message")
    assert "picture" in notification.title
