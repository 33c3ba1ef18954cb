"""What an owner lets one coach see and do (Team page): money, packages and prices."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.tenancy import services
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Perm, Role

from ..conftest import bearer, login_as
from ..factories import PackagePlanFactory, member


@pytest.fixture
def coach(org: Organization) -> Any:
    return member(org, Role.COACH, email="maya@example.com", name="Maya Coach")


def _membership(org: Organization, user: Any) -> Membership:
    with scope(organization=org):
        return Membership.objects.get(user=user)


def _set(org: Organization, user: Any, **access: bool) -> Membership:
    with scope(organization=org):
        return services.membership_set_access(membership=Membership.objects.get(user=user), actor=None,
                                              **{"sees_all_clients": True, "sees_money": True,
                                                 "edits_prices": True, **access})


def test_coaches_see_everything_by_default(org, coach):
    membership = _membership(org, coach)
    assert membership.sees_all_clients and not membership.own_clients_only
    assert membership.has(Perm.MONEY) and membership.has(Perm.EDIT_PRICES)


def test_owner_sets_a_coachs_access_on_the_team_page(org, web, coach):
    target = _membership(org, coach)
    page = web.get(f"/o/{org.slug}/team/").content.decode()
    assert f'data-testid="coach-access-{target.pk}"' in page
    response = web.post(f"/o/{org.slug}/team/members/{target.pk}/access/", {"sees_money": "on"})
    assert response.status_code == 302
    target = _membership(org, coach)
    assert (target.sees_all_clients, target.sees_money, target.edits_prices) == (False, True, False)
    assert target.own_clients_only
    with scope(organization=org):
        entry = org.audit_entries.get(action="membership.access_changed")
    assert entry.data["changed"] == {"sees_all_clients": [True, False], "edits_prices": [True, False]}


def test_only_owners_change_access(org, coach):
    other = member(org, Role.COACH, email="other@example.com")
    target = _membership(org, other)
    login_as(coach).post(f"/o/{org.slug}/team/members/{target.pk}/access/", {})
    assert _membership(org, other).sees_all_clients


def test_an_owners_access_cannot_be_limited(org, owner):
    with pytest.raises(services.TenancyError):
        _set(org, owner, sees_all_clients=False, sees_money=False, edits_prices=False)


def test_access_of_another_business_is_404(org, other_org, web):
    far = member(other_org, Role.COACH, email="far@example.com")
    target = _membership(other_org, far)
    assert web.post(f"/o/{org.slug}/team/members/{target.pk}/access/", {}).status_code == 404
    assert _membership(other_org, far).sees_all_clients


def test_a_coach_without_money_gets_403_on_money_pages_and_api(org, coach):
    _set(org, coach, sees_money=False)
    web = login_as(coach)
    assert web.get(f"/o/{org.slug}/payments/").status_code == 403
    assert web.get(f"/o/{org.slug}/books/").status_code == 403
    assert web.get(f"/o/{org.slug}/clients/").status_code == 200
    assert DjangoClient().get("/api/v1/purchases", **bearer(coach, org)).status_code == 403


def test_a_coach_without_prices_cannot_edit_packages(org, coach):
    with scope(organization=org):
        plan = PackagePlanFactory(organization=org, name="Intro pack")
    web = login_as(coach)
    assert web.get(f"/o/{org.slug}/packages/new/").status_code == 200
    _set(org, coach, edits_prices=False)
    assert web.get(f"/o/{org.slug}/packages/new/").status_code == 403
    assert web.get(f"/o/{org.slug}/packages/{plan.pk}/edit/").status_code == 403
    assert web.post(f"/o/{org.slug}/packages/{plan.pk}/off-sale/").status_code == 403
    assert web.get(f"/o/{org.slug}/packages/").status_code == 200
    api = DjangoClient().post("/api/v1/package-plans", {"name": "X", "sessions": 1, "price_minor": 100},
                              content_type="application/json", **bearer(coach, org))
    assert api.status_code == 403
    with scope(organization=org):
        plan.refresh_from_db()
        assert plan.active
