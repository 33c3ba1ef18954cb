"""Goals: progress that fills itself in from measurements and attendance, achieved by itself (and
celebrated once), milestones, and a history of every change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.progress import services
from coachos.progress.models import Goal, GoalChange
from coachos.scheduling.models import Booking
from coachos.scheduling.services import session_complete
from tests.factories import BookingFactory, CoachFactory, TrainingSessionFactory

from .conftest import Person, assert_problem, patch, post

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _weigh(http: DjangoClient, person: Person, client_id: int, kg: float, when: str | None = None) -> None:
    body: dict[str, Any] = {"kind": "weight", "value": kg, "unit": "kg"}
    if when:
        body["measured_at"] = when
    response = post(http, f"/api/v1/clients/{client_id}/measurements", body, person.headers)
    assert response.status_code == 201, response.content


def _goal(http: DjangoClient, person: Person, client_id: int, **body: Any) -> dict[str, Any]:
    response = post(http, f"/api/v1/clients/{client_id}/goals", {"title": "Lose weight", **body}, person.headers)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def _get(http: DjangoClient, person: Person, goal_id: int) -> dict[str, Any]:
    return http.get(f"/api/v1/goals/{goal_id}", **person.headers).json()  # type: ignore[no-any-return]


def test_a_weight_goal_fills_itself_in_and_is_achieved_once(client, org, coach, olivia, emitted):
    _weigh(client, coach, olivia.client.pk, 82, "2030-03-01T08:00:00Z")
    goal = _goal(client, coach, olivia.client.pk, measurement_kind="weight", target_value=75, target_unit="kg",
                 target_date="2030-06-30")
    assert (goal["status"], goal["progress"], goal["reached"]) == ("not_started", 0, False)
    assert (goal["start_value"], goal["current_value"], goal["target_value"], goal["target_unit"]) == (82, 82, 75, "kg")

    _weigh(client, olivia, olivia.client.pk, 78.5)
    halfway = _get(client, coach, goal["id"])
    assert (halfway["status"], halfway["progress"], halfway["current_value"]) == ("in_progress", 50, 78.5)
    assert [e.name for e in emitted if e.name == "goal.achieved"] == []

    _weigh(client, olivia, olivia.client.pk, 74.9)
    done = _get(client, coach, goal["id"])
    assert (done["status"], done["progress"], done["reached"]) == ("achieved", 100, True)
    assert done["achieved_at"] == "2030-03-10T10:00:00-05:00"
    _weigh(client, olivia, olivia.client.pk, 74.0)  # already achieved: no second celebration
    achieved = [e for e in emitted if e.name == "goal.achieved"]
    assert [(e.object_id, e.client_id, e.data["by"]) for e in achieved] == [(goal["id"], olivia.client.pk, "auto")]

    history = client.get(f"/api/v1/goals/{goal['id']}/history", **olivia.headers).json()
    assert [(h["field"], h["old"], h["new"], h["actor"]) for h in history] == [
        ("created", "", "Lose weight", {"id": coach.user.pk, "name": "Jordan Reyes"}),
        ("status", "not_started", "in_progress", None),
        ("status", "in_progress", "achieved", None),
    ]


def test_without_a_measurement_the_first_one_is_the_start(client, org, coach, olivia):
    goal = _goal(client, coach, olivia.client.pk, measurement_kind="weight", target_value=170)  # the client's lb
    assert (goal["target_unit"], goal["start_value"], goal["progress"]) == ("lb", None, 0)
    _weigh(client, olivia, olivia.client.pk, 90)  # 198.4 lb
    first = _get(client, coach, goal["id"])
    assert (first["status"], first["progress"], first["start_value"]) == ("not_started", 0, 198.4)
    _weigh(client, olivia, olivia.client.pk, 83.5)  # 184.1 lb: 6.5 of the 12.9 kg from 90 kg to 170 lb
    assert _get(client, coach, goal["id"])["progress"] == 50


def test_a_goal_to_gain_moves_up(client, coach, olivia):
    post(client, f"/api/v1/clients/{olivia.client.pk}/measurements", {"kind": "arm", "value": 35, "unit": "cm"},
         coach.headers)
    goal = _goal(client, coach, olivia.client.pk, title="Bigger arms", measurement_kind="arm", target_value=38,
                 target_unit="cm")
    post(client, f"/api/v1/clients/{olivia.client.pk}/measurements", {"kind": "arm", "value": 36.5, "unit": "cm"},
         coach.headers)
    assert _get(client, coach, goal["id"])["progress"] == 50


@pytest.mark.parametrize(("body", "field"), [
    ({"measurement_kind": "weight", "target_value": 700, "target_unit": "kg"}, "target_value"),
    ({"measurement_kind": "weight", "target_value": 70, "target_unit": "cm"}, "target_unit"),
    ({"measurement_kind": "weight"}, "target_value"),
    ({"measurement_kind": "nope", "target_value": 1}, "measurement_kind"),
    ({"target_type": "attendance", "target_value": 2.5}, "target_value"),
    ({"target_type": "attendance"}, "target_value"),
    ({"target_value": 70}, "measurement_kind"),
    ({"start_date": "2030-03-10", "target_date": "2030-03-01"}, "target_date"),
    ({"title": "   "}, "title"),
    ({"target_type": "attendance", "target_value": 3, "target_date": "9999-12-31"}, "target_date"),
])
def test_bad_goals_are_refused_and_nothing_is_written(client, org, coach, olivia, body, field):
    response = post(client, f"/api/v1/clients/{olivia.client.pk}/goals", {"title": "Goal", **body}, coach.headers)
    assert_problem(response, 422, field)
    with scope(organization=org):
        assert not Goal.objects.exists()
        assert not GoalChange.objects.exists()


def test_an_attendance_goal_is_achieved_by_the_nth_completed_session(client, org, coach, olivia, emitted):
    goal = _goal(client, coach, olivia.client.pk, title="Train twice", target_type="attendance", target_value=2,
                 start_date="2030-03-01", target_date="2030-03-31")
    assert (goal["target_value"], goal["target_unit"], goal["completed_sessions"]) == (2, "sessions", 0)
    with scope(organization=org):
        trainer = CoachFactory(organization=org)
        sessions = [TrainingSessionFactory(coach=trainer, starts_at=NOW - timedelta(days=d),
                                           ends_at=NOW - timedelta(days=d) + timedelta(hours=1)) for d in (3, 2)]
        before = TrainingSessionFactory(coach=trainer, starts_at=datetime(2030, 2, 20, 15, tzinfo=UTC),
                                        ends_at=datetime(2030, 2, 20, 16, tzinfo=UTC))
        for session in [*sessions, before]:
            BookingFactory(session=session, client=olivia.client)
        session_complete(session=before, actor=coach.user)  # before the window: does not count
        session_complete(session=sessions[0], actor=coach.user)
    one = _get(client, coach, goal["id"])
    assert (one["status"], one["progress"], one["completed_sessions"]) == ("in_progress", 50, 1)
    with scope(organization=org):
        session_complete(session=sessions[1], actor=coach.user)
        assert Booking.objects.filter(status="completed").count() == 3
    two = _get(client, coach, goal["id"])
    assert (two["status"], two["progress"], two["completed_sessions"]) == ("achieved", 100, 2)
    assert [e.object_id for e in emitted if e.name == "goal.achieved"] == [goal["id"]]


def test_a_goal_changed_by_hand_keeps_every_change(client, org, coach, olivia, emitted):
    goal = _goal(client, olivia, olivia.client.pk, title="Run 5 km", why="For my daughter's race")
    assert goal["created_by"] == {"id": olivia.user.pk, "name": "Olivia Martinez"}
    response = patch(client, f"/api/v1/goals/{goal['id']}", {"title": "Run 5 km under 30 minutes",
                                                             "target_date": "2030-05-01"}, coach.headers)
    assert response.status_code == 200, response.content
    assert patch(client, f"/api/v1/goals/{goal['id']}", {"status": "achieved"}, olivia.headers).json()["status"] \
        == "achieved"
    assert [(e.data["by"], e.data["actor_id"]) for e in emitted if e.name == "goal.achieved"] == [
        ("client", olivia.user.pk)]
    reopened = patch(client, f"/api/v1/goals/{goal['id']}", {"status": "in_progress", "target_date": None},
                     coach.headers).json()
    assert (reopened["status"], reopened["achieved_at"], reopened["target_date"]) == ("in_progress", None, None)
    history = client.get(f"/api/v1/goals/{goal['id']}/history", **coach.headers).json()
    assert [(h["field"], h["old"], h["new"], (h["actor"] or {}).get("id")) for h in history] == [
        ("created", "", "Run 5 km", olivia.user.pk),
        ("title", "Run 5 km", "Run 5 km under 30 minutes", coach.user.pk),
        ("target_date", "", "2030-05-01", coach.user.pk),
        ("status", "not_started", "achieved", olivia.user.pk),
        ("status", "achieved", "in_progress", coach.user.pk),
        ("target_date", "2030-05-01", "", coach.user.pk),
    ]


@pytest.mark.parametrize(("body", "field"), [
    ({"title": None}, "title"), ({"status": "done"}, "status"), ({"status": None}, "status"),
    ({"target_date": "2020-01-01"}, "target_date"), ({"measurement_kind": "waist"}, "measurement_kind"),
    ({"target_value": 80}, "target_value"),  # no measurable target
])
def test_bad_changes_are_refused_and_nothing_changes(client, org, coach, olivia, body, field):
    goal = _goal(client, coach, olivia.client.pk, title="Run 5 km")
    assert_problem(patch(client, f"/api/v1/goals/{goal['id']}", body, coach.headers), 422, field)
    assert _get(client, coach, goal["id"]) == goal
    with scope(organization=org):
        assert GoalChange.objects.count() == 1


def test_a_new_target_in_another_unit(client, coach, olivia):
    _weigh(client, coach, olivia.client.pk, 82)
    goal = _goal(client, coach, olivia.client.pk, measurement_kind="weight", target_value=75, target_unit="kg")
    changed = patch(client, f"/api/v1/goals/{goal['id']}", {"target_value": 160, "target_unit": "lb"},
                    coach.headers).json()
    assert (changed["target_value"], changed["target_unit"], changed["start_value"]) == (160, "lb", 180.8)
    assert changed["target_si"] == 72.5747792
    assert_problem(patch(client, f"/api/v1/goals/{goal['id']}", {"target_unit": "kg"}, coach.headers), 422,
                   "target_value")


def test_milestones_make_progress_of_a_goal_without_a_target(client, org, coach, olivia):
    goal = _goal(client, coach, olivia.client.pk, title="Run 5 km")
    base = f"/api/v1/goals/{goal['id']}/milestones"
    first = post(client, base, {"title": "Run 2 km", "target_date": "2030-04-01"}, coach.headers).json()
    second = post(client, base, {"title": "Run 4 km"}, olivia.headers).json()
    assert (first["position"], second["position"], first["done"]) == (1, 2, False)
    ticked = patch(client, f"{base}/{first['id']}", {"done": True}, olivia.headers).json()
    assert ticked["done"] is True and ticked["done_at"] is not None
    now = _get(client, coach, goal["id"])
    assert (now["status"], now["progress"]) == ("in_progress", 50)
    assert [m["title"] for m in now["milestones"]] == ["Run 2 km", "Run 4 km"]
    assert_problem(patch(client, f"{base}/{first['id']}", {"done": 1}, olivia.headers), 422, "done")
    assert client.delete(f"{base}/{second['id']}", **coach.headers).status_code == 204
    assert _get(client, coach, goal["id"])["progress"] == 100
    assert _get(client, coach, goal["id"])["status"] == "in_progress"  # a goal without a target is closed by hand
    history = [(h["field"], h["new"] or h["old"]) for h in
               client.get(f"/api/v1/goals/{goal['id']}/history", **coach.headers).json()]
    assert history == [("created", "Run 5 km"), ("milestone.added", "Run 2 km"), ("milestone.added", "Run 4 km"),
                       ("milestone.done", "Run 2 km"), ("status", "in_progress"), ("milestone.removed", "Run 4 km")]


def test_a_milestone_of_another_goal_is_not_found(client, coach, olivia):
    one = _goal(client, coach, olivia.client.pk, title="One")
    other = _goal(client, coach, olivia.client.pk, title="Other")
    milestone = post(client, f"/api/v1/goals/{one['id']}/milestones", {"title": "Step"}, coach.headers).json()
    assert_problem(patch(client, f"/api/v1/goals/{other['id']}/milestones/{milestone['id']}", {"done": True},
                         coach.headers), 404)


def test_the_list_is_newest_first_with_progress(client, coach, olivia):
    _goal(client, coach, olivia.client.pk, title="First")
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        _goal(client, coach, olivia.client.pk, title="Second")
    listed = client.get(f"/api/v1/clients/{olivia.client.pk}/goals", **olivia.headers).json()
    assert [g["title"] for g in listed] == ["Second", "First"]
    assert all(g["progress"] == 0 for g in listed)


def test_the_service_checks_the_start_value(org, olivia):
    with scope(organization=org):
        goal = services.goal_create(client=olivia.client, actor=None, title="Lose", measurement_kind="weight",
                                    target_value=Decimal(75), target_unit="kg", start_value=Decimal(85),
                                    start_date=date(2030, 1, 1))
        assert goal.start_si == Decimal("85.0000000000")
        assert goal.created_by is None


def test_a_goal_on_a_kind_of_the_business_own(client, coach, olivia):
    kind = post(client, "/api/v1/measurement-kinds", {"name": "Plank time", "unit": "s", "better": "up",
                                                      "min_value": 0, "max_value": 1200}, coach.headers).json()
    post(client, f"/api/v1/clients/{olivia.client.pk}/measurements", {"kind": kind["key"], "value": 60},
         olivia.headers)
    goal = _goal(client, coach, olivia.client.pk, title="Plank 2 minutes", measurement_kind=kind["key"],
                 target_value=120)
    assert (goal["target_unit"], goal["start_value"], goal["progress"]) == ("s", 60, 0)
    post(client, f"/api/v1/clients/{olivia.client.pk}/measurements", {"kind": kind["key"], "value": 90},
         olivia.headers)
    assert _get(client, coach, goal["id"])["progress"] == 50
    assert_problem(post(client, f"/api/v1/clients/{olivia.client.pk}/goals",
                        {"title": "Too long", "measurement_kind": kind["key"], "target_value": 5000}, coach.headers),
                   422, "target_value")


# --- the pure arithmetic (targets.py) -----------------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from coachos.progress.targets import measurement_progress  # noqa: E402

values = st.decimals(min_value=Decimal(20), max_value=Decimal(400), places=2, allow_nan=False, allow_infinity=False)


@given(start=values, target=values, a=values, b=values)
def test_progress_is_a_share_of_the_way_and_grows_towards_the_target(start, target, a, b):
    first = measurement_progress(start=start, target=target, current=a)
    assert 0 <= first.percent <= 100
    assert first.reached == (first.percent == 100)
    # Further along the way from the start towards (and past) the target is never less progress.
    if start != target:
        behind, ahead = sorted((a, b), key=lambda v: (v - start) * (1 if target > start else -1))
        assert measurement_progress(start=start, target=target, current=ahead).percent >= \
            measurement_progress(start=start, target=target, current=behind).percent
    assert measurement_progress(start=start, target=target, current=target).reached
    assert measurement_progress(start=None, target=target, current=a).percent == 0
