"""A batch of due runs: each business acts in its own savepoint (one that fails is undone alone),
and the runs' records commit in one transaction with what they did — or nothing does."""

from __future__ import annotations

from datetime import date
from datetime import time as wall
from typing import Any

import pytest
from django.db import IntegrityError
from django_scopes import scope, scopes_disabled

from coachos.automations import engine, runner
from coachos.automations.models import AutomationRun, ConditionFire, Todo
from tests.factories import ClientFactory, OrganizationFactory

from .conftest import local, make

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(org, time_machine):
    """Two businesses in the same zone, each with a client, a daily to-do and a daily check, due at 9:00."""
    time_machine.move_to(local(org, date(2025, 6, 2), 8), tick=False)
    businesses = [org, OrganizationFactory(timezone=org.timezone)]
    for business in businesses:
        with scope(organization=business):
            ClientFactory(organization=business, birthday=date(1990, 6, 2))
        make(business, name="Call", trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
        make(business, name="Birthday", trigger_type="condition", condition="birthday", time_of_day=wall(9, 0))
    time_machine.move_to(local(org, date(2025, 6, 2), 9), tick=False)
    return businesses


def kept(business) -> tuple[list[str], int, int]:
    with scopes_disabled():
        runs = AutomationRun.objects.filter(organization=business)
        return (sorted(runs.values_list("status", flat=True)), Todo.objects.filter(organization=business).count(),
                ConditionFire.objects.filter(organization=business).count())


def test_a_business_whose_actions_fail_is_undone_alone(two, monkeypatch):
    broken, fine = two
    perform = runner.perform

    def failing_for_one(*, run: Any, **kwargs: Any) -> Any:
        outcomes = perform(run=run, **kwargs)  # the to-do is written…
        if run.organization_id == broken.pk:
            raise IntegrityError("the database said no")  # …then the database refuses something
        return outcomes

    monkeypatch.setattr(runner, "perform", failing_for_one)
    assert engine.tick()["runs"] == 4
    assert kept(broken) == (["failed", "failed"], 0, 0)  # nothing it did was kept
    assert kept(fine) == (["succeeded", "succeeded"], 2, 1)
    with scopes_disabled():
        errors = set(AutomationRun.objects.filter(organization=broken).values_list("error", flat=True))
    assert len(errors) == 1 and "stopped on an error (IntegrityError)" in errors.pop()


def test_the_records_commit_with_what_the_runs_did_or_nothing_does(two, monkeypatch):
    def no_records(runs: Any) -> None:
        raise IntegrityError("the database went away")

    monkeypatch.setattr(runner, "save_records", no_records)
    assert engine.tick()["runs"] == 4
    for business in two:  # the to-dos and occurrences were undone with the records; the runs say so
        assert kept(business) == (["failed", "failed"], 0, 0)
    with scopes_disabled():
        assert all("nothing it did was kept" in e for e in AutomationRun.objects.values_list("error", flat=True))
