"""The dashboard of a coach the owner limited to their own clients counts only those clients
(low on credits, expiring packages, to-dos, failed payments, portal logins)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from coachos.automations.models import Todo
from coachos.billing.models import Purchase
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, ClientPackageFactory, PurchaseFactory, UserFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(org: Organization) -> Any:
    return member(org, Role.COACH, email="maya@example.com", name="Maya Coach")


def _limit(org: Organization, user: Any, **changes: bool) -> Membership:
    with scope(organization=org):
        membership = Membership.objects.get(user=user)
        for field, value in {"sees_all_clients": False, **changes}.items():
            setattr(membership, field, value)
        membership.save()
        return membership


def _two_clients_needing_attention(org: Organization, mine: Membership) -> None:
    soon = timezone.now() + timedelta(days=3)
    with scope(organization=org):
        for coach_membership, name in ((mine, "Zoe"), (None, "Otto")):
            client = ClientFactory(organization=org, first_name=name, coach_membership=coach_membership,
                                   user=UserFactory(email=f"{name.lower()}@example.com"))
            ClientPackageFactory(client=client, remaining=1, expires_at=soon)
            Todo.objects.create(organization=org, client=client, title=f"Call {name}")
            PurchaseFactory(client=client, status=Purchase.Status.FAILED)


def test_limited_coach_dashboard_counts_only_their_clients(org, coach, owner):
    limited = _limit(org, coach)
    _two_clients_needing_attention(org, limited)
    response = login_as(coach).get(f"/o/{org.slug}/")
    assert response.status_code == 200
    assert response.context["credit_counts"] == {"low_credits": 1, "expiring_packages": 1}
    attention = response.context["attention"]
    assert (attention["low_credits"], attention["todos"], attention["failed_payments"]) == (1, 1, 1)
    assert response.context["client_count"] == 1

    everyone = login_as(owner).get(f"/o/{org.slug}/")
    assert everyone.context["credit_counts"] == {"low_credits": 2, "expiring_packages": 2}
    assert (everyone.context["attention"]["todos"], everyone.context["attention"]["failed_payments"]) == (2, 2)
