"""What automations write for people: a package's end date as a day (not "2025-06-20"), a time as the
business's locale writes it (not "09:00" for a business in the United States)."""

from __future__ import annotations

from datetime import date
from datetime import time as wall
from types import SimpleNamespace
from typing import Any

import pytest
from django_scopes import scope

from coachos.automations import engine
from coachos.automations.models import Todo
from coachos.automations.views import describe_trigger
from coachos.common import formats
from tests.factories import ClientFactory, ClientPackageFactory

from .conftest import local, make

pytestmark = pytest.mark.django_db


def test_a_todo_names_the_day_a_package_expires(org: Any, time_machine: Any) -> None:
    time_machine.move_to(local(org, date(2025, 6, 14), 8), tick=False)
    client = ClientFactory(organization=org, first_name="Ann", last_name="Lee")
    ClientPackageFactory(client=client, remaining=3, expires_at=local(org, date(2025, 6, 20), 12))
    make(org, trigger_type="condition", condition="package_expires", condition_days=7, time_of_day=wall(9, 0),
         actions=[{"type": "create_todo", "title": "Call {client_name}: package ends {expires_on}"}])
    time_machine.move_to(local(org, date(2025, 6, 14), 9), tick=False)
    engine.tick()
    with scope(organization=org):
        titles = list(Todo.objects.filter(client=client).values_list("title", flat=True))
    assert titles == ["Call Ann Lee: package ends Friday, June 20"]


def test_a_schedule_says_its_time_the_business_way(org: Any) -> None:
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(17, 30))
    with formats.activate(org):  # as the tenancy middleware does for the business's pages
        assert describe_trigger(automation) == "Every day at 5:30\u202fPM"
    with formats.activate(SimpleNamespace(locale="en", country="GB", timezone=org.timezone)):
        assert describe_trigger(automation) == "Every day at 17:30"
