"""Achievements celebrated: a goal achieved rings the team's bell (those who see the client, not the one
who marked it) and congratulates the client (bell and email, as their preferences allow), once. And
automations can start from progress's events: goal achieved, task missed, measurement recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from coachos.automations.models import AutomationRun, Todo
from coachos.comms.models import Notification, NotificationPreference, OutboundMessage
from coachos.progress import services
from coachos.progress.alerts import CLIENT_KIND, TEAM_KIND
from coachos.progress.models import Goal
from coachos.progress.periods import Repeat
from tests.automations.conftest import make

from .conftest import Person, post, team_member

pytestmark = pytest.mark.django_db
NOW = datetime(2030, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def weight_goal(org: Any, olivia: Person, coach: Person) -> Goal:
    with scope(organization=org):
        services.measurement_record(client=olivia.client, actor=coach.user, kind="weight", value=Decimal(82),
                                    unit="kg", measured_at=NOW - timedelta(days=20))
        return services.goal_create(client=olivia.client, actor=coach.user, title="Reach 75 kg {really}",
                                    measurement_kind="weight", target_value=Decimal(75), target_unit="kg")


def weigh(org: Any, olivia: Person, kg: str) -> None:
    with scope(organization=org):
        services.measurement_record(client=olivia.client, actor=olivia.user, kind="weight", value=Decimal(kg),
                                    unit="kg")


def bells(org: Any, kind: str) -> list[Notification]:
    with scopes_disabled():
        return list(Notification.objects.filter(organization=org, kind=kind).select_related("user").order_by("pk"))


def emails(org: Any, kind: str) -> list[OutboundMessage]:
    with scopes_disabled():
        return list(OutboundMessage.objects.filter(organization=org, kind=kind, channel="email").order_by("pk"))


def test_a_goal_reached_by_a_measurement_is_celebrated_once(org, boss, coach, olivia):
    goal = weight_goal(org, olivia, coach)
    weigh(org, olivia, "74.5")
    weigh(org, olivia, "74")  # past the target again: already achieved, nothing new
    with scope(organization=org):
        assert Goal.objects.get(pk=goal.pk).status == Goal.Status.ACHIEVED
    team = bells(org, TEAM_KIND)
    assert sorted(b.user.pk for b in team) == sorted([boss.user.pk, coach.user.pk])
    assert team[0].title == "Olivia Martinez achieved a goal: Reach 75 kg (really)"
    assert team[0].client_id == olivia.client.pk and team[0].related_id == goal.pk
    [mine] = bells(org, CLIENT_KIND)
    assert mine.user == olivia.user and mine.title == "Congratulations! You reached your goal: Reach 75 kg (really)"
    [email] = emails(org, CLIENT_KIND)
    assert email.to == olivia.client.email and email.status in ("queued", "deferred")
    assert "You reached your goal “Reach 75 kg (really)”" in email.body
    assert emails(org, TEAM_KIND) == []  # the team's default is the bell alone


def test_the_member_who_marked_it_is_not_told_and_a_limited_coach_hears_only_of_their_clients(
        client, org, boss, coach, olivia, liam):
    casey = team_member(org, sees_all_clients=False, name="Casey Coach")  # limited, not Olivia's coach
    with scope(organization=org):
        goal = services.goal_create(client=olivia.client, actor=coach.user, title="Run 5 km")
    response = client.patch(f"/api/v1/goals/{goal.pk}", data='{"status": "achieved"}',
                            content_type="application/json", **coach.headers)
    assert response.status_code == 200, response.content
    assert [b.user.pk for b in bells(org, TEAM_KIND)] == [boss.user.pk]  # not Jordan (who did it), not Casey
    assert len(bells(org, CLIENT_KIND)) == 1
    assert casey.user.pk not in {b.user.pk for b in bells(org, TEAM_KIND)}


def test_the_clients_preferences_apply(org, coach, olivia):
    with scope(organization=org):
        for via in ("email", "in_app"):
            NotificationPreference.objects.create(organization=org, user=olivia.user, kind=CLIENT_KIND, via=via,
                                                  enabled=False)
    weight_goal(org, olivia, coach)
    weigh(org, olivia, "75")
    assert bells(org, CLIENT_KIND) == []
    assert [e.status for e in emails(org, CLIENT_KIND)] == ["suppressed"]  # the row says why nothing went
    assert len(bells(org, TEAM_KIND)) == 1  # the coach still hears


# --- automations -------------------------------------------------------------------------------

def runs(org: Any) -> list[AutomationRun]:
    with scopes_disabled():
        return list(AutomationRun.objects.filter(organization=org).order_by("pk"))


def test_an_automation_runs_when_a_goal_is_achieved(org, coach, olivia, django_capture_on_commit_callbacks):
    automation = make(org, trigger_type="event", event="goal.achieved",
                      actions=[{"type": "create_todo", "title": "Celebrate with {client_name}"}])
    goal = weight_goal(org, olivia, coach)
    with django_capture_on_commit_callbacks(execute=True):
        weigh(org, olivia, "74")
    with django_capture_on_commit_callbacks(execute=True):
        weigh(org, olivia, "73")  # no second achievement, no second run
    [run] = runs(org)
    assert run.status == "succeeded" and run.client_ids == [olivia.client.pk]
    assert run.trigger_data == {"name": "goal.achieved", "object_type": "goal", "object_id": goal.pk,
                                "data": {"by": "auto", "actor_id": None}}
    with scope(organization=org):
        assert [t.title for t in Todo.objects.filter(automation=automation)] == ["Celebrate with Olivia Martinez"]


def test_an_automation_runs_once_per_missed_task_period(org, coach, olivia, django_capture_on_commit_callbacks):
    make(org, trigger_type="event", event="task.overdue")
    with scope(organization=org):
        services.task_create(client=olivia.client, actor=coach.user, title="Stretch", repeat=Repeat.DAILY,
                             start_date=date(2030, 3, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tasks_note_overdue(now=NOW) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tasks_note_overdue(now=NOW + timedelta(hours=1)) == 0
    [run] = runs(org)
    assert run.trigger_data["name"] == "task.overdue" and run.trigger_data["data"] == {"period": "2030-03-09"}


def test_the_api_and_the_editor_offer_the_progress_events(client, org, boss, web):
    for event in ("goal.achieved", "task.overdue", "measurement.recorded"):
        response = post(client, "/api/v1/automations", {
            "name": f"On {event}", "trigger_type": "event", "event": event,
            "actions": [{"type": "create_todo", "title": "Look at {client_name}'s progress"}]}, boss.headers)
        assert response.status_code == 201, response.content
    page = web.get(f"/o/{org.slug}/automations/new/").content.decode()
    for label in ("A client achieves a goal", "A client misses a task", "A measurement is recorded for a client"):
        assert label in page


def test_the_client_may_switch_the_celebrations_and_the_monthly_report_off():
    from coachos.comms.notifications import preference_kinds
    from coachos.progress.alerts import REPORT_KIND

    offered = [kind.key for kind in preference_kinds("client")]
    assert CLIENT_KIND in offered and REPORT_KIND in offered
    assert TEAM_KIND in [kind.key for kind in preference_kinds("team")]
