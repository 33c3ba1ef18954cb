"""Tasks: the team assigns, the client ticks off once per period, streaks that today's open period does not
break, overdue rules (one-off past due; repeating with the previous period missed), the coach's overdue
list, and the job that announces each missed period once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope
from hypothesis import given
from hypothesis import strategies as st

from coachos.progress import periods
from coachos.progress.models import Task, TaskCompletion
from coachos.progress.selectors.tasks import task_totals
from coachos.progress.services import tasks_note_overdue
from coachos.tenancy.roles import Role
from tests.concurrency import run_concurrently

from .conftest import Person, assert_problem, patch, portal_client, post, team_member

pytestmark = pytest.mark.django_db
MONDAY = datetime(2030, 3, 11, 15, 0, tzinfo=UTC)  # 10:00 in Chicago


def at(day: int, hour: int = 15) -> datetime:
    """``day`` days after Monday 11 March 2030, at ``hour`` UTC."""
    return MONDAY.replace(hour=hour) + timedelta(days=day)


@pytest.fixture(autouse=True)
def _monday(time_machine: Any) -> None:
    time_machine.move_to(MONDAY, tick=False)


def _assign(http: DjangoClient, person: Person, client_id: int, **body: Any) -> dict[str, Any]:
    response = post(http, f"/api/v1/clients/{client_id}/tasks", {"title": "Stretch 10 minutes", **body},
                    person.headers)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def _tick(http: DjangoClient, person: Person, task_id: int, day: str | None = None) -> Any:
    url = f"/api/v1/tasks/{task_id}/done" + (f"?date={day}" if day else "")
    return http.post(url, **person.headers)


def _task(http: DjangoClient, person: Person, task_id: int) -> dict[str, Any]:
    return http.get(f"/api/v1/tasks/{task_id}", **person.headers).json()  # type: ignore[no-any-return]


def test_the_team_assigns_and_the_client_ticks_off_once(client, org, coach, olivia):
    task = _assign(client, coach, olivia.client.pk, due_date="2030-03-13", notes="Hamstrings too")
    assert (task["repeat"], task["start_date"], task["period"], task["done"], task["overdue"]) == (
        "none", "2030-03-11", "2030-03-13", False, False)
    assert task["assigned_by"] == {"id": coach.user.pk, "name": "Jordan Reyes"}
    first = _tick(client, olivia, task["id"])
    again = _tick(client, olivia, task["id"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["done"] is True and again.json() == first.json()
    with scope(organization=org):
        assert TaskCompletion.objects.count() == 1
    undone = client.delete(f"/api/v1/tasks/{task['id']}/done", **olivia.headers)
    assert undone.status_code == 200 and undone.json()["done"] is False


def test_only_the_team_assigns_and_changes_tasks(client, org, coach, olivia):
    assert_problem(post(client, f"/api/v1/clients/{olivia.client.pk}/tasks", {"title": "Self-assigned"},
                        olivia.headers), 403)
    task = _assign(client, coach, olivia.client.pk)
    assert_problem(patch(client, f"/api/v1/tasks/{task['id']}", {"title": "Changed"}, olivia.headers), 403)
    with scope(organization=org):
        assert list(Task.objects.values_list("title", flat=True)) == ["Stretch 10 minutes"]


@pytest.mark.parametrize(("body", "field"), [
    ({"title": ""}, "title"), ({"repeat": "monthly"}, "repeat"), ({"due_date": "2030-03-01"}, "due_date"),
    ({"due_date": 1900000000}, "due_date"), ({"title": 5}, "title"), ({"notes": None}, "notes"),
    ({"due_date": "9999-12-31"}, "due_date"),
])
def test_bad_tasks_are_refused(client, org, coach, olivia, body, field):
    response = post(client, f"/api/v1/clients/{olivia.client.pk}/tasks", {"title": "Walk", **body}, coach.headers)
    assert_problem(response, 422, field)
    with scope(organization=org):
        assert not Task.objects.exists()


def test_a_daily_streak_counts_consecutive_days_and_today_does_not_break_it(client, coach, olivia, time_machine):
    task = _assign(client, coach, olivia.client.pk, repeat="daily")
    for day in range(4):  # Monday to Thursday, ticked each day
        time_machine.move_to(at(day), tick=False)
        assert _tick(client, olivia, task["id"]).status_code == 201
    time_machine.move_to(at(4), tick=False)  # Friday morning, not ticked yet
    friday = _task(client, olivia, task["id"])
    assert (friday["streak"], friday["done"], friday["overdue"], friday["period"]) == (4, False, False, "2030-03-15")
    assert _tick(client, olivia, task["id"]).json()["streak"] == 5
    time_machine.move_to(at(6), tick=False)  # Sunday: Saturday was missed
    sunday = _task(client, olivia, task["id"])
    assert (sunday["streak"], sunday["overdue"], sunday["overdue_since"]) == (0, True, "2030-03-16")
    # Made up the next day (within a week): the streak is whole again.
    assert _tick(client, olivia, task["id"], "2030-03-16").json()["streak"] == 6
    assert _task(client, olivia, task["id"])["overdue"] is False


def test_a_weekly_task_is_one_tick_a_week(client, org, coach, olivia, time_machine):
    task = _assign(client, coach, olivia.client.pk, repeat="weekly")
    time_machine.move_to(at(2), tick=False)
    assert _tick(client, olivia, task["id"]).json()["period"] == "2030-03-11"
    time_machine.move_to(at(4), tick=False)
    assert _tick(client, olivia, task["id"]).status_code == 200  # the same week
    time_machine.move_to(at(8), tick=False)  # Tuesday of the next week
    week_two = _task(client, olivia, task["id"])
    assert (week_two["period"], week_two["streak"], week_two["overdue"]) == ("2030-03-18", 1, False)
    time_machine.move_to(at(15), tick=False)  # a week later: last week was missed
    week_three = _task(client, olivia, task["id"])
    assert (week_three["streak"], week_three["overdue"], week_three["overdue_since"]) == (0, True, "2030-03-18")
    with scope(organization=org):
        assert TaskCompletion.objects.count() == 1


@pytest.mark.parametrize(("day", "field"), [("2030-03-12", "date"), ("2030-03-03", "date"),
                                            ("2030-13-01", "query.date")])
def test_a_tick_for_a_day_to_come_or_long_ago_is_refused(client, coach, olivia, day, field):
    task = _assign(client, coach, olivia.client.pk, repeat="daily")
    assert_problem(_tick(client, olivia, task["id"], day), 422, field)


def test_a_one_off_task_is_overdue_after_its_due_date(client, coach, olivia, time_machine):
    task = _assign(client, coach, olivia.client.pk, due_date="2030-03-12")
    time_machine.move_to(at(1), tick=False)
    assert _task(client, olivia, task["id"])["overdue"] is False  # due today
    time_machine.move_to(at(2), tick=False)
    late = _task(client, olivia, task["id"])
    assert (late["overdue"], late["overdue_since"]) == (True, "2030-03-12")
    _tick(client, olivia, task["id"])
    assert _task(client, olivia, task["id"])["overdue"] is False


def test_a_stopped_task_is_not_overdue_and_cannot_be_ticked(client, coach, olivia, time_machine):
    task = _assign(client, coach, olivia.client.pk, repeat="daily")
    stopped = patch(client, f"/api/v1/tasks/{task['id']}", {"active": False}, coach.headers).json()
    assert (stopped["active"], stopped["ended_on"]) == (False, "2030-03-11")
    time_machine.move_to(at(3), tick=False)
    assert _task(client, coach, task["id"])["overdue"] is False
    assert_problem(_tick(client, olivia, task["id"]), 409)
    assert client.get(f"/api/v1/clients/{olivia.client.pk}/tasks", **olivia.headers).json() == []
    listed = client.get(f"/api/v1/clients/{olivia.client.pk}/tasks?stopped=true", **olivia.headers).json()
    assert [t["id"] for t in listed] == [task["id"]]


def test_repeat_cannot_change_after_the_first_tick(client, coach, olivia):
    task = _assign(client, coach, olivia.client.pk, repeat="daily")
    assert patch(client, f"/api/v1/tasks/{task['id']}", {"repeat": "weekly"}, coach.headers).json()["repeat"] == \
        "weekly"
    _tick(client, olivia, task["id"])
    assert_problem(patch(client, f"/api/v1/tasks/{task['id']}", {"repeat": "daily"}, coach.headers), 409)


def test_the_coach_sees_the_overdue_tasks_of_the_clients_they_see(client, org, boss, coach, olivia, liam, time_machine):
    limited = team_member(org, Role.COACH, sees_all_clients=False, name="Sam Limited")
    mia = portal_client(org, first_name="Mia", last_name="Anderson", coach=limited)
    olivia_daily = _assign(client, boss, olivia.client.pk, title="Log meals", repeat="daily")
    liam_once = _assign(client, boss, liam.client.pk, title="Book a physio", due_date="2030-03-12")
    mia_weekly = _assign(client, boss, mia.client.pk, title="Long walk", repeat="weekly")
    _assign(client, boss, olivia.client.pk, title="Ticked", repeat="daily")  # ticked below: never overdue
    ticked = client.get(f"/api/v1/clients/{olivia.client.pk}/tasks", **boss.headers).json()[-1]
    for day in range(9):
        time_machine.move_to(at(day), tick=False)
        _tick(client, olivia, ticked["id"])
    time_machine.move_to(at(9), tick=False)  # Wednesday of the next week
    everyone = client.get("/api/v1/tasks/overdue", **boss.headers).json()
    assert [(t["id"], t["missed"], t["client"]["id"]) for t in everyone] == [  # the longest overdue first
        (mia_weekly["id"], "2030-03-11", mia.client.pk),
        (liam_once["id"], "2030-03-12", liam.client.pk),
        (olivia_daily["id"], "2030-03-19", olivia.client.pk),
    ]
    assert everyone[1]["client"]["name"] == "Liam Johnson"
    assert [t["id"] for t in client.get("/api/v1/tasks/overdue", **limited.headers).json()] == [mia_weekly["id"]]
    assert_problem(client.get("/api/v1/tasks/overdue", **olivia.headers), 403)


def test_the_job_announces_each_missed_period_once(client, org, coach, olivia, emitted, time_machine):
    daily = _assign(client, coach, olivia.client.pk, repeat="daily")
    once = _assign(client, coach, olivia.client.pk, title="Buy shoes", due_date="2030-03-12")
    time_machine.move_to(at(1), tick=False)
    assert tasks_note_overdue() == 1  # Monday's daily period
    time_machine.move_to(at(1, 20), tick=False)
    assert tasks_note_overdue() == 0  # the same day again: nothing new
    time_machine.move_to(at(2), tick=False)
    assert tasks_note_overdue() == 2  # Tuesday's daily period, and the one-off due Tuesday
    overdue = [(e.object_id, e.data["period"], e.key) for e in emitted if e.name == "task.overdue"]
    assert overdue == [
        (daily["id"], "2030-03-11", f"task.overdue:task:{daily['id']}:2030-03-11"),
        (daily["id"], "2030-03-12", f"task.overdue:task:{daily['id']}:2030-03-12"),
        (once["id"], "2030-03-12", f"task.overdue:task:{once['id']}:2030-03-12"),
    ]


def test_totals_count_ticks_and_periods_due_in_a_range(client, org, coach, olivia, time_machine):
    daily = _assign(client, coach, olivia.client.pk, repeat="daily", due_date="2030-03-20")
    _assign(client, coach, olivia.client.pk, title="Once", due_date="2030-03-14")
    for day in (0, 1, 3):
        time_machine.move_to(at(day), tick=False)
        _tick(client, olivia, daily["id"])
    with scope(organization=org):
        totals = task_totals(olivia.client, start=date(2030, 3, 11), end=date(2030, 3, 17))
        assert (totals.done, totals.due) == (3, 8)  # 7 daily periods + the one-off
        later = task_totals(olivia.client, start=date(2030, 3, 18), end=date(2030, 3, 31))
        assert (later.done, later.due) == (0, 3)  # the daily task ends on the 20th


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ticks_at_once_make_one(org, coach, olivia):
    task = _assign(DjangoClient(), coach, olivia.client.pk, repeat="daily")

    def tick(_i: int) -> int:
        return int(_tick(DjangoClient(), olivia, task["id"]).status_code)

    statuses = run_concurrently(tick, 6, timeout=120).values
    assert sorted(statuses) == [200] * 5 + [201]
    with scope(organization=org):
        assert TaskCompletion.objects.count() == 1


# --- the pure rules (periods.py) ---------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))
repeats = st.sampled_from([periods.Repeat.DAILY, periods.Repeat.WEEKLY])


@given(start=days, offset=st.integers(0, 120), repeat=repeats, ticked=st.sets(st.integers(0, 20), max_size=20))
def test_a_streak_is_the_run_of_ticked_periods_ending_now_or_just_before(start, offset, repeat, ticked):
    today = start + timedelta(days=offset)
    current = periods.period_of(today, repeat)
    done = set()
    period = current
    for back in range(21):
        if back in ticked:
            done.add(period)
        period = periods.previous_period(period, repeat)
    streak = periods.streak(done, today=today, repeat=repeat, start_date=start)
    # Never longer than the task has existed, nor than the ticks.
    first = periods.period_of(start, repeat)
    assert 0 <= streak <= len([p for p in done if p >= first])
    # Ticking today's period never lowers the streak; it adds one when yesterday's run was unbroken.
    with_today = periods.streak(done | {current}, today=today, repeat=repeat, start_date=start)
    assert with_today >= streak
    if current not in done:
        assert with_today == streak + 1
    # Overdue exactly when the previous period (within the task's life) is not ticked.
    missed = periods.previous_period(current, repeat)
    expected = missed if missed >= first and missed not in done else None
    assert periods.overdue_period(done, today=today, repeat=repeat, start_date=start) == expected


@given(start=days, span=st.integers(0, 60), repeat=st.sampled_from(list(periods.Repeat)))
def test_periods_between_are_the_task_periods_in_the_range(start, span, repeat):
    end = start + timedelta(days=span)
    found = periods.periods_between(start, end, repeat=repeat, start_date=start, due_date=end)
    assert all(start <= p <= end for p in found)
    assert found == sorted(set(found))
    if repeat == periods.Repeat.DAILY:
        assert len(found) == span + 1
    if repeat == periods.Repeat.NONE:
        assert found == [end]


# --- tasks from a coach's note (the notes app's ``note.action_item``) ----------------------------------

def test_a_shared_notes_client_item_becomes_the_clients_task_once(client, org, coach, olivia):
    from coachos.notes.services.notes import note_create, note_update

    body = "<ul><li>[ ] Walk 20 minutes after dinner</li><li>[me] Send the meal plan</li></ul>"
    with scope(organization=org):
        private = note_create(client=olivia.client, actor=coach.user, title="Private", body_html=body)
        assert not Task.objects.exists()  # a private note's words stay the team's
        shared = note_create(client=olivia.client, actor=coach.user, title="Plan", body_html=body, shared=True)
        note_update(note=shared, actor=coach.user, base_version=shared.version, body_html=body + "<p>More</p>")
        tasks = list(Task.objects.values_list("title", "origin", "assigned_by", "repeat"))
    assert len(tasks) == 1
    title, origin, assigned_by, repeat = tasks[0]
    assert (title, assigned_by, repeat) == ("Walk 20 minutes after dinner", None, "none")
    assert origin.startswith("note-item:")
    listed = client.get(f"/api/v1/clients/{olivia.client.pk}/tasks", **olivia.headers).json()
    assert [t["title"] for t in listed] == ["Walk 20 minutes after dinner"]
    assert private.pk != shared.pk
