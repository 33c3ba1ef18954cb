"""Refunds, full and partial, from the payment page or the API: the books get a refund row and
the package's unused credits go, or stay if the coach says so."""

from __future__ import annotations

import json

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.billing import services
from coachos.credits.models import ClientPackage
from tests.conftest import bearer

from .conftest import checkout_completed, fresh, money_events, post_event


@pytest.fixture
def paid(pending):
    post_event(checkout_completed(pending))
    return fresh(pending)


def _package(purchase):
    with scopes_disabled():
        return ClientPackage.objects.get(pk=purchase.client_package_id)


@pytest.mark.django_db
def test_full_refund_from_the_page_removes_unused_credits(paid, web, org):
    response = web.post(f"/o/{org.slug}/payments/{paid.pk}/refund/", {"amount": "", "remove_credits": "on"})
    assert response.status_code == 302
    purchase = fresh(paid)
    assert purchase.status == "refunded"
    assert purchase.refunded_minor == paid.amount_minor
    assert _package(purchase).remaining == 0
    refund = money_events(org, kind="refund")
    assert [r.amount_minor for r in refund] == [paid.amount_minor]
    assert refund[0].related_id == paid.pk


@pytest.mark.django_db
def test_partial_refund_where_the_coach_keeps_the_credits(paid, web, org):
    response = web.post(f"/o/{org.slug}/payments/{paid.pk}/refund/", {"amount": "100.00", "reason": "goodwill"})
    assert response.status_code == 302
    purchase = fresh(paid)
    assert purchase.status == "partially_refunded"
    assert purchase.refunded_minor == 10000
    assert _package(purchase).remaining == 10
    # A second partial refund of the rest: fully refunded; at most what is left.
    too_much = web.post(f"/o/{org.slug}/payments/{paid.pk}/refund/", {"amount": "700.00"})
    assert too_much.status_code == 422
    assert fresh(paid).refunded_minor == 10000
    web.post(f"/o/{org.slug}/payments/{paid.pk}/refund/", {"amount": "650.00", "remove_credits": "on"})
    assert fresh(paid).status == "refunded"
    assert _package(paid).remaining == 0
    assert [r.amount_minor for r in money_events(org, kind="refund")] == [10000, 65000]


@pytest.mark.django_db
def test_used_credits_are_not_taken_back(paid, org, owner):
    from coachos.credits.services import use_session

    with scope(organization=org):
        package = _package(paid)
        use_session(client=package.client, package=package, actor=owner, idempotency_key="t1")
        services.purchase_refund(purchase=paid, actor=owner, remove_credits=True)
    package = _package(paid)
    assert package.remaining == 0
    assert package.total == 10  # 1 used, 9 removed by one adjustment


@pytest.mark.django_db
def test_refund_through_the_api(paid, org, owner):
    http = DjangoClient()
    headers = bearer(owner, org)
    url = f"/api/v1/purchases/{paid.pk}/refund"
    response = http.post(url, data=json.dumps({"amount_minor": 5000}), content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    assert response.json()["refunded_minor"] == 5000
    response = http.post(url, data=json.dumps({"amount_minor": 10**6}), content_type="application/json", **headers)
    assert response.status_code == 422
    response = http.post(url, data=json.dumps({"remove_credits": True}), content_type="application/json", **headers)
    assert response.json()["status"] == "refunded"
    again = http.post(url, data="{}", content_type="application/json", **headers)
    assert again.status_code == 409


@pytest.mark.django_db
def test_a_refund_made_in_stripe_is_recorded_once_and_a_full_one_removes_credits(paid, org):
    from .conftest import charge_refunded

    post_event(charge_refunded(paid, paid.amount_minor))
    post_event(charge_refunded(paid, paid.amount_minor))
    assert fresh(paid).status == "refunded"
    assert [r.amount_minor for r in money_events(org, kind="refund")] == [paid.amount_minor]
    assert _package(paid).remaining == 0


@pytest.mark.django_db
def test_our_refund_then_its_webhook_records_one_refund(paid, org, owner):
    from .conftest import charge_refunded

    with scope(organization=org):
        services.purchase_refund(purchase=paid, actor=owner, amount_minor=20000)
    post_event(charge_refunded(paid, 20000))
    assert [r.amount_minor for r in money_events(org, kind="refund")] == [20000]


@pytest.mark.django_db
def test_front_desk_cannot_refund(paid, org):
    from coachos.tenancy.roles import Role
    from tests.conftest import login_as
    from tests.factories import member

    desk = login_as(member(org, Role.STAFF))
    assert desk.post(f"/o/{org.slug}/payments/{paid.pk}/refund/", {"amount": ""}).status_code == 403
    assert fresh(paid).refunded_minor == 0
