"""Double booking is impossible, in the database and under real concurrency (PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django_scopes import scope

from coachos.scheduling.models import TrainingSession
from coachos.scheduling.services import SchedulingError, booking_create

from ..concurrency import run_concurrently
from ..factories import (
    ClientFactory,
    CoachFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("concurrency")]


def _monday_10_next_week(org) -> datetime:
    from django.utils import timezone

    today = timezone.now().astimezone(org.tzinfo).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(10), tzinfo=org.tzinfo)


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_overlapping_bookings_one_wins(org):
    coach = CoachFactory(organization=org, min_notice_minutes=0, slot_step_minutes=15)
    WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(8), end_time=time(18))
    session_type = SessionTypeFactory(organization=org, duration_minutes=60)
    clients = [ClientFactory(organization=org) for _ in range(50)]
    start = _monday_10_next_week(org)
    # Every request overlaps every other: starts between 10:00 and 10:45.
    starts = [start + timedelta(minutes=15 * (i % 4)) for i in range(50)]

    def book(i: int) -> None:
        with scope(organization=org):
            booking_create(coach=coach, session_type=session_type, client=clients[i], starts_at=starts[i],
                           actor=None)

    outcomes = run_concurrently(book, 50, timeout=120, expected=(SchedulingError,))
    results = ["ok"] * len(outcomes.values) + [f"{exc.code}: {exc}" for exc in outcomes.errors]
    assert results.count("ok") == 1
    refused = [r for r in results if r != "ok"]
    assert len(refused) == 49
    assert all(r.startswith("taken: That time was just taken") for r in refused), set(refused)
    with scope(organization=org):
        assert TrainingSession.objects.filter(coach=coach).count() == 1


@pytest.mark.django_db
def test_adjacent_sessions_both_fit(org):
    coach = CoachFactory(organization=org)
    WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(8), end_time=time(18))
    session_type = SessionTypeFactory(organization=org, duration_minutes=60)
    start = _monday_10_next_week(org)
    with scope(organization=org):
        first = booking_create(coach=coach, session_type=session_type, client=ClientFactory(organization=org),
                               starts_at=start, actor=None)
        second = booking_create(coach=coach, session_type=session_type, client=ClientFactory(organization=org),
                                starts_at=start + timedelta(hours=1), actor=None)
    assert first.session.ends_at == second.session.starts_at


@pytest.mark.django_db
def test_the_database_refuses_overlap_even_without_the_service(org):
    coach = CoachFactory(organization=org)
    start = _monday_10_next_week(org)
    TrainingSessionFactory(coach=coach, starts_at=start, ends_at=start + timedelta(hours=1))
    assert connection.vendor == "postgresql"
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingSessionFactory(coach=coach, starts_at=start + timedelta(minutes=30),
                               ends_at=start + timedelta(minutes=90))
    # A cancelled session frees its time.
    cancelled = TrainingSessionFactory(coach=coach, starts_at=start + timedelta(hours=3),
                                       ends_at=start + timedelta(hours=4), status=TrainingSession.Status.CANCELLED)
    TrainingSessionFactory(coach=coach, starts_at=cancelled.starts_at, ends_at=cancelled.ends_at)
