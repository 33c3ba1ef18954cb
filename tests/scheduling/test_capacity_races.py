"""Places that run out under real concurrency (PostgreSQL, real threads, their own connections):
a group class of N places joined by N + 1 clients at once, and one room booked by several coaches
at once. Exact counts: nobody is over-booked, and the one turned away is told why."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from coachos.scheduling.models import Booking, Room, TrainingSession, WaitlistEntry
from coachos.scheduling.services import SchedulingError, booking_create, session_create, waitlist_join

from ..concurrency import run_concurrently
from ..factories import ClientFactory, CoachFactory, RoomFactory, SessionTypeFactory, WeeklyAvailabilityFactory

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("concurrency"), pytest.mark.django_db(transaction=True)]

PLACES = 5
FULL = "This class is full. You can join the waitlist."


def _monday_10_next_week(org) -> datetime:
    today = timezone.now().astimezone(org.tzinfo).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(10), tzinfo=org.tzinfo)


@pytest.fixture
def group_class(org):
    coach = CoachFactory(organization=org, min_notice_minutes=0)
    WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(8), end_time=time(18), for_group=True)
    class_type = SessionTypeFactory(organization=org, name="Bootcamp", capacity=PLACES, duration_minutes=45)
    clients = [ClientFactory(organization=org) for _ in range(PLACES + 1)]
    return coach, class_type, clients, _monday_10_next_week(org)


@pytest.mark.parametrize("scheduled_first", [True, False], ids=["class-on-the-calendar", "first-joiner-opens-it"])
def test_n_plus_one_clients_join_a_class_of_n_places_at_once(org, group_class, scheduled_first):
    coach, class_type, clients, start = group_class
    if scheduled_first:
        with scope(organization=org):
            session_create(coach=coach, session_type=class_type, starts_at=start, actor=None)

    def join(i: int) -> int:
        with scope(organization=org):
            return booking_create(coach=coach, session_type=class_type, client=clients[i], starts_at=start,
                                  actor=None).pk

    results = run_concurrently(join, PLACES + 1, timeout=60, expected=(SchedulingError,))

    assert len(results.values) == PLACES
    [refused] = results.errors
    assert isinstance(refused, SchedulingError)
    assert (refused.code, str(refused)) == ("full", FULL)
    with scope(organization=org):
        [session] = TrainingSession.objects.filter(coach=coach)
        booked = Booking.objects.filter(session=session, status__in=Booking.ACTIVE)
        assert booked.count() == PLACES == session.capacity
        assert sorted(booked.values_list("pk", flat=True)) == sorted(results.values)
        # The one turned away is the one client without a booking, and the waitlist takes them.
        [left_out] = [c for c in clients if not booked.filter(client=c).exists()]
        entry = waitlist_join(session=session, client=left_out, actor=None)
        assert WaitlistEntry.objects.get(pk=entry.pk).status == WaitlistEntry.Status.WAITING


@pytest.mark.parametrize("room_capacity", [1, 2])
def test_coaches_booking_one_room_at_once_never_overfill_it(org, room_capacity):
    room = RoomFactory(organization=org, name="Studio A", capacity=room_capacity)
    coaches = [CoachFactory(organization=org) for _ in range(room_capacity + 1)]
    session_type = SessionTypeFactory(organization=org, duration_minutes=60)
    clients = [ClientFactory(organization=org) for _ in coaches]
    start = _monday_10_next_week(org)

    def book(i: int) -> int:
        # Each coach on their own calendar (free of course), all in the same room; the later
        # ones overlap the first by half an hour.
        with scope(organization=org):
            return booking_create(coach=coaches[i], session_type=session_type, client=clients[i],
                                  starts_at=start + timedelta(minutes=30 * (i > 0)), actor=None,
                                  mode="coach", room=room).pk

    results = run_concurrently(book, len(coaches), timeout=60, expected=(SchedulingError,))

    assert len(results.values) == room_capacity
    [refused] = results.errors
    assert isinstance(refused, SchedulingError)
    assert (refused.code, str(refused)) == ("taken", "Studio A is taken at that time.")
    with scope(organization=org):
        in_room = TrainingSession.objects.filter(room=room, status__in=TrainingSession.ACTIVE)
        assert in_room.count() == room_capacity
        assert Room.objects.get(pk=room.pk).capacity == room_capacity
        assert Booking.objects.filter(session__room=room).count() == room_capacity
