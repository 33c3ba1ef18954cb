"""The scheduling demo data (runs on PostgreSQL and SQLite: the smoke marker)."""

from __future__ import annotations

from collections import Counter
from datetime import time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.scheduling import selectors
from coachos.scheduling.models import (
    AvailabilityAddition,
    BlockedSlot,
    Booking,
    Coach,
    RecurringBooking,
    Room,
    SessionType,
    SlotHold,
    TrainingSession,
    WaitlistEntry,
    WeeklyAvailability,
)
from coachos.tenancy.models import AuditEntry, Organization

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]

MODELS = [SessionType, Room, WeeklyAvailability, BlockedSlot, AvailabilityAddition, RecurringBooking, TrainingSession,
          Booking, SlotHold, WaitlistEntry, AuditEntry]


def counts() -> dict[str, int]:
    with scopes_disabled():
        return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo() -> Organization:
    call_command("seed_demo")
    with scopes_disabled():
        return Organization.objects.get(slug="northside")


def coach(org: Organization, email: str) -> Coach:
    return Coach.objects.select_related("organization").get(membership__user__email=email)


def test_seeding_twice_creates_nothing_twice(demo):
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    assert first["TrainingSession"] > 300


def test_session_types_and_rooms(demo):
    with scope(organization=demo):
        types = {t.name: (t.duration_minutes, t.price_minor, t.capacity) for t in SessionType.objects.all()}
        rooms = {r.name: r.capacity for r in Room.objects.all()}
    assert types == {"Personal training": (60, 8500, 1), "Intro session": (30, 0, 1),
                     "Small group strength": (60, 2500, 6), "Mobility": (45, 6500, 1),
                     # paid at booking (billing's demo): by card, and by credit or card with a deposit
                     "Drop-in session": (60, 8500, 1), "Coached session": (60, 8500, 1)}
    assert rooms == {"Studio A": 1, "Open floor": 3}


def test_weekly_hours_of_both_coaches(demo):
    with scope(organization=demo):
        maya, jordan = coach(demo, "owner@northside.example"), coach(demo, "coach@northside.example")
        hours = {
            c.pk: sorted((w.weekday, w.start_time, w.end_time, w.for_individual, w.for_group)
                         for w in WeeklyAvailability.objects.filter(coach=c))
            for c in (maya, jordan)
        }
    assert hours[maya.pk] == [(0, time(6), time(12), True, False), (1, time(16), time(20), True, False),
                              (2, time(6), time(12), True, False), (3, time(16), time(20), True, False),
                              (4, time(6), time(12), True, False)]
    weekdays = [(d, time(12), time(19), True, False) for d in range(5)]
    assert hours[jordan.pk] == [*weekdays, (5, time(8), time(9), True, False), (5, time(9), time(10), False, True),
                                (5, time(10), time(12), True, False)]


def test_sessions_past_and_future_are_realistic(demo):
    now = timezone.now()
    with scope(organization=demo):
        sessions = list(TrainingSession.objects.select_related("session_type"))
        past = [s for s in sessions if s.ends_at <= now]
        future = [s for s in sessions if s.starts_at >= now]
        statuses = Counter(s.status for s in past)
        assert min(s.starts_at for s in sessions) >= now - timedelta(weeks=8, days=1)
        assert max(s.starts_at for s in sessions) <= now + timedelta(weeks=6, days=1)
        # Mostly completed, some no-shows, a few cancellations; nothing left open in the past.
        assert statuses["completed"] > 0.7 * len(past)
        assert 0 < statuses["no_show"] < 0.15 * len(past)
        assert 0 < statuses["cancelled"] < 0.15 * len(past)
        assert statuses["scheduled"] == 0
        assert len(future) > 60 and all(s.status in ("scheduled", "cancelled") for s in future)
        # Every session has its people, and no coach is ever in two places at once.
        for s in sessions:
            assert s.bookings.exists(), s.pk
        for coach_id in {s.coach_id for s in sessions}:
            mine = sorted((s for s in sessions if s.coach_id == coach_id and s.status != "cancelled"),
                          key=lambda s: s.starts_at)
            assert all(a.ends_at <= b.starts_at for a, b in zip(mine, mine[1:], strict=False))
        # Every upcoming session fits its coach's hours (the Conflicts page is empty).
        coaches = list(Coach.objects.select_related("organization"))
        assert len(coaches) >= 2
        for c in coaches:
            assert selectors.conflicts_for(coach=c) == []


def test_time_off_recurring_clients_and_the_group_class(demo):
    now = timezone.now()
    with scope(organization=demo):
        jordan = coach(demo, "coach@northside.example")
        maya = coach(demo, "owner@northside.example")
        holiday = BlockedSlot.objects.get(coach=jordan, reason="Vacation")
        assert holiday.ends_at - holiday.starts_at >= timedelta(days=6, hours=23)
        assert holiday.starts_at.astimezone(demo.tzinfo).month != now.astimezone(demo.tzinfo).month
        dentist = BlockedSlot.objects.get(coach=maya, reason="Dentist")
        assert dentist.starts_at > now
        for blocked in (holiday, dentist):
            assert not TrainingSession.objects.filter(coach=blocked.coach, starts_at__lt=blocked.ends_at,
                                                      ends_at__gt=blocked.starts_at).exclude(status="cancelled").exists()
        recurring = list(RecurringBooking.objects.all())
        assert len(recurring) >= 3
        assert {rb.every_weeks for rb in recurring} == {1, 2}
        for rb in recurring:
            upcoming = TrainingSession.objects.filter(recurring_booking=rb, starts_at__gt=now)
            assert upcoming.exists(), rb.pk
            assert {s.starts_at.astimezone(demo.tzinfo).time() for s in upcoming} == {rb.start_time}
        classes = list(TrainingSession.objects.filter(session_type__capacity__gt=1).order_by("starts_at"))
        assert len(classes) >= 10
        assert {c.starts_at.astimezone(demo.tzinfo).strftime("%a %H:%M") for c in classes} == {"Sat 09:00"}
        assert all(c.room and c.room.name == "Open floor" for c in classes)
        taken = [c.bookings.filter(status__in=Booking.ACTIVE).count() for c in classes]
        assert min(taken) >= 2 and max(taken) <= 6
