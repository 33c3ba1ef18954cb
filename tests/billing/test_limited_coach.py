"""The payments pages for a coach the owner limited to their own clients (who may see money): the
overview, the payments list and the memberships list leave other clients out, and another client's
purchase is a 404 (detail, receipt, refund, cancel)."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from coachos.billing.models import Purchase
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, PurchaseFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(org: Organization) -> Any:
    return member(org, Role.COACH, email="maya@example.com", name="Maya Coach")


def _limit(org: Organization, user: Any) -> Membership:
    with scope(organization=org):
        membership = Membership.objects.get(user=user)
        membership.sees_all_clients = False
        membership.save()
        return membership


def test_limited_coach_payments_pages_leave_other_clients_out(org, coach):
    mine = _limit(org, coach)
    with scope(organization=org):
        own = PurchaseFactory(client=ClientFactory(organization=org, first_name="Zoe", last_name="Allen",
                                                   coach_membership=mine), flagged=True)
        other = PurchaseFactory(client=ClientFactory(organization=org, first_name="Otto", last_name="Other"),
                                flagged=True, status=Purchase.Status.PENDING)
    web = login_as(coach)
    base = f"/o/{org.slug}/payments/"
    overview = web.get(base)
    assert overview.status_code == 200 and "Otto" not in overview.content.decode()
    assert (overview.context["pending_count"], list(overview.context["flagged"])) == (0, [own])
    assert list(web.get(base + "list/").context["page"].object_list) == [own]
    assert list(web.get(base + "list/?q=Otto").context["page"].object_list) == []
    assert web.get(f"{base}{own.pk}/").status_code == 200
    for path in ("", "receipt.pdf"):
        assert web.get(f"{base}{other.pk}/{path}").status_code == 404, path
    assert web.post(f"{base}{other.pk}/cancel/").status_code == 404
    with scope(organization=org):
        other.refresh_from_db()
        assert other.status == Purchase.Status.PENDING
    assert web.get(f"{base}record/").context["form"].fields["client"].queryset.filter(pk=other.client_id).count() == 0
