"""Booking services: client and coach modes, holds, cancellation windows, rescheduling,
completing, group classes with a waitlist, and conflicts after the weekly hours change."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django_scopes import scope

from coachos.scheduling import selectors
from coachos.scheduling.models import Booking, SlotHold, TrainingSession, WaitlistEntry
from coachos.scheduling.services import (
    CLIENT,
    COACH,
    SchedulingError,
    booking_cancel,
    booking_create,
    booking_reschedule,
    conflict_keep,
    hold_create,
    session_cancel,
    session_complete,
    session_create,
    session_no_show,
    waitlist_join,
    weekly_availability_replace,
)
from coachos.tenancy.models import AuditEntry

from ..factories import ClientFactory, CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2025, 6, 2)
NEXT_MONDAY = MONDAY + timedelta(days=7)


def local(org, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=org.tzinfo)


@pytest.fixture
def coach(org, time_machine):
    """Now is Monday 2 June 08:00; the coach works weekdays 09:00–17:00, 2 hours' notice."""
    time_machine.move_to(local(org, MONDAY, 8), tick=False)
    coach = CoachFactory(organization=org, min_notice_minutes=120, cancellation_window_hours=24)
    for weekday in range(5):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(9), end_time=time(17))
    return coach


@pytest.fixture
def pt(org):
    return SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)


def book(coach, session_type, starts_at, *, client=None, mode=CLIENT, **kwargs):
    client = client or ClientFactory(organization=coach.organization)
    with scope(organization=coach.organization):
        return booking_create(coach=coach, session_type=session_type, client=client, starts_at=starts_at, actor=None,
                              mode=mode, **kwargs)


def refused(code: str, fn, *args, **kwargs) -> SchedulingError:
    with pytest.raises(SchedulingError) as info:
        fn(*args, **kwargs)
    assert info.value.code == code, (info.value.code, str(info.value))
    return info.value


# --- booking_create -------------------------------------------------------------------------------

def test_a_client_books_an_open_slot(org, coach, pt):
    booking = book(coach, pt, local(org, NEXT_MONDAY, 10))
    session = booking.session
    assert booking.status == Booking.Status.CONFIRMED
    assert (session.starts_at, session.ends_at) == (local(org, NEXT_MONDAY, 10), local(org, NEXT_MONDAY, 11))
    assert session.capacity == 1 and session.status == TrainingSession.Status.SCHEDULED
    with scope(organization=org):
        assert AuditEntry.objects.filter(action="booking.created", object_id=str(booking.pk)).count() == 1


def test_a_client_cannot_book_outside_the_open_slots(org, coach, pt):
    refused("unavailable", book, coach, pt, local(org, NEXT_MONDAY, 18))  # after hours
    refused("unavailable", book, coach, pt, local(org, NEXT_MONDAY, 10, 10))  # not on the step
    refused("unavailable", book, coach, pt, local(org, MONDAY, 9))  # inside the 2 hours' notice
    refused("unavailable", book, coach, pt, local(org, NEXT_MONDAY + timedelta(days=5), 10))  # Saturday
    book(coach, pt, local(org, NEXT_MONDAY, 10))
    error = refused("taken", book, coach, pt, local(org, NEXT_MONDAY, 10, 30))
    assert "just taken" in str(error)
    with scope(organization=org):
        assert TrainingSession.objects.count() == 1


def test_the_coach_books_any_free_time_but_never_on_another_session(org, coach, pt):
    saturday = book(coach, pt, local(org, NEXT_MONDAY + timedelta(days=5), 7, 10), mode=COACH)
    soon = book(coach, pt, local(org, MONDAY, 9), mode=COACH)  # inside the notice: fine for the coach
    assert saturday.session.starts_at == local(org, NEXT_MONDAY + timedelta(days=5), 7, 10)
    assert soon.session.starts_at == local(org, MONDAY, 9)
    refused("taken", book, coach, pt, local(org, MONDAY, 9, 30), mode=COACH)
    book(coach, pt, local(org, MONDAY, 10), mode=COACH)  # back to back is fine


def test_online_booking_respects_the_session_type_and_the_coach(org, coach, pt):
    pt.bookable_online = False
    pt.save()
    refused("unavailable", book, coach, pt, local(org, NEXT_MONDAY, 10))
    assert book(coach, pt, local(org, NEXT_MONDAY, 10), mode=COACH).status == Booking.Status.CONFIRMED
    pt.bookable_online, pt.active = True, False
    pt.save()
    refused("invalid", book, coach, pt, local(org, NEXT_MONDAY, 12), mode=COACH)
    pt.active = True
    pt.save()
    coach.active = False
    coach.save()
    refused("unavailable", book, coach, pt, local(org, NEXT_MONDAY, 12))


