"""The packages and credits API contract."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from coachos.credits.models import ClientPackage, PackagePlan
from coachos.tenancy.roles import Role

from ..conftest import bearer
from ..factories import BookingFactory, ClientFactory, member

pytestmark = pytest.mark.django_db


def _post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_plan_give_use_and_read_the_ledger(client, org, owner):
    auth = bearer(owner, org)
    response = _post(client, "/api/v1/package-plans", {"name": "5 pack", "sessions": 2, "price_minor": 40000,
                                                       "validity_days": 30}, auth)
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    customer = ClientFactory(organization=org)
    response = _post(client, f"/api/v1/clients/{customer.pk}/packages", {"plan": plan_id}, auth)
    assert response.status_code == 201, response.content
    package = response.json()
    assert package["remaining"] == 2
    assert package["expires_at"]
    for expected in (1, 0):
        response = client.post(f"/api/v1/client-packages/{package['id']}/use", **auth)
        assert response.status_code == 200
        assert response.json() == {"remaining": expected}
    response = client.post(f"/api/v1/client-packages/{package['id']}/use", **auth)
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert "No credits left" in response.json()["detail"]
    detail = client.get(f"/api/v1/client-packages/{package['id']}", **auth).json()
    assert detail["remaining"] == 0
    assert [e["amount"] for e in detail["ledger"]] == [2, -1, -1]
    assert sum(e["amount"] for e in detail["ledger"]) == detail["remaining"]


def test_a_retried_use_with_the_same_key_deducts_once(client, org, owner):
    auth = bearer(owner, org)
    customer = ClientFactory(organization=org)
    plan = _post(client, "/api/v1/package-plans", {"name": "P", "sessions": 3, "validity_days": 10}, auth).json()
    package = _post(client, f"/api/v1/clients/{customer.pk}/packages", {"plan": plan["id"]}, auth).json()
    for _ in range(2):
        response = client.post(f"/api/v1/client-packages/{package['id']}/use", HTTP_IDEMPOTENCY_KEY="abc", **auth)
        assert response.json() == {"remaining": 2}


def test_completing_a_session_through_the_api_deducts_once(client, org, owner):
    auth = bearer(owner, org)
    start = timezone.now() - timedelta(hours=2)
    booking = BookingFactory(session__coach__organization=org, session__starts_at=start,
                             session__ends_at=start + timedelta(hours=1))
    plan = _post(client, "/api/v1/package-plans", {"name": "P", "sessions": 3, "validity_days": 10}, auth).json()
    package = _post(client, f"/api/v1/clients/{booking.client_id}/packages", {"plan": plan["id"]}, auth).json()
    for _ in range(3):
        assert client.post(f"/api/v1/sessions/{booking.session_id}/complete", **auth).status_code == 200
    assert client.get(f"/api/v1/client-packages/{package['id']}", **auth).json()["remaining"] == 2


@pytest.mark.parametrize("body", [{"name": "", "sessions": 2}, {"name": "X", "sessions": 0},
                                  {"name": "X", "sessions": 2, "validity_days": 0},
                                  {"name": "X", "sessions": 2, "price_minor": -1}, {"sessions": 2}])
def test_bad_plans_are_refused_and_nothing_is_written(client, org, owner, body):
    response = _post(client, "/api/v1/package-plans", body, bearer(owner, org))
    assert response.status_code == 422
    with scope(organization=org):
        assert not PackagePlan.objects.exists()


def test_giving_an_unknown_plan_is_a_clear_422(client, org, owner):
    customer = ClientFactory(organization=org)
    response = _post(client, f"/api/v1/clients/{customer.pk}/packages", {"plan": 999999}, bearer(owner, org))
    assert response.status_code == 422
    assert "package plan" in response.json()["detail"]
    with scope(organization=org):
        assert not ClientPackage.objects.exists()


def test_front_desk_cannot_create_plans_but_can_give_and_use(client, org):
    staff = member(org, Role.STAFF)
    auth = bearer(staff, org)
    assert _post(client, "/api/v1/package-plans", {"name": "X", "sessions": 2}, auth).status_code == 403


def test_another_business_package_is_a_404(client, org, other_org, owner):
    other_owner = member(other_org, Role.OWNER)
    customer = ClientFactory(organization=org)
    plan = _post(client, "/api/v1/package-plans", {"name": "P", "sessions": 3}, bearer(owner, org)).json()
    package = _post(client, f"/api/v1/clients/{customer.pk}/packages", {"plan": plan["id"]}, bearer(owner, org)).json()
    theirs = bearer(other_owner, other_org)
    assert client.get(f"/api/v1/client-packages/{package['id']}", **theirs).status_code == 404
    assert client.post(f"/api/v1/client-packages/{package['id']}/use", **theirs).status_code == 404
    assert client.get(f"/api/v1/client-packages/{package['id']}", **bearer(owner, org)).json()["remaining"] == 3


@pytest.mark.parametrize("length", [77, 78, 79, 80])
def test_a_long_idempotency_key_fits(client, org, owner, length):
    """Issue #21: a key of 77-80 characters overflowed the ledger column (500)."""
    auth = bearer(owner, org)
    customer = ClientFactory(organization=org)
    plan = _post(client, "/api/v1/package-plans", {"name": "P", "sessions": 3, "validity_days": 10}, auth).json()
    package = _post(client, f"/api/v1/clients/{customer.pk}/packages", {"plan": plan["id"]}, auth).json()
    key = "k" * length
    for _ in range(2):
        response = client.post(f"/api/v1/client-packages/{package['id']}/use", HTTP_IDEMPOTENCY_KEY=key, **auth)
        assert response.status_code == 200, response.content
        assert response.json() == {"remaining": 2}


def test_a_key_longer_than_80_is_a_clean_422(client, org, owner):
    auth = bearer(owner, org)
    customer = ClientFactory(organization=org)
    plan = _post(client, "/api/v1/package-plans", {"name": "P", "sessions": 3, "validity_days": 10}, auth).json()
    package = _post(client, f"/api/v1/clients/{customer.pk}/packages", {"plan": plan["id"]}, auth).json()
    response = client.post(f"/api/v1/client-packages/{package['id']}/use", HTTP_IDEMPOTENCY_KEY="k" * 81, **auth)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert client.get(f"/api/v1/client-packages/{package['id']}", **auth).json()["remaining"] == 3


def test_the_same_key_for_another_package_is_422_and_moves_nothing(client, org, owner):
    """Issue #21: a key reused with a different request answered 200 and deducted nothing."""
    auth = bearer(owner, org)
    customer = ClientFactory(organization=org)
    plan = _post(client, "/api/v1/package-plans", {"name": "P", "sessions": 3, "validity_days": 10}, auth).json()
    first = _post(client, f"/api/v1/clients/{customer.pk}/packages", {"plan": plan["id"]}, auth).json()
    second = _post(client, f"/api/v1/clients/{customer.pk}/packages", {"plan": plan["id"]}, auth).json()
    assert client.post(f"/api/v1/client-packages/{first['id']}/use", HTTP_IDEMPOTENCY_KEY="same",
                       **auth).status_code == 200
    response = client.post(f"/api/v1/client-packages/{second['id']}/use", HTTP_IDEMPOTENCY_KEY="same", **auth)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency_key_reused"
    assert client.get(f"/api/v1/client-packages/{first['id']}", **auth).json()["remaining"] == 2
    assert client.get(f"/api/v1/client-packages/{second['id']}", **auth).json()["remaining"] == 3
