"""Condition triggers: checked once a day, acting once per client per occurrence."""

from __future__ import annotations

from datetime import date, timedelta
from datetime import time as wall

import pytest
from django_scopes import scope, scopes_disabled

from coachos.automations import audience, engine
from coachos.automations.models import AutomationRun, ConditionFire, Todo
from tests.factories import (
    BookingFactory,
    ClientFactory,
    ClientPackageFactory,
    CoachFactory,
    TagFactory,
    TrainingSessionFactory,
)

from .conftest import local, make

pytestmark = pytest.mark.django_db


def daily_ticks(time_machine, org, first: date, last: date, hours=(9, 15)) -> None:
    day = first
    while day <= last:
        for hour in hours:
            time_machine.move_to(local(org, day, hour), tick=False)
            engine.tick()
        day += timedelta(days=1)


def todo_days(org, client) -> list[date]:
    with scope(organization=org):
        return sorted(t.run.started_at.astimezone(org.tzinfo).date()
                      for t in Todo.objects.filter(client=client).select_related("run"))


def book(org, client, coach, day: date, hour: int = 10):
    starts = local(org, day, hour)
    session = TrainingSessionFactory(coach=coach, starts_at=starts, ends_at=starts + timedelta(hours=1))
    return BookingFactory(session=session, client=client)


def test_no_booking_in_30_days_fires_once_per_lapse_and_again_after_a_new_booking_and_a_new_lapse(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 1), 8), tick=False)
    coach = CoachFactory(organization=org)
    never = ClientFactory(organization=org, first_name="Nev")
    regular = ClientFactory(organization=org, first_name="Reg")
    book(org, regular, coach, date(2025, 6, 1))
    make(org, trigger_type="condition", condition="no_booking", condition_days=30, time_of_day=wall(9, 0))

    daily_ticks(time_machine, org, date(2025, 6, 1), date(2025, 7, 5))
    assert todo_days(org, never) == [date(2025, 7, 1)]  # created 1 June, never booked
    assert todo_days(org, regular) == [date(2025, 7, 2)]  # last session 1 June 10:00

    # A new booking (session on 10 July), then a new lapse: the automation acts again, once.
    time_machine.move_to(local(org, date(2025, 7, 5), 16), tick=False)
    book(org, regular, coach, date(2025, 7, 10))
    daily_ticks(time_machine, org, date(2025, 7, 6), date(2025, 8, 15))
    assert todo_days(org, regular) == [date(2025, 7, 2), date(2025, 8, 10)]
    assert todo_days(org, never) == [date(2025, 7, 1)]
    with scopes_disabled():
        assert sorted(ConditionFire.objects.filter(client=regular).values_list("key", flat=True)) == [
            "lapse:2025-06-01", "lapse:2025-07-10"]


def test_a_client_with_an_upcoming_booking_has_not_lapsed(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 1), 8), tick=False)
    coach = CoachFactory(organization=org)
    client = ClientFactory(organization=org)
    book(org, client, coach, date(2025, 8, 1))  # booked far ahead
    make(org, trigger_type="condition", condition="no_booking", condition_days=30, time_of_day=wall(9, 0))
    daily_ticks(time_machine, org, date(2025, 7, 1), date(2025, 7, 20), hours=(9,))
    assert todo_days(org, client) == []


def test_birthday_fires_once_a_year_and_29_february_on_the_28th(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 1), 8), tick=False)
    june = ClientFactory(organization=org, birthday=date(1990, 6, 5))
    leap = ClientFactory(organization=org, birthday=date(2000, 2, 29))
    ClientFactory(organization=org, birthday=None)
    make(org, trigger_type="condition", condition="birthday", time_of_day=wall(9, 0))
    daily_ticks(time_machine, org, date(2025, 6, 1), date(2025, 6, 10), hours=(8, 9, 12, 23))
    daily_ticks(time_machine, org, date(2026, 2, 26), date(2026, 3, 2), hours=(9, 10))
    daily_ticks(time_machine, org, date(2026, 6, 4), date(2026, 6, 6), hours=(9, 10))
    assert todo_days(org, june) == [date(2025, 6, 5), date(2026, 6, 5)]
    assert todo_days(org, leap) == [date(2026, 2, 28)]