def test_a_naive_time_is_refused(org, coach, pt):
    error = refused("invalid", book, coach, pt, datetime(2025, 6, 9, 10))
    assert "time zone" in str(error)


# --- holds ----------------------------------------------------------------------------------------

def test_a_hold_blocks_others_and_the_holder_books_it(org, coach, pt):
    ten = local(org, NEXT_MONDAY, 10)
    with scope(organization=org):
        hold = hold_create(coach=coach, session_type=pt, starts_at=ten)
        assert hold.expires_at == local(org, MONDAY, 8, 10)
        refused("held", hold_create, coach=coach, session_type=pt, starts_at=ten + timedelta(minutes=30))
    refused("held", book, coach, pt, ten)
    with scope(organization=org):
        starts = [s.start for s in selectors.slots_for(coach=coach, session_type=pt, first_day=NEXT_MONDAY,
                                                         last_day=NEXT_MONDAY)]
        assert ten not in starts and ten - timedelta(hours=1) in starts
    booking = book(coach, pt, ten, hold=hold)
    assert booking.session.starts_at == ten
    with scope(organization=org):
        assert not SlotHold.objects.exists()


def test_an_expired_hold_frees_the_time(org, coach, pt, time_machine):
    ten = local(org, NEXT_MONDAY, 10)
    with scope(organization=org):
        hold = hold_create(coach=coach, session_type=pt, starts_at=ten)
    time_machine.move_to(local(org, MONDAY, 8, 10), tick=False)  # exactly 10 minutes later
    other = book(coach, pt, ten)
    assert other.session.starts_at == ten
    # The late holder is told the hold expired, and nothing is booked twice.
    error = refused("unavailable", book, coach, pt, ten, hold=hold)
    assert "expired" in str(error)
    with scope(organization=org):
        assert TrainingSession.objects.count() == 1


# --- cancelling -----------------------------------------------------------------------------------

def test_a_client_cancels_outside_the_window(org, coach, pt):
    booking = book(coach, pt, local(org, NEXT_MONDAY, 10))
    with scope(organization=org):
        cancelled = booking_cancel(booking=booking, actor=None, by=CLIENT, reason="Travel")
        session = TrainingSession.objects.get(pk=booking.session_id)
    assert cancelled.status == Booking.Status.CANCELLED_BY_CLIENT
    assert cancelled.late_cancellation is False
    assert session.status == TrainingSession.Status.CANCELLED
    # The time is open again.
    assert book(coach, pt, local(org, NEXT_MONDAY, 10)).session_id != session.pk
    with scope(organization=org):
        refused("invalid", booking_cancel, booking=booking, actor=None, by=CLIENT)  # already cancelled


def test_inside_the_window_a_client_is_refused_unless_late_cancellation_is_allowed(org, coach, pt, time_machine):
    booking = book(coach, pt, local(org, NEXT_MONDAY, 10))
    time_machine.move_to(local(org, NEXT_MONDAY, 10) - timedelta(hours=23), tick=False)
    with scope(organization=org):
        error = refused("too_late", booking_cancel, booking=booking, actor=None, by=CLIENT)
        assert "24 hours" in str(error)
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
        org.late_cancellation_allowed = True
        org.save()
        cancelled = booking_cancel(booking=booking, actor=None, by=CLIENT)
    assert cancelled.status == Booking.Status.CANCELLED_BY_CLIENT
    assert cancelled.late_cancellation is True


def test_exactly_at_the_window_edge_a_client_may_still_cancel(org, coach, pt, time_machine):
    booking = book(coach, pt, local(org, NEXT_MONDAY, 10))
    time_machine.move_to(local(org, NEXT_MONDAY, 10) - timedelta(hours=24), tick=False)
    with scope(organization=org):
        assert booking_cancel(booking=booking, actor=None, by=CLIENT).late_cancellation is False


def test_the_coach_may_cancel_inside_the_window_and_it_is_not_late(org, coach, pt, time_machine):
    booking = book(coach, pt, local(org, NEXT_MONDAY, 10))
    time_machine.move_to(local(org, NEXT_MONDAY, 9), tick=False)
    with scope(organization=org):
        cancelled = booking_cancel(booking=booking, actor=None, by=COACH)
    assert (cancelled.status, cancelled.late_cancellation) == (Booking.Status.CANCELLED_BY_COACH, False)
    time_machine.move_to(local(org, NEXT_MONDAY, 11), tick=False)
    other = book(coach, pt, local(org, NEXT_MONDAY, 12), mode=COACH)
    time_machine.move_to(local(org, NEXT_MONDAY, 12, 1), tick=False)
    with scope(organization=org):
        refused("invalid", booking_cancel, booking=other, actor=None, by=COACH)  # it has started


