"""Platform billing: a business in arrears is warned, then read-only after the grace period,
and paying restores it. Nothing is deleted."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.billing.accounts import application_fee, billing_account_for
from coachos.billing.models import BillingAccount, PlatformPlan
from coachos.clients.models import Client
from tests.conftest import bearer

from .conftest import post_event, stripe_event


@pytest.fixture
def on_plan(org):
    plan = PlatformPlan.objects.create(name="Pro", monthly_price_minor=4900, fee_bps=250, grace_days=14)
    with scope(organization=org):
        account = billing_account_for(org)
        BillingAccount.objects.filter(pk=account.pk).update(platform_plan=plan)
    return plan


def platform_invoice(org, *, paid):
    obj = {"id": f"in_platform_{paid}", "object": "invoice", "customer": "cus_platform_1", "currency": "usd",
           "amount_due": 4900, "amount_paid": 4900 if paid else 0, "subscription": "sub_platform_1",
           "subscription_details": {"metadata": {"coachos_platform_org": str(org.pk)}}}
    return stripe_event("invoice.paid" if paid else "invoice.payment_failed", obj)


def _add_client(http, org):
    return http.post(f"/o/{org.slug}/clients/new/", {"first_name": "New", "last_name": "Person",
                                                     "email": "new.person@example.com", "status": "active"})


@pytest.mark.django_db
def test_the_plans_fee_is_the_application_fee(on_plan, org, buyer, plan, owner):
    from coachos.billing import services

    with scope(organization=org):
        purchase = services.purchase_create(client=buyer, plan=plan, actor=owner)
    assert purchase.application_fee_minor == application_fee(75000, 250) == 1875


@pytest.mark.django_db
def test_warned_then_read_only_then_paid_again(on_plan, org, web, owner):
    assert post_event(platform_invoice(org, paid=False)).status_code == 200
    with scopes_disabled():
        account = BillingAccount.objects.get(organization=org)
    assert account.platform_status == "past_due" and account.past_due_since is not None

    # Warned: a banner, but the back office still works.
    page = web.get(f"/o/{org.slug}/payments/").content.decode()
    assert "subscription payment failed" in page
    assert _add_client(web, org).status_code == 302

    api = DjangoClient()
    headers = bearer(owner, org)
    # The grace period (14 days) passes: logins would expire in a real fortnight, so the clock
    # of the arrears moves back instead of the test's clock moving forward.
    with scopes_disabled():
        BillingAccount.objects.filter(organization=org).update(
            past_due_since=timezone.now() - timedelta(days=14, minutes=1))
    if True:  # noqa: SIM108 - keeps the block visibly "after the grace period"
        page = web.get(f"/o/{org.slug}/payments/")
        assert page.status_code == 200 and "read-only" in page.content.decode()
        refused = web.post(f"/o/{org.slug}/clients/new/", {"first_name": "Other", "email": "o@example.com",
                                                                  "status": "active"})
        assert refused.status_code == 403
        assert "read-only" in refused.content.decode()
        api_refused = api.post("/api/v1/clients", data=json.dumps({"first_name": "X"}),
                               content_type="application/json", **headers)
        assert api_refused.status_code == 403
        assert api_refused["Content-Type"].startswith("application/problem+json")
        assert api_refused.json()["code"] == "read_only"
        assert api.get("/api/v1/clients", **headers).status_code == 200
        # Paying stays possible.
        subscribe = web.post(f"/o/{org.slug}/payments/plan/subscribe/")
        assert subscribe.status_code == 302
        with scopes_disabled():
            assert Client.objects.filter(organization=org, email="new.person@example.com").exists()

        assert post_event(platform_invoice(org, paid=True)).status_code == 200
        assert _add_client(web, org).status_code in (200, 302)
        assert api.post("/api/v1/clients", data=json.dumps({"first_name": "Y", "email": "y@example.com"}),
                        content_type="application/json", **headers).status_code == 201
    with scopes_disabled():
        account = BillingAccount.objects.get(organization=org)
    assert account.platform_status == "active" and account.past_due_since is None


@pytest.mark.django_db
def test_clients_in_the_portal_are_not_limited(on_plan, org, plan):
    from coachos.tenancy.roles import Role
    from tests.conftest import login_as
    from tests.factories import ClientFactory, member

    user = member(org, Role.CLIENT, email="portal@example.com")
    ClientFactory(organization=org, user=user, email="portal@example.com")
    post_event(platform_invoice(org, paid=False))
    with scopes_disabled():
        BillingAccount.objects.filter(organization=org).update(past_due_since=timezone.now() - timedelta(days=15))
    if True:  # noqa: SIM108 - keeps the block visibly "after the grace period"
        response = login_as(user).post(f"/portal/{org.slug}/payments/buy/{plan.pk}/")
        assert response.status_code == 302
        assert "test-checkout" in response["Location"]


@pytest.mark.django_db
def test_local_platform_checkout_pays_the_subscription(on_plan, org, web):
    post_event(platform_invoice(org, paid=False))
    response = web.post(f"/o/{org.slug}/payments/plan/subscribe/")
    assert response.status_code == 302
    checkout = response["Location"]
    assert "/payments/plan/test-checkout/" in checkout
    assert web.get(checkout).status_code == 200
    assert web.post(checkout, {"outcome": "pay"}).status_code == 302
    with scopes_disabled():
        account = BillingAccount.objects.get(organization=org)
    assert account.platform_status == "active" and account.past_due_since is None
    assert account.platform_subscription_id == "sub_platform_1"  # the one Stripe already knows


@pytest.mark.django_db
def test_only_the_owner_sees_the_plan_page(on_plan, org):
    from coachos.tenancy.roles import Role
    from tests.conftest import login_as
    from tests.factories import member

    coach = login_as(member(org, Role.COACH))
    assert coach.get(f"/o/{org.slug}/payments/plan/").status_code == 403


@pytest.mark.django_db
def test_arrears_state_moves_with_time(on_plan, org):
    import time_machine

    from coachos.billing.accounts import arrears_of

    post_event(platform_invoice(org, paid=False))
    with scopes_disabled():
        account = BillingAccount.objects.get(organization=org)
    assert arrears_of(account).state == "warned"
    with time_machine.travel(timezone.now() + timedelta(days=13, hours=23), tick=False):
        assert arrears_of(account).state == "warned"
    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1), tick=False):
        assert arrears_of(account).state == "read_only"
