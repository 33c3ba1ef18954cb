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
from tests.factories import member

from .conftest import checkout_completed, fresh, money_events, post_event


@pytest.fixture
def paid(pending):
    post_event(checkout_completed(pending))
    return fresh(pending)


def _package(purchase):
    with scopes_disabled():
        return ClientPackage.objects.get(pk=purchase.client_package_id)


def _refund_page(web, org, purchase, **fields):
    return web.post(f"/o/{org.slug}/payments/{purchase.pk}/refund/", fields)


@pytest.mark.django_db
def test_full_refund_from_the_page_shows_then_removes_unused_credits(paid, web, org):
    review = _refund_page(web, org, paid, amount="")
    assert review.status_code == 200
    assert "The client keeps 0 of 10 credits." in review.content.decode()
    assert fresh(paid).refunded_minor == 0  # nothing happens before the coach confirms
    response = _refund_page(web, org, paid, amount="", credits_to_remove="10", confirm="True")
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
    response = _refund_page(web, org, paid, amount="100.00", reason="goodwill", credits_to_remove="0", confirm="True")
    assert response.status_code == 302
    purchase = fresh(paid)
    assert purchase.status == "partially_refunded"
    assert purchase.refunded_minor == 10000
    assert _package(purchase).remaining == 10
    # A second partial refund of the rest: fully refunded; at most what is left.
    too_much = _refund_page(web, org, paid, amount="700.00")
    assert too_much.status_code == 422
    assert fresh(paid).refunded_minor == 10000
    _refund_page(web, org, paid, amount="650.00", credits_to_remove="10", confirm="True")
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


# --- "A partial refund wipes the package": credits go in proportion to the money -----------------

@pytest.fixture
def three_sessions(org, buyer, owner):
    """$150 for 3 sessions, paid."""
    from coachos.billing import services as billing
    from tests.factories import PackagePlanFactory

    plan = PackagePlanFactory(organization=org, name="3 sessions", sessions=3, price_minor=15000)
    with scope(organization=org):
        purchase = billing.purchase_checkout(purchase=billing.purchase_create(client=buyer, plan=plan, actor=owner))
    post_event(checkout_completed(purchase))
    return fresh(purchase)


@pytest.mark.django_db
def test_a_partial_refund_removes_credits_in_proportion_by_default(three_sessions, org, owner):
    with scope(organization=org):
        services.purchase_refund(purchase=three_sessions, actor=owner, amount_minor=5000)
    assert _package(three_sessions).remaining == 2  # $50 of $150 for 3: 1 credit, not all 3
    assert fresh(three_sessions).credits_removed == 1
    with scope(organization=org):
        services.purchase_refund(purchase=three_sessions, actor=owner, amount_minor=2500)
    assert _package(three_sessions).remaining == 2  # $75 of $150: 1.5, rounded down: still 1 in all
    with scope(organization=org):
        services.purchase_refund(purchase=three_sessions, actor=owner)  # the rest
    assert _package(three_sessions).remaining == 0
    assert fresh(three_sessions).credits_removed == 3


@pytest.mark.django_db
def test_the_page_says_what_a_partial_refund_does_before_it_happens(three_sessions, web, org):
    review = _refund_page(web, org, three_sessions, amount="50.00")
    assert review.status_code == 200
    page = review.content.decode()
    assert "The client keeps 2 of 3 credits." in page
    assert 'name="credits_to_remove" value="1"' in page
    assert 'name="confirm" value="True"' in page
    assert fresh(three_sessions).refunded_minor == 0
    assert _package(three_sessions).remaining == 3
    done = _refund_page(web, org, three_sessions, amount="50.00", credits_to_remove="1", confirm="True")
    assert done.status_code == 302
    assert fresh(three_sessions).refunded_minor == 5000
    assert _package(three_sessions).remaining == 2


@pytest.mark.django_db
def test_the_coach_chooses_how_many_credits_go(three_sessions, web, org):
    too_many = _refund_page(web, org, three_sessions, amount="50.00", credits_to_remove="4", confirm="True")
    assert too_many.status_code == 422
    assert "Choose between 0 and 3 credits to remove." in too_many.content.decode()
    assert fresh(three_sessions).refunded_minor == 0
    negative = _refund_page(web, org, three_sessions, amount="50.00", credits_to_remove="-1", confirm="True")
    assert negative.status_code == 422
    assert fresh(three_sessions).refunded_minor == 0
    kept = _refund_page(web, org, three_sessions, amount="50.00", credits_to_remove="0", confirm="True")
    assert kept.status_code == 302
    assert _package(three_sessions).remaining == 3
    assert fresh(three_sessions).refunded_minor == 5000


@pytest.mark.django_db
def test_used_credits_count_in_what_the_page_says(three_sessions, web, org, owner):
    from coachos.credits.services import use_session

    with scope(organization=org):
        package = _package(three_sessions)
        use_session(client=package.client, package=package, actor=owner, idempotency_key="used-1")
    review = _refund_page(web, org, three_sessions, amount="50.00")
    assert "The client keeps 1 of their 2 unused credits (the package had 3)." in review.content.decode()


@pytest.mark.django_db
def test_the_api_plans_and_makes_a_proportional_refund(three_sessions, org, owner, other_org):
    http = DjangoClient()
    headers = bearer(owner, org)
    plan_url = f"/api/v1/purchases/{three_sessions.pk}/refund-plan"
    planned = http.get(plan_url, {"amount_minor": 5000}, **headers)
    assert planned.status_code == 200, planned.content
    assert planned.json() == {"amount_minor": 5000, "credits_total": 3, "credits_unused": 3,
                              "credits_to_remove": 1, "credits_kept": 2}
    assert http.get(plan_url, {"amount_minor": 5000, "credits_to_remove": 4}, **headers).status_code == 422
    url = f"/api/v1/purchases/{three_sessions.pk}/refund"
    both = http.post(url, data=json.dumps({"amount_minor": 5000, "credits_to_remove": 1, "remove_credits": True}),
                     content_type="application/json", **headers)
    assert both.status_code == 422
    response = http.post(url, data=json.dumps({"amount_minor": 5000}), content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    assert response.json()["credits_removed"] == 1
    assert _package(three_sessions).remaining == 2
    chosen = http.post(url, data=json.dumps({"amount_minor": 5000, "credits_to_remove": 0}),
                       content_type="application/json", **headers)
    assert chosen.json()["credits_removed"] == 1
    assert _package(three_sessions).remaining == 2
    # Another business's payment does not exist for this token.
    stranger = bearer(member(other_org), other_org)
    assert http.get(plan_url, {"amount_minor": 5000}, **stranger).status_code == 404
    assert http.post(url, data="{}", content_type="application/json", **stranger).status_code == 404
    assert _package(three_sessions).remaining == 2


@pytest.mark.django_db
def test_a_partial_refund_made_in_stripe_removes_credits_in_proportion(three_sessions, org):
    from .conftest import charge_refunded

    post_event(charge_refunded(three_sessions, 5000))
    assert _package(three_sessions).remaining == 2
    post_event(charge_refunded(three_sessions, 15000))
    assert _package(three_sessions).remaining == 0
