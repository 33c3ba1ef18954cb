"""No double booking on either database: PostgreSQL (exclusion constraint and row lock) and
SQLite (every transaction takes the write lock first). Runs in the SQLite smoke pass too."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope

from coachos.scheduling.models import TrainingSession
from coachos.scheduling.services import SchedulingError, booking_create

from ..concurrency import run_concurrently
from ..factories import ClientFactory, CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory

pytestmark = [pytest.mark.smoke, pytest.mark.xdist_group("concurrency")]


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_bookings_one_wins(org):
    coach = CoachFactory(organization=org, min_notice_minutes=0, slot_step_minutes=15)
    WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(8), end_time=time(18))
    session_type = SessionTypeFactory(organization=org, duration_minutes=60)
    clients = [ClientFactory(organization=org) for _ in range(8)]
    today = timezone.now().astimezone(org.tzinfo).date()
    monday = today + timedelta(days=7 - today.weekday())
    start = datetime.combine(monday, time(10), tzinfo=org.tzinfo)

    def book(i: int) -> None:
        with scope(organization=org):
            booking_create(coach=coach, session_type=session_type, client=clients[i],
                           starts_at=start + timedelta(minutes=15 * (i % 4)), actor=None)

    results = run_concurrently(book, 8, timeout=120, expected=(SchedulingError,))
    outcomes = ["ok"] * len(results.values) + [exc.code for exc in results.errors]
    assert sorted(outcomes) == ["ok"] + ["taken"] * 7, (connection.vendor, outcomes)
    with scope(organization=org):
        assert TrainingSession.objects.filter(coach=coach).count() == 1
