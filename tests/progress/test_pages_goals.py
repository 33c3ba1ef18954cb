"""Goals on the progress pages, for the team and the client: a new goal (a measurement to reach, a number
of sessions, or none), refusals that keep what was typed, editing, milestones added and ticked off with
htmx, and the history of every change told as sentences."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django_scopes import scope

from coachos.progress import services
from coachos.progress.models import Goal, GoalChange, Milestone
from tests.conftest import login_as

from .test_pages_team import HX, team_url, weigh

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 13, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def goal_form(**fields: Any) -> dict[str, Any]:
    return {"title": "Weigh 170 lb", "why": "", "target_type": "measurement", "measurement_kind": "weight",
            "target_value": "170", "target_unit": "lb", "start_value": "", "sessions": "", "start_date": "2030-03-13",
            "target_date": "2030-06-30", **fields}


def goals_of(org: Any, client: Any) -> list[Goal]:
    with scope(organization=org):
        return list(Goal.objects.filter(client=client).order_by("pk"))


def test_a_coach_sets_a_weight_goal_and_its_page_shows_progress_and_history(org, web, owner, olivia):
    weigh(org, olivia.client, [190, 182], every_days=7)
    page = web.get(team_url(org, olivia.client, "goals/new/"))
    assert page.status_code == 200 and "A new goal for Olivia Martinez" in page.content.decode()
    response = web.post(team_url(org, olivia.client, "goals/new/"), goal_form(start_value="190"))
    [goal] = goals_of(org, olivia.client)
    assert response.status_code == 302 and response["Location"] == team_url(org, olivia.client, f"goals/{goal.pk}/")
    assert (goal.target_type, goal.measurement_kind, goal.target_value, goal.target_unit, goal.created_by_id) == (
        "measurement", "weight", Decimal("170"), "lb", owner.pk)
    assert goal.target_date == date(2030, 6, 30)
    html = web.get(response["Location"]).content.decode()
    assert "Goal set: Weigh 170 lb." in html  # the notice
    assert '<progress value="40" max="100"' in html and "Now 182 lb" in html and "Weight 170 lb" in html
    assert "Goal set: Weigh 170 lb</span>" in html and "Olga" in html  # the history, with who


def test_an_attendance_goal_counts_sessions(org, web, olivia):
    web.post(team_url(org, olivia.client, "goals/new/"),
             goal_form(title="12 sessions", target_type="attendance", sessions="12", measurement_kind="",
                       target_value="", target_unit=""))
    [goal] = goals_of(org, olivia.client)
    assert (goal.target_type, goal.target_sessions) == ("attendance", 12)
    html = web.get(team_url(org, olivia.client, "goals/")).content.decode()
    assert "12 completed sessions" in html and "0 of 12 done" in html


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"title": ""}, "title", "This field is required."),
    ({"target_value": ""}, "target_value", "Enter the target value."),
    ({"target_value": "700", "target_unit": "kg"}, "target_value", "Weight: 700 kg is not plausible."),
    ({"target_unit": "cm"}, "target_unit", "Weight is measured in: kg, lb."),
    ({"target_type": "attendance", "sessions": ""}, "sessions", "Enter how many sessions."),
    ({"target_type": "attendance", "sessions": "0"}, "sessions", "Ensure this value is greater than or equal to 1."),
    ({"target_date": "2030-03-01"}, "target_date", "The target date cannot be before the start date."),
])
def test_a_refused_goal_keeps_what_was_typed_and_writes_nothing(org, web, olivia, fields, field, message):
    response = web.post(team_url(org, olivia.client, "goals/new/"), goal_form(**fields))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error">' in html and message in html[html.index(f'id="id_{field}_error">'):]
    assert f'value="{fields.get("title", "Weigh 170 lb")}"' in html or field == "title"
    assert goals_of(org, olivia.client) == []


def test_a_goal_is_edited_and_each_change_is_in_its_history(org, web, olivia):
    web.post(team_url(org, olivia.client, "goals/new/"), goal_form())
    [goal] = goals_of(org, olivia.client)
    url = team_url(org, olivia.client, f"goals/{goal.pk}/edit/")
    form = web.get(url).content.decode()
    assert 'value="Weigh 170 lb"' in form and '<option value="lb" selected>' in form
    response = web.post(url, {"title": "Weigh 75 kg", "why": "", "status": "in_progress", "target_value": "75",
                              "target_unit": "kg", "start_date": "2030-03-13", "target_date": "2030-06-30"})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.status, goal.target_value, goal.target_unit) == ("Weigh 75 kg", "in_progress",
                                                                              Decimal("75"), "kg")
    html = web.get(team_url(org, olivia.client, f"goals/{goal.pk}/")).content.decode()
    assert "Renamed: Weigh 170 lb → Weigh 75 kg" in html and "Status: Not started → In progress" in html
    assert "Target: 170 → 75" in html and "Target unit: lb → kg" in html
    # A refused change keeps what was typed and changes nothing.
    html = web.post(url, {"title": "Weigh 75 kg", "status": "achieved", "target_value": "7", "target_unit": "kg",
                          "start_date": "2030-03-13", "target_date": ""}).content.decode()
    assert "Weight: 7 kg is not plausible." in html and 'value="7"' in html
    goal.refresh_from_db()
    assert (goal.status, goal.target_value) == ("in_progress", Decimal("75"))


def test_milestones_are_added_ticked_off_and_removed_with_htmx(org, web, olivia):
    with scope(organization=org):
        goal = services.goal_create(client=olivia.client, actor=None, title="Run 5 km")
    url = team_url(org, olivia.client, f"goals/{goal.pk}/milestones/")
    response = web.post(url, {"title": "Run 2 km", "target_date": "2030-04-01"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div id="goal-body"') and "Milestone added." in html
    web.post(url, {"title": "Run 4 km"}, **HX)
    with scope(organization=org):
        first, second = Milestone.objects.filter(goal=goal).order_by("position")
    response = web.post(f"{url}{first.pk}/", {"done": "1"}, **HX)
    html = response.content.decode()
    assert "Milestone done. Nice work!" in html and '<progress value="50" max="100"' in html
    assert "1 of 2 milestones" in html
    goal.refresh_from_db()
    assert goal.status == "in_progress"  # a ticked milestone moves it along by itself
    web.post(f"{url}{second.pk}/", {"remove": "1"}, **HX)
    html = web.post(f"{url}{first.pk}/", {"done": "0"}, **HX).content.decode()
    assert "Milestone reopened." in html
    with scope(organization=org):
        fields = list(GoalChange.objects.filter(goal=goal).values_list("field", flat=True))
    assert fields == ["created", "milestone.added", "milestone.added", "milestone.done", "status",
                      "milestone.removed", "milestone.undone"]
    for text in ("Milestone removed: Run 4 km", "Milestone reopened: Run 2 km", "Status: Not started → In progress",
                 "automatically"):
        assert text in html
    # Refused: no title; the form says so and nothing is added.
    html = web.post(url, {"title": " "}, **HX).content.decode()
    assert 'id="id_title_error">This field is required.' in html
    with scope(organization=org):
        assert Milestone.objects.filter(goal=goal).count() == 1


def test_a_client_sets_their_own_goal_and_ticks_its_milestones_in_the_portal(org, olivia):
    web = login_as(olivia.user)
    portal = f"/portal/{org.slug}/progress/"
    html = web.get(portal).content.decode()
    assert "Set your first goal" in html and f'href="{portal}goals/new/"' in html
    response = web.post(portal + "goals/new/", goal_form(title="Touch my toes", target_type="none",
                                                         measurement_kind="", target_value="", target_unit=""))
    [goal] = goals_of(org, olivia.client)
    assert response["Location"] == f"{portal}goals/{goal.pk}/" and goal.created_by_id == olivia.user.pk
    page = web.get(response["Location"]).content.decode()
    assert '<h1><span id="goal-title">Touch my toes</span>' in page and "Your progress" in page
    response = web.post(f"{portal}goals/{goal.pk}/milestones/", {"title": "Reach my knees"})
    assert response.status_code == 302 and response["Location"].endswith("#goal-milestones")
    with scope(organization=org):
        milestone = Milestone.objects.get(goal=goal)
    web.post(f"{portal}goals/{goal.pk}/milestones/{milestone.pk}/", {"done": "1"}, **HX)
    goal.refresh_from_db()
    assert goal.status == "in_progress"
    html = web.get(portal + "goals/").content.decode()
    assert "Touch my toes" in html and '<progress value="100" max="100"' in html