# --- rescheduling ---------------------------------------------------------------------------------

def test_a_client_reschedules_to_an_open_slot(org, coach, pt):
    booking = book(coach, pt, local(org, NEXT_MONDAY, 10))
    session_id = booking.session_id
    book(coach, pt, local(org, NEXT_MONDAY, 14))  # someone else at 14:00
    with scope(organization=org):
        refused("taken", booking_reschedule, booking=booking, starts_at=local(org, NEXT_MONDAY, 14, 30), actor=None,
                by=CLIENT)
        refused("unavailable", booking_reschedule, booking=booking, starts_at=local(org, NEXT_MONDAY, 17), actor=None,
                by=CLIENT)
        moved = booking_reschedule(booking=booking, starts_at=local(org, NEXT_MONDAY, 10, 30), actor=None, by=CLIENT)
        session = TrainingSession.objects.get(pk=session_id)
    # A session may move over its own old time; the booking keeps its session.
    assert moved.pk == booking.pk and moved.session_id == session_id
    assert (session.starts_at, session.ends_at) == (local(org, NEXT_MONDAY, 10, 30), local(org, NEXT_MONDAY, 11, 30))
    with scope(organization=org):
        assert AuditEntry.objects.filter(action="session.moved", object_id=str(session_id)).count() == 1


def test_a_client_cannot_reschedule_inside_the_window_the_coach_can(org, coach, pt, time_machine):
    booking = book(coach, pt, local(org, NEXT_MONDAY, 10))
    time_machine.move_to(local(org, NEXT_MONDAY, 8), tick=False)
    with scope(organization=org):
        refused("too_late", booking_reschedule, booking=booking, starts_at=local(org, NEXT_MONDAY, 15), actor=None,
                by=CLIENT)
        # The coach moves it, even outside the weekly hours.
        booking_reschedule(booking=booking, starts_at=local(org, NEXT_MONDAY, 18), actor=None, by=COACH)
        assert TrainingSession.objects.get(pk=booking.session_id).starts_at == local(org, NEXT_MONDAY, 18)


# --- completing -----------------------------------------------------------------------------------

def test_complete_and_no_show_twice_is_once(org, coach, pt, time_machine):
    first = book(coach, pt, local(org, NEXT_MONDAY, 10))
    second = book(coach, pt, local(org, NEXT_MONDAY, 12))
    with scope(organization=org):
        refused("invalid", session_complete, session=first.session, actor=None)  # in the future
    time_machine.move_to(local(org, NEXT_MONDAY, 13, 30), tick=False)
    with scope(organization=org):
        for _ in range(2):
            session_complete(session=first.session, actor=None)
            session_no_show(session=second.session, actor=None)
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.session.status, first.status) == ("completed", Booking.Status.COMPLETED)
        assert first.session.completed_at == local(org, NEXT_MONDAY, 13, 30)
        assert (second.session.status, second.status) == ("no_show", Booking.Status.NO_SHOW)
        assert AuditEntry.objects.filter(action="session.completed").count() == 1
        assert AuditEntry.objects.filter(action="session.no_show").count() == 1
        # A coach may correct a no-show to completed (once).
        session_complete(session=second.session, actor=None)
        second.refresh_from_db()
        assert second.status == Booking.Status.COMPLETED


def test_a_session_can_be_marked_once_it_has_started_not_before(org, coach, pt, time_machine):
    booking = book(coach, pt, local(org, NEXT_MONDAY, 10))
    time_machine.move_to(local(org, NEXT_MONDAY, 9, 59), tick=False)
    with scope(organization=org):
        error = refused("invalid", session_no_show, session=booking.session, actor=None)
        assert "started" in str(error)
    time_machine.move_to(local(org, NEXT_MONDAY, 10), tick=False)
    with scope(organization=org):
        assert session_no_show(session=booking.session, actor=None).status == "no_show"


def test_a_cancelled_session_cannot_be_marked(org, coach, pt, time_machine):
    booking = book(coach, pt, local(org, NEXT_MONDAY, 10))
    with scope(organization=org):
        session_cancel(session=booking.session, actor=None)
    time_machine.move_to(local(org, NEXT_MONDAY, 12), tick=False)
    with scope(organization=org):
        refused("invalid", session_complete, session=booking.session, actor=None)
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CANCELLED_BY_COACH


# --- group classes --------------------------------------------------------------------------------

