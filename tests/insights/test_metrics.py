"""Every metric on the hand-built data set (tests/insights/dataset.py), through the API contract."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role
from tests.conftest import bearer
from tests.insights.dataset import NOW, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(org: Any, owner: Any) -> Any:
    org.timezone = "America/Chicago"
    org.currency = "USD"
    org.save()
    with time_machine.travel(NOW, tick=False):
        with scope(organization=org):
            membership = Membership.objects.get(user=owner)
        return build(org, membership)


@pytest.fixture
def march(known: Any, owner: Any) -> dict[str, Any]:
    with time_machine.travel(NOW, tick=False):
        response = DjangoClient().get("/api/v1/insights?start=2026-03-01&end=2026-03-31", **bearer(owner, known.org))
    assert response.status_code == 200, response.content
    return response.json()


def test_sessions(march: dict[str, Any]) -> None:
    assert march["sessions"] == {"completed": 4, "no_show": 1, "scheduled": 2, "cancelled": 1, "late_cancelled": 1,
                                 "no_show_rate": 0.2, "late_cancel_rate": round(1 / 6, 4)}


def test_sessions_agree_with_the_sessions_api(known: Any, owner: Any, march: dict[str, Any]) -> None:
    with time_machine.travel(NOW, tick=False):
        listed = DjangoClient().get("/api/v1/sessions?start=2026-03-01&end=2026-03-31&include_cancelled=true",
                                    **bearer(owner, known.org)).json()
    by_status = Counter(s["status"] for s in listed)
    for status in ("completed", "no_show", "scheduled", "cancelled"):
        assert march["sessions"][status] == by_status[status]
    late = sum(1 for s in listed for b in s["bookings"] if b["status"] == "cancelled_by_client")
    assert march["sessions"]["late_cancelled"] == late
    s = march["sessions"]
    assert s["no_show_rate"] == round(s["no_show"] / (s["completed"] + s["no_show"]), 4)


def test_revenue_and_forecast(march: dict[str, Any]) -> None:
    revenue = march["revenue"]
    assert revenue["total_minor"] == 21000
    assert revenue["currency"] == "USD"
    assert revenue["bucket"] == "day"
    assert [(p["period"], p["net_minor"]) for p in revenue["series"]] == [
        ("2026-03-02", 8000), ("2026-03-10", 16000), ("2026-03-12", -3000), ("2026-03-14", 0)]
    assert revenue["forecast"] == {"actual_minor": 21000, "booked_minor": 16000, "memberships_minor": 5000,
                                   "total_minor": 42000, "deferred_minor": 24000}


def test_clients(march: dict[str, Any]) -> None:
    assert march["clients"] == {"active": 5, "new": 2, "retained": 2, "churned": 1}


def test_utilization_uses_the_hours_time_off_and_extra_time(march: dict[str, Any]) -> None:
    [row] = march["utilization"]
    assert row["available_hours"] == 56.0
    assert row["booked_hours"] == 7.0
    assert row["utilization"] == 0.125


def test_heatmap(march: dict[str, Any]) -> None:
    grid = march["heatmap"]
    assert grid[0][10] == 3 and grid[2][10] == 3 and grid[2][11] == 1
    assert sum(map(sum, grid)) == 7


def test_cohorts(march: dict[str, Any]) -> None:
    rows = {r["month"]: r for r in march["cohorts"]}
    assert len(march["cohorts"]) == 12
    assert rows["2026-01-01"] == {"month": "2026-01-01", "size": 1, "retention": [0.0, 1.0]}
    assert rows["2026-02-01"] == {"month": "2026-02-01", "size": 3, "retention": [0.6667]}
    assert rows["2026-03-01"] == {"month": "2026-03-01", "size": 2, "retention": []}
    assert rows["2025-12-01"]["size"] == 0


def test_packages(march: dict[str, Any]) -> None:
    assert march["packages"] == {"sold": 1, "credits_sold": 10, "sell_through": 0.6, "credits_used": 2,
                                 "credits_outstanding": 9, "credits_expiring": 4, "clients_expiring": 1,
                                 "expiring_days": 30}


def test_rating(march: dict[str, Any]) -> None:
    assert march["rating"] == {"average": 4.0, "count": 3}


def test_comparisons(march: dict[str, Any]) -> None:
    previous = march["comparisons"]["previous_period"]
    assert (previous["completed"], previous["active_clients"], previous["revenue_minor"]) == (3, 3, 4000)
    assert previous["change"]["revenue_minor"] == round((21000 - 4000) / 4000, 4)
    year = march["comparisons"]["previous_year"]
    assert (year["completed"], year["revenue_minor"]) == (0, 10000)
    assert year["change"]["completed"] is None


def test_a_week_compares_week_over_week(known: Any, owner: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        week = DjangoClient().get("/api/v1/insights?start=2026-03-09&end=2026-03-15", **bearer(owner, known.org)).json()
    assert week["sessions"]["no_show"] == 1 and week["sessions"]["completed"] == 1
    previous = week["comparisons"]["previous_period"]
    assert previous["completed"] == 2  # 2 and 4 March
    assert week["revenue"]["total_minor"] == 16000 - 3000


def test_a_coach_limited_to_own_clients_sees_theirs_and_no_money(known: Any) -> None:
    from tests.people import team_member

    coach = team_member(known.org, Role.COACH, sees_all_clients=False)
    with scope(organization=known.org):
        known.clients["B"].coach_membership = coach.membership
        known.clients["B"].save()
        coach.membership.sees_money = False
        coach.membership.save()
    with time_machine.travel(NOW, tick=False):
        data = DjangoClient().get("/api/v1/insights?start=2026-03-01&end=2026-03-31", **coach.headers).json()
    assert data["revenue"] is None
    assert data["clients"]["active"] == 1  # B only
    assert data["sessions"]["completed"] == 1 and data["sessions"]["late_cancelled"] == 1
    assert data["utilization"] == []  # the coach has no hours of their own
    assert data["target"] is None


def test_bad_ranges_are_422(known: Any, owner: Any) -> None:
    headers = bearer(owner, known.org)
    for query in ("start=2026-03-31&end=2026-03-01", "start=nope&end=2026-03-01", "start=2010-01-01&end=2026-03-01",
                  "end=2026-03-01"):
        response = DjangoClient().get(f"/api/v1/insights?{query}", **headers)
        assert response.status_code == 422, query
        assert response["Content-Type"] == "application/problem+json"


def test_another_business_sees_none_of_it(known: Any, other_org: Any) -> None:
    from tests.factories import member

    stranger = member(other_org, Role.OWNER)
    with time_machine.travel(NOW, tick=False):
        data = DjangoClient().get("/api/v1/insights?start=2026-03-01&end=2026-03-31",
                                  **bearer(stranger, other_org)).json()
    assert data["sessions"]["completed"] == 0 and data["clients"]["active"] == 0
    assert data["revenue"]["total_minor"] == 0 and data["packages"]["credits_outstanding"] == 0
    assert data["rating"]["count"] == 0 and data["utilization"] == []


def test_clients_cannot_read_insights(known: Any) -> None:
    from tests.people import portal_client

    person = portal_client(known.org)
    response = DjangoClient().get("/api/v1/insights?start=2026-03-01&end=2026-03-31", **person.headers)
    assert response.status_code in (403, 404)
