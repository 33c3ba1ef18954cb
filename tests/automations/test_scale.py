"""The scheduler's own work costs a fixed number of queries per claimed batch, whatever the number
of automations due (what each action does is its own: left out here)."""

from __future__ import annotations

from datetime import date
from datetime import time as wall
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from coachos.automations import engine, runner
from coachos.automations.models import AutomationRun, ConditionFire
from tests.factories import ClientFactory, OrganizationFactory, TagFactory

from .conftest import local, make

pytestmark = pytest.mark.django_db


def _automations(org: Any, n: int, tag: Any) -> None:
    for i in range(n):
        make(org, name=f"Daily {i}", trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
        make(org, name=f"Lapse {i}", trigger_type="condition", condition="no_booking", condition_days=10 + i,
             time_of_day=wall(9, 0), statuses=["active"])
        make(org, name=f"Tagged birthday {i}", trigger_type="condition", condition="birthday", time_of_day=wall(9, 0),
             tags=[tag])


def test_a_tick_costs_the_same_queries_for_3_or_12_automations_per_business(org, time_machine, monkeypatch):
    def done(*, run: Any, targets: Any, **kwargs: Any) -> list[dict[str, Any]]:  # every action "done", no queries
        return [{"client": t.client_id, "action": 0, "status": "ok", "detail": "", "message": None, "related": None}
                for t in targets]

    monkeypatch.setattr(runner, "perform", done)
    businesses = (org, OrganizationFactory(timezone=org.timezone))
    time_machine.move_to(local(org, date(2025, 6, 2), 8), tick=False)
    tags = {}
    for business in businesses:
        tags[business.pk] = TagFactory(organization=business, name="VIP")
        with scope(organization=business):
            for n in range(4):
                client = ClientFactory(organization=business, birthday=date(1990, 6, 2 + n % 2))
                client.tags.add(tags[business.pk])
        _automations(business, 1, tags[business.pk])
    counted = []
    for day, more in ((date(2025, 6, 2), 0), (date(2025, 6, 3), 3)):
        time_machine.move_to(local(org, day, 8), tick=False)
        for business in businesses:
            _automations(business, more, tags[business.pk])  # 3 per business on the 2nd, 12 on the 3rd
        time_machine.move_to(local(org, day, 9), tick=False)
        with CaptureQueriesContext(connection) as queries:
            totals = engine.tick()
        counted.append((totals["runs"], len(queries.captured_queries)))
    with scopes_disabled():
        assert set(AutomationRun.objects.values_list("status", flat=True)) == {"succeeded"}
        assert ConditionFire.objects.exists()
    (few, first), (many, second) = counted
    assert (few, many) == (6, 24)
    assert second == first