def test_group_capacity_and_the_waitlist_offer_on_cancel(org, coach):
    group = SessionTypeFactory(organization=org, name="Small group", capacity=2, duration_minutes=60)
    six = local(org, NEXT_MONDAY, 18)
    with scope(organization=org):
        session = session_create(coach=coach, session_type=group, starts_at=six, actor=None)
    assert session.capacity == 2
    a, b, c, d = (ClientFactory(organization=org) for _ in range(4))
    first = book(coach, group, six, client=a)
    refused("duplicate", book, coach, group, six, client=a, mode=COACH)
    second = book(coach, group, six, client=b)
    assert first.session_id == second.session_id == session.pk  # joining, not a new session
    refused("full", book, coach, group, six, client=c)
    with scope(organization=org):
        waitlist_join(session=session, client=c, actor=None)
        waitlist_join(session=session, client=d, actor=None)
        booking_cancel(booking=first, actor=None, by=CLIENT)
        session.refresh_from_db()
        assert session.status == TrainingSession.Status.SCHEDULED  # a class stays on with one left
        entries = {e.client_id: e for e in WaitlistEntry.objects.filter(session=session)}
    assert entries[c.pk].status == WaitlistEntry.Status.OFFERED
    assert entries[d.pk].status == WaitlistEntry.Status.WAITING
    # The freed place is kept for the person offered it.
    refused("full", book, coach, group, six, client=d)
    booking = book(coach, group, six, client=c)
    assert booking.session_id == session.pk
    with scope(organization=org):
        assert WaitlistEntry.objects.get(pk=entries[c.pk].pk).status == WaitlistEntry.Status.BOOKED
        assert Booking.objects.filter(session=session, status__in=Booking.ACTIVE).count() == 2


def test_a_group_class_created_by_a_client_booking(org, coach):
    WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(17), end_time=time(20), for_individual=False,
                              for_group=True)
    group = SessionTypeFactory(organization=org, name="Small group", capacity=3, duration_minutes=60)
    six = local(org, NEXT_MONDAY, 18)
    first = book(coach, group, six)
    joined = [book(coach, group, six) for _ in range(2)]
    assert {b.session_id for b in joined} == {first.session_id}
    assert first.session.capacity == 3
    refused("full", book, coach, group, six)
    # A one-to-one cannot use the group range.
    with scope(organization=org):
        pt = SessionTypeFactory(organization=org, duration_minutes=60)
    refused("unavailable", book, coach, pt, local(org, NEXT_MONDAY, 19))


# --- conflicts ------------------------------------------------------------------------------------

def test_conflicts_after_the_weekly_hours_change(org, coach, pt, time_machine):
    monday = book(coach, pt, local(org, NEXT_MONDAY, 10))
    wednesday = book(coach, pt, local(org, NEXT_MONDAY + timedelta(days=2), 10))
    friday = book(coach, pt, local(org, NEXT_MONDAY + timedelta(days=4), 16))
    past = book(coach, pt, local(org, MONDAY, 15))
    with scope(organization=org):
        assert selectors.conflicts_for(coach=coach) == []
        weekly_availability_replace(coach=coach, actor=None, ranges=[
            {"weekday": 0, "start_time": time(9), "end_time": time(12)},
            {"weekday": 4, "start_time": time(9), "end_time": time(16, 30)},
        ])
        time_machine.move_to(local(org, MONDAY, 16), tick=False)
        conflicts = selectors.conflicts_for(coach=coach)
        # Wednesday has no hours now; Friday 16:00–17:00 runs past 16:30; the past is left alone.
        assert [s.pk for s in conflicts] == [wednesday.session_id, friday.session_id]
        assert past.session_id not in [s.pk for s in conflicts]
        assert monday.session_id not in [s.pk for s in conflicts]
        conflict_keep(session=conflicts[0], actor=None)
        assert [s.pk for s in selectors.conflicts_for(coach=coach)] == [friday.session_id]
        # Sessions that are not scheduled any more are no conflict.
        session_cancel(session=conflicts[1], actor=None)
        assert selectors.conflicts_for(coach=coach) == []


def test_weekly_availability_replace_refuses_overlapping_ranges(org, coach):
    with scope(organization=org):
        refused("invalid", weekly_availability_replace, coach=coach, actor=None, ranges=[
            {"weekday": 0, "start_time": time(9), "end_time": time(12)},
            {"weekday": 0, "start_time": time(11), "end_time": time(13)},
        ])
        refused("invalid", weekly_availability_replace, coach=coach, actor=None, ranges=[
            {"weekday": 0, "start_time": time(12), "end_time": time(9)},
        ])
        assert len(selectors.weekly_ranges(coach)) == 5  # unchanged
