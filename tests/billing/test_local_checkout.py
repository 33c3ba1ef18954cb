"""The embedded default (no Stripe key): a client buys a package in the portal, pays on the local
test checkout, and the purchase completes through the same webhook code path."""

from __future__ import annotations

from unittest import mock

import pytest
from django_scopes import scope, scopes_disabled

from coachos.billing import webhooks
from coachos.billing.models import ClientMembership, Purchase, WebhookEvent
from coachos.credits.models import ClientPackage
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import ClientFactory, member

from .conftest import money_events


@pytest.fixture
def portal_client(org):
    user = member(org, Role.CLIENT, email="olivia@example.com", name="Olivia Portal")
    client = ClientFactory(organization=org, user=user, first_name="Olivia", email="olivia@example.com")
    return user, client


@pytest.mark.django_db
def test_buy_a_package_in_the_portal_end_to_end(org, plan, portal_client):
    user, client = portal_client
    browser = login_as(user)
    page = browser.get(f"/portal/{org.slug}/payments/")
    assert page.status_code == 200
    text = page.content.decode()
    assert plan.name in text and "Test mode" in text

    response = browser.post(f"/portal/{org.slug}/payments/buy/{plan.pk}/")
    assert response.status_code == 302
    checkout_url = response["Location"]
    assert f"/portal/{org.slug}/payments/test-checkout/" in checkout_url
    with scopes_disabled():
        purchase = Purchase.objects.get(client=client)
    assert purchase.status == "pending"
    with scopes_disabled():  # credits arrive only once the payment succeeds
        assert not ClientPackage.objects.filter(client=client).exists()

    checkout = browser.get(checkout_url)
    assert checkout.status_code == 200 and "$750.00" in checkout.content.decode()

    with mock.patch.object(webhooks, "receive", wraps=webhooks.receive) as receive:
        done = browser.post(checkout_url, {"outcome": "pay"})
    assert done.status_code == 302
    assert done["Location"].endswith(f"/portal/{org.slug}/payments/?paid={purchase.pk}")
    # The same function as /webhooks/stripe, with a raw body and a Stripe-Signature header.
    payload, header = receive.call_args.args
    assert isinstance(payload, bytes) and header.startswith("t=") and ",v1=" in header

    with scopes_disabled():
        purchase.refresh_from_db()
        package = ClientPackage.objects.get(client=client)
        assert WebhookEvent.objects.get().type == "checkout.session.completed"
    assert purchase.status == "paid" and purchase.client_package_id == package.pk
    assert package.remaining == plan.sessions and package.source == "sold"
    kinds = sorted(e.kind for e in money_events(org))
    assert kinds == ["processing_fee", "sale"]  # no platform plan: no application fee
    fee = next(e for e in money_events(org) if e.kind == "processing_fee")
    assert fee.amount_minor == 75000 * 29 // 1000 + 30  # 2.9% + 30 cents, Stripe-like (local estimate)

    thanks = browser.get(done["Location"]).content.decode()
    assert "is paid" in thanks
    receipt = browser.get(f"/portal/{org.slug}/payments/{purchase.pk}/receipt.pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")

    # Paying again on the same page grants nothing more.
    browser.post(checkout_url, {"outcome": "pay"})
    with scopes_disabled():
        assert ClientPackage.objects.filter(client=client).count() == 1


@pytest.mark.django_db
def test_a_declined_test_card_fails_and_can_be_paid_afterwards(org, plan, portal_client):
    user, client = portal_client
    browser = login_as(user)
    checkout_url = browser.post(f"/portal/{org.slug}/payments/buy/{plan.pk}/")["Location"]
    browser.post(checkout_url, {"outcome": "decline"})
    with scopes_disabled():
        purchase = Purchase.objects.get(client=client)
    assert purchase.status == "failed"
    browser.post(checkout_url, {"outcome": "pay"})
    purchase.refresh_from_db()
    assert purchase.status == "paid"


@pytest.mark.django_db
def test_join_a_membership_end_to_end(org, owner, portal_client):
    from coachos.billing.memberships import membership_plan_create

    user, client = portal_client
    with scope(organization=org):
        plan = membership_plan_create(organization=org, actor=owner, name="Monthly 8", price_minor=16000,
                                      sessions_per_month=8)
    browser = login_as(user)
    checkout_url = browser.post(f"/portal/{org.slug}/payments/join/{plan.pk}/")["Location"]
    assert "a month" in browser.get(checkout_url).content.decode()
    browser.post(checkout_url, {"outcome": "pay"})
    with scopes_disabled():
        membership = ClientMembership.objects.get(client=client)
        packages = list(ClientPackage.objects.filter(client=client))
        purchase = Purchase.objects.get(client=client)
    assert membership.status == "active" and membership.stripe_subscription_id.startswith("sub_local_")
    assert [p.remaining for p in packages] == [8]
    assert purchase.status == "paid" and purchase.invoice_id

    # Test mode lets the coach simulate the next month and a failed payment.
    coach = login_as(owner)
    coach.post(f"/o/{org.slug}/payments/memberships/{membership.pk}/simulate/", {"outcome": "paid"})
    with scopes_disabled():
        assert ClientPackage.objects.filter(client=client).count() == 2
    coach.post(f"/o/{org.slug}/payments/memberships/{membership.pk}/simulate/", {"outcome": "failed"})
    membership.refresh_from_db()
    assert membership.status == "past_due"


@pytest.mark.django_db
def test_a_payment_link_opens_the_checkout_for_anyone_with_it(org, web, buyer, plan, client):
    response = web.post(f"/o/{org.slug}/payments/link/", {"client": buyer.pk, "product": f"p:{plan.pk}"})
    assert response.status_code == 302
    with scopes_disabled():
        purchase = Purchase.objects.get(client=buyer)
    assert purchase.source == "link"
    detail = web.get(response["Location"]).content.decode()
    marker = f"/portal/{org.slug}/payments/pay/"
    link = detail[detail.index(marker):].split('"')[0]
    opened = client.get(link)  # an anonymous browser: the signed link is enough, like Stripe's URL
    assert opened.status_code == 302 and "/test-checkout/" in opened["Location"]
    client.post(opened["Location"], {"outcome": "pay"})
    purchase.refresh_from_db()
    assert purchase.status == "paid"
    assert client.get(link).status_code == 200  # "already paid"
    assert client.get(link[:-5] + "xxxx/").status_code == 404


@pytest.mark.django_db
def test_the_test_checkout_does_not_exist_with_stripe_keys(org, plan, portal_client, settings):
    user, _client = portal_client
    browser = login_as(user)
    checkout_url = browser.post(f"/portal/{org.slug}/payments/buy/{plan.pk}/")["Location"]
    settings.STRIPE_SECRET_KEY = "sk_test_x"
    assert browser.post(checkout_url, {"outcome": "pay"}).status_code == 404
    assert browser.get(f"/portal/{org.slug}/payments/test-checkout/forged/").status_code == 404
