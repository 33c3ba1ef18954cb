"""The books for a coach the owner limited to their own clients (who may see money): revenue by
client and the ledger leave other clients out; another client's ledger entry is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, MoneyEventFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(org: Organization) -> Any:
    return member(org, Role.COACH, email="maya@example.com", name="Maya Coach")


def test_limited_coach_books_leave_other_clients_out(org, coach, owner):
    with scope(organization=org):
        mine = Membership.objects.get(user=coach)
        mine.sees_all_clients = False
        mine.save()
        own = MoneyEventFactory(organization=org, client=ClientFactory(organization=org, first_name="Zoe",
                                                                       last_name="Allen", coach_membership=mine))
        other = MoneyEventFactory(organization=org, client=ClientFactory(organization=org, first_name="Otto",
                                                                         last_name="Other"))
    web = login_as(coach)
    revenue = web.get(f"/o/{org.slug}/books/revenue/")
    assert [row.name for row in revenue.context["by_client"]] == ["Zoe Allen"]
    ledger = web.get(f"/o/{org.slug}/books/ledger/").content.decode()
    assert "Zoe" in ledger and "Otto" not in ledger
    assert web.get(f"/o/{org.slug}/books/ledger/{own.pk}/").status_code == 200
    assert web.get(f"/o/{org.slug}/books/ledger/{other.pk}/").status_code == 404
    everyone = login_as(owner).get(f"/o/{org.slug}/books/revenue/")
    assert {row.name for row in everyone.context["by_client"]} == {"Zoe Allen", "Otto Other"}
