"""The scheduler's tick: once per due time, never on every tick; in the business's zone; through
DST and month ends; two ticks at once make one run."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as wall

import pytest
from django_scopes import scope, scopes_disabled

from coachos.automations import engine
from coachos.automations.models import Automation, AutomationRun, Todo
from tests.concurrency import run_concurrently
from tests.factories import ClientFactory, OrganizationFactory

from .conftest import local, make

pytestmark = pytest.mark.django_db


def runs_of(automation) -> list[AutomationRun]:
    with scopes_disabled():
        return list(AutomationRun.objects.filter(automation=automation).order_by("due_at"))


def tick_every(time_machine, start: datetime, end: datetime, step: timedelta) -> None:
    now = start
    while now <= end:
        time_machine.move_to(now, tick=False)
        engine.tick()
        now += step


def test_a_tick_every_minute_for_a_day_makes_exactly_one_daily_run(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 2), 0, 0), tick=False)
    with scope(organization=org):
        ClientFactory(organization=org)
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
    tick_every(time_machine, local(org, date(2025, 6, 2), 0, 0), local(org, date(2025, 6, 2), 23, 59),
               timedelta(minutes=1))
    runs = runs_of(automation)
    assert len(runs) == 1
    assert runs[0].due_at == local(org, date(2025, 6, 2), 9, 0)
    assert runs[0].started_at == local(org, date(2025, 6, 2), 9, 0)
    assert runs[0].status == AutomationRun.Status.SUCCEEDED
    with scope(organization=org):
        assert Todo.objects.count() == 1
    automation.refresh_from_db()
    assert automation.next_run_at == local(org, date(2025, 6, 3), 9, 0)


def test_a_weekly_automation_runs_on_its_days_only_not_on_every_tick(org, time_machine):
    # The earlier product fired weekly automations on every cron run: here three weeks of ticks
    # every 20 minutes make exactly one run per chosen day.
    time_machine.move_to(local(org, date(2025, 6, 2), 0, 0), tick=False)
    automation = make(org, trigger_type="schedule", frequency="weekly", weekdays=[0, 3], time_of_day=wall(18, 15))
    tick_every(time_machine, local(org, date(2025, 6, 2), 0, 5), local(org, date(2025, 6, 22), 23, 55),
               timedelta(minutes=20))
    assert [r.due_at.astimezone(org.tzinfo).strftime("%a %d %H:%M") for r in runs_of(automation)] == [
        "Mon 02 18:15", "Thu 05 18:15", "Mon 09 18:15", "Thu 12 18:15", "Mon 16 18:15", "Thu 19 18:15"]


def test_daily_at_nine_runs_at_nine_local_on_both_sides_of_the_march_change(time_machine):
    org = OrganizationFactory(timezone="America/Chicago")
    time_machine.move_to(local(org, date(2025, 3, 7), 12), tick=False)
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
    tick_every(time_machine, local(org, date(2025, 3, 7), 12), local(org, date(2025, 3, 11), 12),
               timedelta(minutes=15))
    runs = runs_of(automation)
    assert [r.started_at.astimezone(org.tzinfo).strftime("%d %H:%M") for r in runs] == [
        "08 09:00", "09 09:00", "10 09:00", "11 09:00"]
    assert [r.due_at.astimezone(org.tzinfo).utcoffset() for r in runs] == [
        timedelta(hours=-6), timedelta(hours=-5), timedelta(hours=-5), timedelta(hours=-5)]


def test_daily_at_nine_runs_at_nine_local_on_both_sides_of_the_november_change(time_machine):
    org = OrganizationFactory(timezone="America/Chicago")
    time_machine.move_to(local(org, date(2025, 10, 31), 12), tick=False)
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
    tick_every(time_machine, local(org, date(2025, 10, 31), 12), local(org, date(2025, 11, 4), 12),
               timedelta(minutes=15))
    runs = runs_of(automation)
    assert [r.started_at.astimezone(org.tzinfo).strftime("%d %H:%M") for r in runs] == [
        "01 09:00", "02 09:00", "03 09:00", "04 09:00"]
    assert [r.due_at.astimezone(org.tzinfo).utcoffset() for r in runs] == [
        timedelta(hours=-5), timedelta(hours=-6), timedelta(hours=-6), timedelta(hours=-6)]


@pytest.mark.smoke
def test_monthly_on_the_31st_runs_on_the_last_day_of_february_and_april(org, time_machine):
    time_machine.move_to(local(org, date(2025, 1, 30), 0), tick=False)
    automation = make(org, trigger_type="schedule", frequency="monthly", day_of_month=31, time_of_day=wall(8, 0))
    for day in (date(2025, 1, 30), date(2025, 1, 31), date(2025, 2, 27), date(2025, 2, 28), date(2025, 3, 1),
                date(2025, 3, 30), date(2025, 3, 31), date(2025, 4, 29), date(2025, 4, 30), date(2025, 5, 1)):
        for hour in (7, 8, 9, 23):
            time_machine.move_to(local(org, day, hour), tick=False)
            engine.tick()
    assert [r.due_at.astimezone(org.tzinfo).date() for r in runs_of(automation)] == [
        date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]


def test_due_times_missed_while_nothing_ran_make_one_run_then_the_schedule_goes_on(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 2), 8), tick=False)
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
    time_machine.move_to(local(org, date(2025, 6, 5), 15), tick=False)  # three days down
    engine.tick()
    engine.tick()
    runs = runs_of(automation)
    assert len(runs) == 1 and runs[0].due_at == local(org, date(2025, 6, 2), 9)
    automation.refresh_from_db()
    assert automation.next_run_at == local(org, date(2025, 6, 6), 9)


def test_switched_off_and_event_automations_are_never_claimed(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 2), 8), tick=False)
    off = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0), enabled=False)
    event = make(org, trigger_type="event", event="client.created")
    assert off.next_run_at is None and event.next_run_at is None
    time_machine.move_to(local(org, date(2025, 6, 3), 10), tick=False)
    assert engine.tick()["runs"] == 0


def test_switching_on_schedules_the_next_due_time_from_now(org, time_machine):
    from coachos.automations import services

    time_machine.move_to(local(org, date(2025, 6, 2), 10), tick=False)
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0), enabled=False)
    with scope(organization=org):
        services.automation_set_enabled(automation=automation, actor=None, enabled=True)
    automation.refresh_from_db()
    assert automation.next_run_at == local(org, date(2025, 6, 3), 9)  # today's 09:00 has passed


def test_a_run_left_running_by_a_dead_worker_is_marked_interrupted(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 2), 10), tick=False)
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
    with scopes_disabled():
        stuck = AutomationRun.objects.create(organization=org, automation=automation, trigger="schedule",
                                             due_at=local(org, date(2025, 6, 1), 9),
                                             started_at=local(org, date(2025, 6, 2), 8))
    assert engine.tick()["interrupted"] == 1
    stuck.refresh_from_db()
    assert stuck.status == AutomationRun.Status.FAILED
    assert "interrupted" in stuck.error and stuck.can_retry


def test_the_same_due_time_cannot_be_recorded_twice(org, time_machine):
    from django.db import IntegrityError, transaction

    time_machine.move_to(local(org, date(2025, 6, 2), 10), tick=False)
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
    due = local(org, date(2025, 6, 2), 9)
    with scopes_disabled():
        AutomationRun.objects.create(organization=org, automation=automation, trigger="schedule", due_at=due,
                                     started_at=due)
        with pytest.raises(IntegrityError), transaction.atomic():
            AutomationRun.objects.create(organization=org, automation=automation, trigger="schedule", due_at=due,
                                         started_at=due)
    # And a claim that finds the due time already run writes no second run.
    with scopes_disabled():
        Automation.objects.filter(pk=automation.pk).update(next_run_at=due)
    assert engine.tick()["runs"] == 0
    assert len(runs_of(automation)) == 1


@pytest.mark.postgres
@pytest.mark.xdist_group("concurrency")
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_make_one_run_per_due_time(time_machine):
    org = OrganizationFactory(timezone="America/Chicago")
    time_machine.move_to(local(org, date(2025, 6, 2), 8), tick=False)
    automations = [make(org, name=f"Daily {i}", trigger_type="schedule", frequency="daily",
                        time_of_day=wall(9, 0)) for i in range(20)]
    time_machine.move_to(local(org, date(2025, 6, 2), 9, 0), tick=False)
    results = run_concurrently(lambda _i: engine.tick(), 4, timeout=120).values
    assert sum(r["runs"] for r in results) == 20
    with scopes_disabled():
        assert AutomationRun.objects.count() == 20
        assert sorted(AutomationRun.objects.values_list("automation_id", flat=True)) == sorted(
            a.pk for a in automations)
        assert set(AutomationRun.objects.values_list("status", flat=True)) == {"succeeded"}
        assert set(Automation.objects.values_list("next_run_at", flat=True)) == {local(org, date(2025, 6, 3), 9)}
