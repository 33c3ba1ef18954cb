"""Booking events write the right messages, once, in the event's own transaction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from coachos.comms.models import Notification, OutboundMessage
from coachos.scheduling import services
from coachos.scheduling.models import Booking, RecurringBooking, TrainingSession, WaitlistEntry
from coachos.scheduling.services import CLIENT, COACH, SchedulingError
from coachos.tenancy.roles import Role

from ..factories import ClientFactory, CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory, member

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2025, 6, 2, 10, tzinfo=CHICAGO)  # Monday, June 2, 10:00 in Chicago
TUESDAY = date(2025, 6, 10)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def monday_morning(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def coach(sms_org: Any, owner: Any) -> Any:
    with scope(organization=sms_org):
        coach = CoachFactory(organization=sms_org, display_name="Jordan", min_notice_minutes=0)
        for weekday in range(7):
            WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(7), end_time=time(20),
                                      for_group=True)
    return coach


@pytest.fixture
def pt(sms_org: Any) -> Any:
    return SessionTypeFactory(organization=sms_org, name="Personal training", duration_minutes=60)


def book(org: Any, coach: Any, session_type: Any, client: Any, starts_at: datetime, *, mode: str = CLIENT,
         actor: Any = None) -> Booking:
    with scope(organization=org):
        return services.booking_create(coach=coach, session_type=session_type, client=client, starts_at=starts_at,
                                       actor=actor, mode=mode)


def outbox(org: Any, **filters: Any) -> list[tuple[str, str, str]]:
    with scope(organization=org):
        return sorted((m.kind, m.channel, m.dedupe_key or "") for m in OutboundMessage.objects.filter(**filters))


def bell(org: Any, **filters: Any) -> list[tuple[str, int]]:
    with scope(organization=org):
        return sorted((n.kind, n.user_id) for n in Notification.objects.filter(**filters))


# --- booking -------------------------------------------------------------------------------------

def test_a_client_booking_confirms_to_the_client_and_tells_the_coach_and_owners(sms_org, coach, pt, texter, owner):
    booking = book(sms_org, coach, pt, texter, at(TUESDAY, 17, 30))
    key = f"booking-confirmation:{booking.pk}"
    assert outbox(sms_org, client=texter) == [("booking_confirmation", "email", f"{key}:email"),
                                              ("booking_confirmation", "sms", f"{key}:sms")]
    assert bell(sms_org) == sorted([("client_booked", owner.pk), ("client_booked", coach.membership.user_id)])
    with scope(organization=sms_org):
        email = OutboundMessage.objects.get(client=texter, channel="email")
    assert email.related_type == "booking" and email.related_id == booking.pk  # the email attaches its .ics
    assert "Tuesday, June 10 at 5:30 PM" in email.subject


def test_a_booking_the_coach_makes_confirms_to_the_client_only(sms_org, coach, pt, texter, owner):
    book(sms_org, coach, pt, texter, at(TUESDAY, 9), mode=COACH, actor=owner)
    assert [k for k, _c, _d in outbox(sms_org)] == ["booking_confirmation", "booking_confirmation"]
    assert bell(sms_org) == []


def test_a_booking_that_fails_writes_no_message(sms_org, coach, pt, texter, monkeypatch):
    def explode(**kwargs: Any) -> None:
        raise RuntimeError("the team could not be told")

    monkeypatch.setattr("coachos.comms.listeners.notify.team", explode)
    with pytest.raises(RuntimeError):
        book(sms_org, coach, pt, texter, at(TUESDAY, 9))  # the client's confirmation was already written
    with scope(organization=sms_org):
        assert not Booking.objects.exists()
        assert not OutboundMessage.objects.exists()
        assert not Notification.objects.exists()


def test_a_taken_time_writes_no_message(sms_org, coach, pt, texter):
    book(sms_org, coach, pt, ClientFactory(organization=sms_org), at(TUESDAY, 9))
    before = outbox(sms_org)
    with pytest.raises(SchedulingError):
        book(sms_org, coach, pt, texter, at(TUESDAY, 9, 30))
    assert outbox(sms_org) == before


# --- cancelling ----------------------------------------------------------------------------------

def test_the_coach_cancelling_tells_the_client(sms_org, coach, pt, texter, owner):
    booking = book(sms_org, coach, pt, texter, at(TUESDAY, 9), mode=COACH, actor=owner)
    with scope(organization=sms_org):
        services.booking_cancel(booking=booking, actor=owner, by=COACH)
        with pytest.raises(SchedulingError):
            services.booking_cancel(booking=booking, actor=owner, by=COACH)
    key = f"cancellation:{booking.pk}"
    assert outbox(sms_org, kind="cancellation") == [("cancellation", "email", f"{key}:email"),
                                                    ("cancellation", "sms", f"{key}:sms")]
    assert bell(sms_org) == []


def test_the_client_cancelling_tells_the_team_not_the_client(sms_org, coach, pt, texter, owner):
    booking = book(sms_org, coach, pt, texter, at(TUESDAY, 9), mode=COACH, actor=owner)
    with scope(organization=sms_org):
        services.booking_cancel(booking=booking, actor=None, by=CLIENT)
    assert outbox(sms_org, kind="cancellation") == []
    assert bell(sms_org, kind="client_cancelled") == sorted([("client_cancelled", owner.pk),
                                                              ("client_cancelled", coach.membership.user_id)])


def test_a_cancelled_class_tells_each_attendee(sms_org, coach, owner):
    group = SessionTypeFactory(organization=sms_org, name="Bootcamp", capacity=6)
    clients = [ClientFactory(organization=sms_org, sms_consent=True) for _ in range(3)]
    bookings = [book(sms_org, coach, group, c, at(TUESDAY, 18), mode=COACH, actor=owner) for c in clients]
    with scope(organization=sms_org):
        services.session_cancel(session=bookings[0].session, actor=owner)
    assert outbox(sms_org, kind="cancellation") == sorted(
        ("cancellation", channel, f"cancellation:{b.pk}:{channel}") for b in bookings for channel in ("sms", "email"))


# --- moving --------------------------------------------------------------------------------------

def test_moving_a_session_tells_the_client_the_old_and_the_new_time(sms_org, coach, pt, texter, owner):
    booking = book(sms_org, coach, pt, texter, at(TUESDAY, 9), mode=COACH, actor=owner)
    with scope(organization=sms_org):
        services.session_move(session=booking.session, starts_at=at(TUESDAY, 17, 30), actor=owner)
        services.session_move(session=booking.session, starts_at=at(TUESDAY, 17, 30), actor=owner)  # no change
        sms = OutboundMessage.objects.get(kind="reschedule", channel="sms")
    assert outbox(sms_org, kind="reschedule") == [("reschedule", "email", ""), ("reschedule", "sms", "")]
    assert sms.body.startswith("Your Personal training moved from Tuesday, June 10 9:00 AM to Tuesday, June 10 at "
                               "5:30 PM")


def test_moving_a_place_in_a_class_sends_a_reschedule_not_a_new_confirmation(sms_org, coach, texter, owner):
    group = SessionTypeFactory(organization=sms_org, name="Bootcamp", capacity=6)
    booking = book(sms_org, coach, group, texter, at(TUESDAY, 18))
    book(sms_org, coach, group, ClientFactory(organization=sms_org), at(TUESDAY, 18))
    with scope(organization=sms_org):
        new = services.booking_reschedule(booking=booking, starts_at=at(TUESDAY, 19), actor=None, by=CLIENT)
        sms = OutboundMessage.objects.get(client=texter, kind="reschedule", channel="sms")
    assert sms.related_id == new.pk != booking.pk
    assert "from Tuesday, June 10 6:00 PM to Tuesday, June 10 at 7:00 PM" in sms.body
    assert [k for k, _c, _d in outbox(sms_org, client=texter)].count("booking_confirmation") == 2  # the first only


# --- waitlist, completion, recurring -------------------------------------------------------------

def test_a_freed_place_is_offered_to_the_next_on_the_waitlist(sms_org, coach, owner):
    group = SessionTypeFactory(organization=sms_org, name="Bootcamp", capacity=2)
    first = book(sms_org, coach, group, ClientFactory(organization=sms_org), at(TUESDAY, 18))
    book(sms_org, coach, group, ClientFactory(organization=sms_org), at(TUESDAY, 18))
    waiting = ClientFactory(organization=sms_org, phone="+13125550160", sms_consent=True)
    with scope(organization=sms_org):
        services.waitlist_join(session=first.session, client=waiting, actor=None)
        services.booking_cancel(booking=first, actor=None, by=CLIENT)
        entry = WaitlistEntry.objects.get(client=waiting)
        sms = OutboundMessage.objects.get(client=waiting, kind="waitlist_offer", channel="sms")
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert sms.dedupe_key == f"waitlist-offer:{entry.pk}:sms" and sms.expires_at == entry.offer_expires_at
    assert sms.body.startswith("A spot opened for Bootcamp on Tuesday, June 10 at 6:00 PM")
    assert "It's yours until Monday, June 2, 10:00 PM: http" in sms.body


def test_completing_a_session_sends_one_follow_up_two_hours_after_the_end(sms_org, coach, pt, texter, owner,
                                                                          time_machine):
    booking = book(sms_org, coach, pt, texter, at(date(2025, 6, 2), 11), mode=COACH, actor=owner)
    time_machine.move_to(at(date(2025, 6, 2), 12, 5), tick=False)
    with scope(organization=sms_org):
        services.session_complete(session=booking.session, actor=owner)
        services.session_complete(session=booking.session, actor=owner)
        rows = list(OutboundMessage.objects.filter(kind="follow_up"))
    assert sorted((m.channel, m.dedupe_key) for m in rows) == [("email", f"follow-up:{booking.pk}:email"),
                                                                ("sms", f"follow-up:{booking.pk}:sms")]
    assert {m.scheduled_for for m in rows} == {at(date(2025, 6, 2), 14)}


def test_a_session_completed_days_later_gets_no_follow_up(sms_org, coach, pt, texter, owner, time_machine):
    booking = book(sms_org, coach, pt, texter, at(date(2025, 6, 2), 11), mode=COACH, actor=owner)
    time_machine.move_to(at(date(2025, 6, 5), 9), tick=False)
    with scope(organization=sms_org):
        services.session_complete(session=booking.session, actor=owner)
    assert outbox(sms_org, kind="follow_up") == []


def test_a_recurring_booking_is_confirmed_once_not_per_occurrence(sms_org, coach, pt, texter, time_machine):
    user = member(sms_org, Role.CLIENT)
    with scope(organization=sms_org):
        texter.user = user
        texter.save()
        rb, result = services.recurring_create(coach=coach, client=texter, session_type=pt, weekday=1,
                                               start_time=time(9), start_date=TUESDAY, end_date=None, every_weeks=1,
                                               actor=user)
    assert len(result.created) >= 5
    first = min(result.created, key=lambda s: s.starts_at)
    with scope(organization=sms_org):
        booking = Booking.objects.get(session=first)
    assert outbox(sms_org, kind="booking_confirmation") == [
        ("booking_confirmation", "email", f"booking-confirmation:{booking.pk}:email"),
        ("booking_confirmation", "sms", f"booking-confirmation:{booking.pk}:sms")]
    assert [k for k, _u in bell(sms_org, kind="client_booked")] == ["client_booked", "client_booked"]
    time_machine.move_to(NOW + timedelta(days=14), tick=False)
    with scope(organization=sms_org):
        extended = services.recurring_extend_all(organization=sms_org)
        assert RecurringBooking.objects.get(pk=rb.pk).generated_until is not None
        assert TrainingSession.objects.filter(recurring_booking=rb).count() > len(result.created)
    assert extended["created"] >= 1
    assert len(outbox(sms_org, kind="booking_confirmation")) == 2  # still the one confirmation