def test_package_expiring_within_7_days_fires_once_per_package(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 1), 8), tick=False)
    client = ClientFactory(organization=org)
    ClientPackageFactory(client=client, remaining=3, expires_at=local(org, date(2025, 6, 20), 12))
    ClientPackageFactory(client=ClientFactory(organization=org), remaining=0,
                         expires_at=local(org, date(2025, 6, 20), 12))  # nothing left to lose
    make(org, trigger_type="condition", condition="package_expires", condition_days=7, time_of_day=wall(9, 0))
    daily_ticks(time_machine, org, date(2025, 6, 10), date(2025, 6, 19), hours=(9,))
    assert todo_days(org, client) == [date(2025, 6, 14)]  # 20 June 12:00 is within 7 days from 14 June 09:00


def test_low_credits_fires_once_per_package(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 1), 8), tick=False)
    client = ClientFactory(organization=org)
    first = ClientPackageFactory(client=client, remaining=1, expires_at=local(org, date(2025, 9, 1), 0))
    make(org, trigger_type="condition", condition="low_credits", credits_threshold=1, time_of_day=wall(9, 0))
    daily_ticks(time_machine, org, date(2025, 6, 1), date(2025, 6, 3), hours=(9,))
    assert todo_days(org, client) == [date(2025, 6, 1)]
    # A new package tops the client up; when it runs low in its turn, the automation acts again.
    second = ClientPackageFactory(client=client, remaining=10, expires_at=local(org, date(2025, 9, 1), 0))
    daily_ticks(time_machine, org, date(2025, 6, 4), date(2025, 6, 5), hours=(9,))
    with scopes_disabled():
        type(first).objects.filter(pk__in=[first.pk, second.pk]).update(remaining=0)
        type(second).objects.filter(pk=second.pk).update(remaining=1)
    daily_ticks(time_machine, org, date(2025, 6, 6), date(2025, 6, 7), hours=(9,))
    assert todo_days(org, client) == [date(2025, 6, 1), date(2025, 6, 6)]


def test_filters_by_tag_and_status(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 5), 8), tick=False)
    vip = TagFactory(organization=org, name="VIP")
    tagged = ClientFactory(organization=org, birthday=date(1990, 6, 5))
    with scope(organization=org):
        tagged.tags.add(vip)
        paused = ClientFactory(organization=org, birthday=date(1990, 6, 5), status="paused")
        paused.tags.add(vip)
    untagged = ClientFactory(organization=org, birthday=date(1990, 6, 5))
    make(org, trigger_type="condition", condition="birthday", time_of_day=wall(9, 0), tags=[vip],
         statuses=["active"])
    time_machine.move_to(local(org, date(2025, 6, 5), 9), tick=False)
    engine.tick()
    assert todo_days(org, tagged) == [date(2025, 6, 5)]
    assert todo_days(org, paused) == [] and todo_days(org, untagged) == []


def test_the_dry_run_reaches_exactly_whom_the_real_run_reaches(org, time_machine):
    time_machine.move_to(local(org, date(2025, 5, 1), 8), tick=False)
    coach = CoachFactory(organization=org)
    lapsed = [ClientFactory(organization=org) for _ in range(3)]
    for hour, client in enumerate(lapsed, start=10):
        book(org, client, coach, date(2025, 5, 2), hour)
    recent = ClientFactory(organization=org)
    book(org, recent, coach, date(2025, 6, 20))
    archived = ClientFactory(organization=org, status="archived")
    automation = make(org, trigger_type="condition", condition="no_booking", condition_days=30,
                      time_of_day=wall(9, 0), statuses=["active", "lead"])
    time_machine.move_to(local(org, date(2025, 6, 25), 9), tick=False)
    with scope(organization=org):
        preview = {t.client_id for t in audience.audience(automation, now=local(org, date(2025, 6, 25), 9))}
    engine.tick()
    with scopes_disabled():
        run = AutomationRun.objects.get(automation=automation)
    assert preview == set(run.client_ids) == {c.pk for c in lapsed}
    assert recent.pk not in preview and archived.pk not in preview
    with scope(organization=org):  # and once acted on, the dry run no longer shows them
        assert audience.audience(automation, now=local(org, date(2025, 6, 25), 10)) == []
