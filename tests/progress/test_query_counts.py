"""The progress API, the report and the pages cost the same number of queries whatever the history
(docs/progress.md, "Performance"): a client with ten weeks of data and one with five more years of daily
weights, weekly measurements, hundreds of sessions, more goals and ticked tasks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django_scopes import scope

from coachos.progress import services
from coachos.progress.demo import write_series, write_sessions, write_ticks
from coachos.progress.periods import Repeat
from coachos.progress.report import progress_report_pdf
from coachos.scheduling.models import Booking
from tests.conftest import login_as
from tests.factories import CoachFactory, SessionTypeFactory

from .conftest import Person

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 10, 18, 0, tzinfo=UTC)
TODAY = date(2030, 3, 10)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def grow(org: Any, person: Person, *, days: int, sessions: int, goals: int, offset: int = 0) -> None:
    """``days`` of daily weights and weekly waists, ``sessions`` sessions, ``goals`` goals of each kind and
    a daily task ticked every day, ending yesterday. ``offset`` shifts the sessions' hour (a second batch
    must not overlap the first for the same coach)."""
    client = person.client
    assert client is not None
    zone = org.tzinfo
    first = TODAY - timedelta(days=days)

    def at(day: date, hour: int) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=zone)

    with scope(organization=org):
        write_series(client, "weight", "kg", [(at(first + timedelta(days=n), 7), Decimal("80") - Decimal(n) / 100)
                                              for n in range(days)])
        write_series(client, "waist", "cm", [(at(first + timedelta(days=7 * w), 8), Decimal(90)) for w in range(days // 7)])
        coach, session_type = CoachFactory(organization=org), SessionTypeFactory(organization=org)
        write_sessions(client, coach, session_type, [
            (at(first + timedelta(days=n * days // max(sessions, 1)), 10 + offset),
             Booking.Status.NO_SHOW if n % 7 == 3 else Booking.Status.COMPLETED) for n in range(sessions)])
        for n in range(goals):
            goal = services.goal_create(client=client, actor=None, title=f"Weight {n}", measurement_kind="weight",
                                        target_value=Decimal(60), target_unit="kg", start_date=first)
            services.milestone_add(goal=goal, actor=None, title="Halfway")
            services.goal_create(client=client, actor=None, title=f"Sessions {n}", target_type="attendance",
                                 target_value=Decimal(400), start_date=first)
        task = services.task_create(client=client, actor=None, title=f"Daily {days}", repeat=Repeat.DAILY,
                                    start_date=first)
        write_ticks(task, [first + timedelta(days=n) for n in range(days)])


def queries(run: Callable[[], Any]) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        run()
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def compare(org: Any, person: Person, run: Callable[[], Any]) -> tuple[int, int]:
    # A little of everything in every window the pages look at (this month and the one before): a few
    # queries are skipped when a window is empty, which is not the history growing.
    grow(org, person, days=70, sessions=6, goals=1)
    run()  # warm (the first call may load what is cached afterwards)
    small = queries(run)
    grow(org, person, days=5 * 365, sessions=500, goals=3, offset=2)
    large = queries(run)
    return len(small), len(large)


def test_the_progress_api_costs_the_same_with_five_years_of_history(client, org, coach, olivia):
    def run() -> None:
        response = client.get(f"/api/v1/clients/{olivia.client.pk}/progress?start=2025-01-01", **coach.headers)
        assert response.status_code == 200

    small, large = compare(org, olivia, run)
    assert small == large, (small, large)
    assert large <= 20


def test_the_report_costs_the_same_with_five_years_of_history(org, coach, olivia):
    def run() -> None:
        with scope(organization=org):
            progress_report_pdf(client=olivia.client, start=date(2025, 1, 1), end=TODAY, viewer=coach.user)

    small, large = compare(org, olivia, run)
    assert small == large, (small, large)
    assert large <= 20


@pytest.mark.parametrize("side", ["team", "portal"])
def test_the_progress_pages_cost_the_same_with_five_years_of_history(org, boss, olivia, side):
    try:
        url = (reverse("progress:page", kwargs={"org_slug": org.slug, "client_id": olivia.client.pk}) if side == "team"
               else reverse("portal_progress:index", kwargs={"org_slug": org.slug}))
    except NoReverseMatch:  # pragma: no cover - the pages are built alongside
        pytest.skip("the progress pages are not there yet")
    http = login_as(boss.user if side == "team" else olivia.user)

    def run() -> None:
        assert http.get(url).status_code == 200

    small, large = compare(org, olivia, run)
    assert small == large, (small, large)
