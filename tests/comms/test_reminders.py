"""Reminders 24 h and 2 h before a session: windows, late bookings, cancellations, quiet hours,
rescheduling. Time is moved with time-machine; the job is run as the beat would run it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from coachos.comms import reminders, sender
from coachos.comms.models import MessageTemplate, Notification, OutboundMessage
from coachos.scheduling.models import Booking
from coachos.scheduling.services import CLIENT, booking_cancel, session_move
from coachos.tenancy.roles import Role

from ..factories import BookingFactory, ClientFactory, CoachFactory, TrainingSessionFactory, member

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
Status = OutboundMessage.Status


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """June 2025 in Chicago: Monday 2, Tuesday 3, Wednesday 4, Thursday 5, Friday 6."""
    return datetime(2025, 6, day, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def coach(sms_org: Any) -> Any:
    with scope(organization=sms_org):
        return CoachFactory(organization=sms_org, display_name="Jordan")


@pytest.fixture
def book(sms_org: Any, coach: Any, texter: Any, time_machine: Any) -> Any:
    """Book ``texter`` into a session starting at ``starts_at``, the booking made at ``made_at``."""
    def make(starts_at: datetime, made_at: datetime, client: Any = None) -> Booking:
        time_machine.move_to(made_at, tick=False)
        with scope(organization=sms_org):
            session = TrainingSessionFactory(coach=coach, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
            return BookingFactory(session=session, client=client or texter)
    return make


def run(time_machine: Any, now: datetime) -> dict[str, int]:
    time_machine.move_to(now, tick=False)
    return reminders.reminders_send()


def written(org: Any, booking: Booking | None = None) -> list[tuple[str, str, str]]:
    with scope(organization=org):
        qs = OutboundMessage.objects.filter(kind__startswith="reminder")
        if booking is not None:
            qs = qs.filter(related_id=booking.pk)
        return sorted((m.kind, m.channel, m.status) for m in qs)


def test_the_24h_and_2h_reminders_each_go_once_in_their_window(sms_org, book, time_machine):
    booking = book(at(5, 17), made_at=at(2, 10))
    assert run(time_machine, at(4, 16, 59))["reminder_24h"] == 0
    assert run(time_machine, at(4, 17))["reminder_24h"] == 1
    assert run(time_machine, at(4, 17, 5))["reminder_24h"] == 0  # the next tick: nothing twice
    assert written(sms_org) == [("reminder_24h", "email", Status.QUEUED), ("reminder_24h", "sms", Status.QUEUED)]
    with scope(organization=sms_org):
        keys = set(OutboundMessage.objects.values_list("dedupe_key", flat=True))
        sms = OutboundMessage.objects.get(channel="sms")
    assert keys == {f"reminder-24h:{booking.pk}:sms", f"reminder-24h:{booking.pk}:email"}
    assert sms.body.startswith("Reminder: Personal training with Jordan tomorrow, Thursday, June 5 at 5:00 PM")
    assert sms.body.endswith("Reply Y to confirm. Northside Strength")
    assert sms.related_type == "booking" and sms.related_id == booking.pk and sms.expires_at == at(5, 17)

    assert run(time_machine, at(5, 14, 59))["reminder_2h"] == 0
    assert run(time_machine, at(5, 15))["reminder_2h"] == 1
    assert run(time_machine, at(5, 16))["reminder_2h"] == 0
    assert run(time_machine, at(5, 17, 1)) == {"reminder_24h": 0, "reminder_2h": 0, "businesses": 0}
    assert [k for k, _c, _s in written(sms_org)].count("reminder_2h") == 2  # sms + email, once


def test_a_booking_made_less_than_a_day_ahead_gets_only_the_2h_reminder(sms_org, book, time_machine):
    late = book(at(5, 17), made_at=at(4, 20))
    very_late = book(at(5, 18), made_at=at(5, 16, 30), client=ClientFactory(organization=sms_org))
    for now in (at(4, 20, 5), at(4, 21), at(5, 8), at(5, 15), at(5, 16), at(5, 16, 35), at(5, 17, 30)):
        run(time_machine, now)
    assert {k for k, _c, _s in written(sms_org, late)} == {"reminder_2h"}
    assert written(sms_org, very_late) == []  # booked 1.5 hours ahead: no reminder at all


def test_a_cancelled_booking_gets_no_reminder(sms_org, book, time_machine):
    booking = book(at(5, 17), made_at=at(2, 10))
    time_machine.move_to(at(3, 9), tick=False)
    with scope(organization=sms_org):
        booking_cancel(booking=booking, actor=None, by=CLIENT)
    for now in (at(4, 17), at(5, 15)):
        run(time_machine, now)
    assert written(sms_org) == []


def test_the_job_finds_due_bookings_in_one_query(sms_org, coach, book, time_machine):
    for hour in (9, 10, 11):
        book(at(5, hour), made_at=at(2, 10), client=ClientFactory(organization=sms_org))
    time_machine.move_to(at(4, 11), tick=False)
    with CaptureQueriesContext(connection) as ctx:
        with scope(organization=sms_org):
            due = list(reminders.due_bookings(now=at(4, 11)))
    assert len(due) == 3 and len(ctx.captured_queries) == 1


def test_a_business_that_switched_a_reminder_off_sends_none_and_says_why(sms_org, book, time_machine):
    booking = book(at(5, 17), made_at=at(2, 10))
    with scope(organization=sms_org):
        for channel in ("sms", "email"):
            MessageTemplate.objects.create(organization=sms_org, kind="reminder_24h", channel=channel, body="x",
                                           enabled=False)
    run(time_machine, at(4, 17))
    run(time_machine, at(4, 17, 5))
    with scope(organization=sms_org):
        rows = list(OutboundMessage.objects.filter(related_id=booking.pk))
    assert [(m.kind, m.status) for m in rows] == [("reminder_24h", Status.SUPPRESSED)]
    assert "switched off" in rows[0].last_error


# --- quiet hours (the business's default: 21:00–08:00 in Chicago) ----------------------------

def test_a_24h_reminder_due_at_7_is_held_until_8_then_sent(sms_org, book, time_machine, sms_sent):
    book(at(6, 7), made_at=at(2, 10))
    run(time_machine, at(5, 7))
    with scope(organization=sms_org):
        sms = OutboundMessage.objects.get(channel="sms")
    assert (sms.status, sms.scheduled_for) == (Status.DEFERRED, at(5, 8))
    time_machine.move_to(at(5, 7, 30), tick=False)
    sender.send_due()
    assert sms_sent == []
    time_machine.move_to(at(5, 8), tick=False)
    sender.send_due()
    sms.refresh_from_db()
    assert sms.status == Status.SENT
    assert [s.to for s in sms_sent] == ["+13125550142"]


def test_a_2h_reminder_due_inside_quiet_hours_is_deferred_to_their_end(sms_org, book, time_machine):
    book(at(6, 8, 30), made_at=at(2, 10))
    run(time_machine, at(6, 6, 30))
    assert written(sms_org) == [("reminder_2h", "email", Status.DEFERRED), ("reminder_2h", "sms", Status.DEFERRED)]
    with scope(organization=sms_org):
        assert set(OutboundMessage.objects.values_list("scheduled_for", flat=True)) == {at(6, 8)}


def test_a_2h_reminder_that_quiet_hours_would_push_past_the_start_is_suppressed(sms_org, book, time_machine):
    book(at(6, 7, 30), made_at=at(2, 10))
    run(time_machine, at(6, 5, 30))
    assert written(sms_org) == [("reminder_2h", "email", Status.SUPPRESSED),
                                ("reminder_2h", "sms", Status.SUPPRESSED)]
    with scope(organization=sms_org):
        reasons = set(OutboundMessage.objects.values_list("last_error", flat=True))
    assert len(reasons) == 1 and "session would have started" in reasons.pop()
    run(time_machine, at(6, 6))
    assert len(written(sms_org)) == 2  # and it is not tried again


# --- rescheduling -------------------------------------------------------------------------------

def test_a_move_replaces_a_reminder_not_yet_sent_with_one_for_the_new_time(sms_org, book, owner, time_machine):
    booking = book(at(6, 7, 30), made_at=at(2, 10))
    run(time_machine, at(5, 7, 30))  # due inside quiet hours: held until 08:00
    assert {s for _k, _c, s in written(sms_org)} == {Status.DEFERRED}
    time_machine.move_to(at(5, 7, 40), tick=False)
    with scope(organization=sms_org):
        session_move(session=booking.session, starts_at=at(6, 10), actor=owner)
        old = list(OutboundMessage.objects.filter(kind="reminder_24h"))
    assert {m.status for m in old} == {Status.SUPPRESSED}
    assert all("session moved" in m.last_error and ":moved:" in (m.dedupe_key or "") for m in old)

    run(time_machine, at(5, 8))  # the new time's window (Thursday 10:00) has not begun
    with scope(organization=sms_org):
        assert OutboundMessage.objects.filter(kind="reminder_24h").count() == 2
    run(time_machine, at(5, 10))
    with scope(organization=sms_org):
        new = OutboundMessage.objects.get(kind="reminder_24h", dedupe_key=f"reminder-24h:{booking.pk}:sms")
        moved = OutboundMessage.objects.get(kind="reschedule", channel="sms")
    assert new.status == Status.QUEUED and "Friday, June 6 at 10:00 AM" in new.body
    assert "7:30 AM" in moved.body and "10:00 AM" in moved.body


def test_a_session_moved_a_week_later_is_reminded_again(sms_org, book, owner, time_machine):
    booking = book(at(5, 17), made_at=at(2, 10))
    run(time_machine, at(4, 17))
    sender.send_due()  # sent for Thursday
    time_machine.move_to(at(4, 18), tick=False)
    with scope(organization=sms_org):
        session_move(session=booking.session, starts_at=at(12, 17), actor=owner)
    run(time_machine, at(11, 17))
    with scope(organization=sms_org):
        current = OutboundMessage.objects.get(dedupe_key=f"reminder-24h:{booking.pk}:sms")
        assert OutboundMessage.objects.filter(kind="reminder_24h", channel="sms").count() == 2
    assert "Thursday, June 12" in current.body


def test_a_move_after_the_reminder_went_out_does_not_remind_twice(sms_org, book, owner, time_machine):
    client = ClientFactory(organization=sms_org, phone="+13125550177", sms_consent=True,
                           user=member(sms_org, Role.CLIENT))
    booking = book(at(5, 17), made_at=at(2, 10), client=client)
    run(time_machine, at(4, 17))
    sender.send_due()
    time_machine.move_to(at(4, 18), tick=False)
    with scope(organization=sms_org):
        session_move(session=booking.session, starts_at=at(5, 9), actor=owner)  # earlier: window already open
    run(time_machine, at(4, 18, 5))
    with scope(organization=sms_org):
        assert OutboundMessage.objects.filter(kind="reminder_24h", channel="sms").count() == 1
        assert Notification.objects.filter(kind="reminder_24h").count() == 1
        assert OutboundMessage.objects.filter(kind="reschedule", channel="sms").count() == 1
