"""The progress API's contract (issue 14; docs/progress.md): the shapes external checks rely on, strict
types, problem details, and the summary in a constant number of queries however much data there is."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from coachos.api import api
from coachos.progress import services
from coachos.scheduling.models import Booking
from tests.factories import BookingFactory, CoachFactory, MeasurementFactory, TrainingSessionFactory

from .conftest import assert_problem, patch, post

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 20, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def test_the_contract_paths_are_in_the_openapi():
    paths = api.get_openapi_schema()["paths"]
    for path, method in [("/api/v1/clients/{client_id}/goals", "post"), ("/api/v1/clients/{client_id}/goals", "get"),
                         ("/api/v1/goals/{goal_id}", "patch"), ("/api/v1/measurement-kinds", "get"),
                         ("/api/v1/clients/{client_id}/measurements", "post"),
                         ("/api/v1/clients/{client_id}/measurements", "get"),
                         ("/api/v1/clients/{client_id}/tasks", "post"), ("/api/v1/tasks/{task_id}/done", "post"),
                         ("/api/v1/clients/{client_id}/progress", "get")]:
        assert method in paths[path], (method, path)
        assert "bearer" in str(api.get_openapi_schema()["components"]["securitySchemes"]).lower()


def test_goal_contract(client, coach, olivia):
    response = post(client, f"/api/v1/clients/{olivia.client.pk}/goals",
                    {"title": "Weigh 75 kg", "target_date": "2030-09-01", "measurement_kind": "weight",
                     "target_value": 75, "target_unit": "kg"}, coach.headers)
    assert response.status_code == 201
    goal = response.json()
    assert {"id", "status", "progress"} <= set(goal)
    assert (goal["status"], goal["progress"], goal["measurement_kind"], goal["target_value"]) == (
        "not_started", 0, "weight", 75)
    changed = patch(client, f"/api/v1/goals/{goal['id']}", {"status": "in_progress"}, coach.headers)
    assert changed.status_code == 200 and changed.json()["status"] == "in_progress"
    listed = client.get(f"/api/v1/clients/{olivia.client.pk}/goals", **coach.headers).json()
    assert [g["id"] for g in listed] == [goal["id"]]


def test_measurement_contract(client, coach, olivia):
    kinds = client.get("/api/v1/measurement-kinds", **coach.headers).json()
    assert {"weight", "body_fat", "waist"} <= {k["key"] for k in kinds}
    assert all({"key", "name", "unit"} <= set(k) for k in kinds)
    created = post(client, f"/api/v1/clients/{olivia.client.pk}/measurements",
                   {"kind": "weight", "value": 176.4, "unit": "lb", "measured_at": "2030-03-19T07:00:00-05:00"},
                   coach.headers)
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("value", "unit", "value_si")} == {
        "value": 176.4, "unit": "lb", "value_si": 80.013694068}
    assert_problem(post(client, f"/api/v1/clients/{olivia.client.pk}/measurements",
                        {"kind": "weight", "value": 700, "unit": "kg", "measured_at": "2030-03-19T07:00:00Z"},
                        coach.headers), 422, "value")
    rows = client.get(f"/api/v1/clients/{olivia.client.pk}/measurements?kind=weight&unit=kg", **coach.headers).json()
    assert [(r["value"], r["unit"], r["entered_value"], r["entered_unit"]) for r in rows] == [
        (80.0, "kg", 176.4, "lb")]


def test_task_contract(client, coach, olivia):
    created = post(client, f"/api/v1/clients/{olivia.client.pk}/tasks",
                   {"title": "Log your meals", "due_date": "2030-03-27", "repeat": "daily"}, coach.headers)
    assert created.status_code == 201
    done = client.post(f"/api/v1/tasks/{created.json()['id']}/done", **olivia.headers)
    assert done.status_code == 201
    assert (done.json()["done"], done.json()["streak"]) == (True, 1)


@pytest.mark.parametrize(("url", "body", "field"), [
    ("goals", {"title": "x", "target_type": "attendance", "target_value": True}, "target_value"),
    ("goals", {"title": "x", "target_date": 1}, "target_date"),
    ("goals", {"title": True}, "title"),
    ("measurements", {"kind": "weight", "value": True}, "value"),
    ("measurements", {"kind": "weight", "value": [80]}, "value"),
    ("tasks", {"title": "x", "repeat": 1}, "repeat"),
    ("tasks", {"title": "x", "due_date": True}, "due_date"),
    ("progress-settings", {"monthly_report": 1}, "monthly_report"),
    ("progress-settings", {"monthly_report": "true"}, "monthly_report"),
    ("progress-settings", {"unit_system": None}, "unit_system"),
])
def test_types_are_strict(client, coach, olivia, url, body, field):
    full = f"/api/v1/clients/{olivia.client.pk}/{url}"
    send = patch if url == "progress-settings" else post
    problem = assert_problem(send(client, full, body, coach.headers), 422)
    assert [e["field"] for e in problem["errors"]] == [field]


def test_without_a_token_it_is_401(client, olivia):
    assert_problem(client.get(f"/api/v1/clients/{olivia.client.pk}/goals"), 401)
    assert_problem(client.get("/api/v1/measurement-kinds"), 401)


def _sessions(org: Any, client_obj: Any, statuses: list[str], start: datetime) -> None:
    coach = CoachFactory(organization=org)
    for i, status in enumerate(statuses):
        begins = start + timedelta(days=i, hours=1)
        session = TrainingSessionFactory(coach=coach, starts_at=begins, ends_at=begins + timedelta(hours=1),
                                         status=status if status in ("completed", "no_show") else "scheduled")
        BookingFactory(session=session, client=client_obj, status=status)


def test_the_summary(client, org, coach, olivia):
    with scope(organization=org):
        _sessions(org, olivia.client, ["completed", "completed", "no_show", "confirmed", "cancelled_by_client"],
                  datetime(2030, 3, 2, 15, tzinfo=UTC))
        _sessions(org, olivia.client, ["completed"], datetime(2030, 2, 10, 15, tzinfo=UTC))  # before the range
        for day, kg in ((1, "82.0"), (10, "80.5"), (19, "79.4")):
            services.measurement_record(client=olivia.client, actor=None, kind="weight", value=Decimal(kg), unit="kg",
                                        measured_at=datetime(2030, 3, day, 13, tzinfo=UTC))
        services.measurement_record(client=olivia.client, actor=None, kind="waist", value=Decimal(34), unit="in",
                                    measured_at=datetime(2030, 3, 5, 13, tzinfo=UTC))
        services.goal_create(client=olivia.client, actor=None, title="Weigh 75 kg", measurement_kind="weight",
                             target_value=Decimal(75), target_unit="kg", start_value=Decimal(82))
        task = services.task_create(client=olivia.client, actor=None, title="Walk", repeat="daily",
                                    start_date=date(2030, 3, 15))
        services.task_done(task=task, actor=None, day=date(2030, 3, 16))
        services.task_done(task=task, actor=None, day=date(2030, 3, 17))
    response = client.get(f"/api/v1/clients/{olivia.client.pk}/progress?start=2030-03-01&end=2030-03-20",
                          **coach.headers)
    assert response.status_code == 200, response.content
    summary = response.json()
    assert (summary["start"], summary["end"], summary["unit_system"]) == ("2030-03-01", "2030-03-20", "imperial")
    assert summary["attendance"] == {"completed": 2, "booked": 1, "no_show": 1}
    assert summary["tasks"] == {"done": 2, "due": 6}
    assert [(g["title"], g["progress"], g["status"]) for g in summary["goals"]] == [("Weigh 75 kg", 37, "in_progress")]
    weight = summary["measurements"]["weight"]
    assert {k: weight[k] for k in ("first", "last", "change", "unit", "count", "better", "improved")} == {
        "first": 180.8, "last": 175.0, "change": -5.8, "unit": "lb", "count": 3, "better": "down", "improved": True}
    assert summary["measurements"]["waist"]["first"] == 34
    assert list(summary["measurements"]) == ["weight", "waist"]
    metric = client.get(f"/api/v1/clients/{olivia.client.pk}/progress?start=2030-03-01&end=2030-03-20"
                        "&unit_system=metric", **olivia.headers).json()
    assert {k: metric["measurements"]["weight"][k] for k in ("first", "last", "change", "unit")} == {
        "first": 82, "last": 79.4, "change": -2.6, "unit": "kg"}

    months = client.get(f"/api/v1/clients/{olivia.client.pk}/progress/month-over-month?month=2030-03",
                        **coach.headers).json()
    assert (months["this"]["start"], months["previous"]["start"], months["previous"]["end"]) == (
        "2030-03-01", "2030-02-01", "2030-02-28")
    assert months["change"]["attendance"] == {"completed": 1, "booked": 1, "no_show": 1}


@pytest.mark.parametrize("query", ["start=2030-03-20&end=2030-03-01", "start=2030-02-30", "start=2000-01-01",
                                   "end=9999-12-31", "start=0001-01-01"])
def test_a_bad_range_is_422(client, coach, olivia, query):
    assert_problem(client.get(f"/api/v1/clients/{olivia.client.pk}/progress?{query}", **coach.headers), 422)


def _summary_queries(http: DjangoClient, headers: dict[str, str], client_id: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(f"/api/v1/clients/{client_id}/progress?start=2025-03-21&end=2030-03-20", **headers)
    assert response.status_code == 200
    return len(queries)


def test_the_summary_costs_the_same_queries_for_five_years_of_data(client, org, coach, olivia, liam):
    def fill(person: Any, days: int, sessions: int) -> None:
        with scope(organization=org):
            MeasurementFactory.create_batch(1, client=person.client)
            for i in range(days):
                at = NOW - timedelta(days=i + 1)
                MeasurementFactory(client=person.client, measured_at=at, value_si=Decimal(80) + i % 5)
                if i % 7 == 0:
                    MeasurementFactory(client=person.client, kind="waist", measured_at=at, value_si=Decimal("0.8"),
                                       entered_value=Decimal(80), entered_unit="cm")
            _sessions(org, person.client, ["completed"] * sessions, NOW - timedelta(days=sessions + 2))
            for n in range(3):
                services.goal_create(client=person.client, actor=None, title=f"Goal {n}", measurement_kind="weight",
                                     target_value=Decimal(70), target_unit="kg")
            services.goal_create(client=person.client, actor=None, title="Attend", target_type="attendance",
                                 target_value=Decimal(50), start_date=date(2029, 1, 1))
            for n in range(3):
                services.task_create(client=person.client, actor=None, title=f"Task {n}", repeat="daily",
                                     start_date=date(2029, 1, 1))

    fill(olivia, 5, 2)
    fill(liam, 1800, 60)
    with scope(organization=org):
        assert Booking.objects.filter(client=liam.client).count() == 60
    client.get("/api/v1/measurement-kinds", **coach.headers)  # the token's first use is recorded once: not counted
    small = _summary_queries(client, coach.headers, olivia.client.pk)
    large = _summary_queries(client, coach.headers, liam.client.pk)
    assert small == large, (small, large)
    assert large <= 20
