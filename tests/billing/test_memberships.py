"""Memberships: a paid invoice grants the month's credits once; a failed one makes the membership
past due (client told, coach sees it); after the grace period the job pauses it."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.billing import services
from coachos.billing.memberships import membership_plan_create, memberships_pause_overdue
from coachos.billing.models import ClientMembership, Purchase
from coachos.credits.models import ClientPackage

from .conftest import money_events, post_event, stripe_event


@pytest.fixture
def joined(org, buyer, owner):
    with scope(organization=org):
        plan = membership_plan_create(organization=org, actor=owner, name="Monthly 8", price_minor=16000,
                                      sessions_per_month=8)
        return services.purchase_create(client=buyer, membership_plan=plan, actor=owner)


def invoice(purchase_or_membership, invoice_id, *, paid=True, amount=16000):
    membership_id = getattr(purchase_or_membership, "membership_id", None) or purchase_or_membership.pk
    metadata = {"coachos_membership_id": str(membership_id)}
    if isinstance(purchase_or_membership, Purchase):
        metadata["coachos_purchase_id"] = str(purchase_or_membership.pk)
    now = int(time.time())
    obj = {"id": invoice_id, "object": "invoice", "customer": "cus_1", "currency": "usd", "amount_due": amount,
           "amount_paid": amount if paid else 0, "application_fee_amount": 320,
           "parent": {"subscription_details": {"subscription": "sub_1", "metadata": metadata}},
           "payments": {"data": [{"payment": {"payment_intent": f"pi_{invoice_id}"}}]},
           "lines": {"data": [{"period": {"start": now, "end": now + 30 * 86400}}]}}
    return stripe_event("invoice.paid" if paid else "invoice.payment_failed", obj)


def _membership(purchase):
    with scopes_disabled():
        return ClientMembership.objects.get(pk=purchase.membership_id)


def _packages(buyer):
    with scopes_disabled():
        return list(ClientPackage.objects.filter(client=buyer))


@pytest.mark.django_db
def test_each_paid_invoice_grants_the_months_credits_once(joined, buyer, org):
    first = invoice(joined, "in_1")
    assert post_event(first).status_code == 200
    assert post_event(invoice(joined, "in_1")).status_code == 200  # same invoice, another event id
    membership = _membership(joined)
    assert membership.status == "active"
    assert membership.current_period_end is not None
    packages = _packages(buyer)
    assert [p.remaining for p in packages] == [8]
    with scopes_disabled():
        purchase = Purchase.objects.get(pk=joined.pk)
    assert purchase.status == "paid" and purchase.invoice_id == "in_1"
    assert purchase.client_package_id == packages[0].pk

    post_event(invoice(membership, "in_2"))
    assert sorted(p.remaining for p in _packages(buyer)) == [8, 8]
    sales = money_events(org, kind="sale")
    assert [s.amount_minor for s in sales] == [16000, 16000]
    assert [f.amount_minor for f in money_events(org, kind="platform_fee")] == [320, 320]
    with scopes_disabled():
        assert Purchase.objects.filter(membership_id=membership.pk, source="renewal").count() == 1


@pytest.mark.django_db
def test_unlimited_memberships_grant_no_credits(org, buyer, owner):
    with scope(organization=org):
        plan = membership_plan_create(organization=org, actor=owner, name="Unlimited", price_minor=25000,
                                      sessions_per_month=None)
        purchase = services.purchase_create(client=buyer, membership_plan=plan, actor=owner)
    post_event(invoice(purchase, "in_u1", amount=25000))
    assert _membership(purchase).status == "active"
    assert _packages(buyer) == []


@pytest.mark.django_db
def test_failed_payment_past_due_then_paused_after_grace_then_paid_again(joined, buyer, org, monkeypatch, web):
    from coachos.billing import notify

    told = []
    monkeypatch.setattr(notify, "_client_message", lambda **kwargs: told.append(("client", kwargs["kind"])))
    monkeypatch.setattr(notify, "_team_message", lambda **kwargs: told.append(("team", kwargs["kind"])))
    post_event(invoice(joined, "in_1"))
    membership = _membership(joined)

    post_event(invoice(membership, "in_2", paid=False))
    membership = _membership(joined)
    assert membership.status == "past_due" and membership.past_due_since is not None
    assert ("client", "payment_failed") in told and ("team", "payment_failed_team") in told
    page = web.get(f"/o/{org.slug}/payments/memberships/?show=past_due").content.decode()
    assert "Payment failed" in page and buyer.full_name in page

    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        assert memberships_pause_overdue() == 0
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1), tick=False):
        assert memberships_pause_overdue() == 1
    assert _membership(joined).status == "paused"

    # Stripe still says past_due: it stays paused; a paid invoice resumes it.
    sub = {"id": "sub_1", "object": "subscription", "status": "past_due",
           "metadata": {"coachos_membership_id": str(membership.pk)}}
    post_event(stripe_event("customer.subscription.updated", sub))
    assert _membership(joined).status == "paused"
    post_event(invoice(membership, "in_2b"))
    assert _membership(joined).status == "active"
    assert _membership(joined).past_due_since is None


@pytest.mark.django_db
def test_the_grace_period_is_the_businesss(joined, org):
    from coachos.billing.accounts import billing_account_for
    from coachos.billing.models import BillingAccount

    post_event(invoice(joined, "in_1"))
    with scope(organization=org):
        BillingAccount.objects.filter(pk=billing_account_for(org).pk).update(membership_grace_days=2)
    post_event(invoice(_membership(joined), "in_2", paid=False))
    with time_machine.travel(timezone.now() + timedelta(days=2, minutes=1), tick=False):
        assert memberships_pause_overdue() == 1


@pytest.mark.django_db
def test_membership_pages(web, org, joined):
    page = web.get(f"/o/{org.slug}/payments/memberships/")
    assert page.status_code == 200 and "Monthly 8" in page.content.decode()
    response = web.post(f"/o/{org.slug}/payments/memberships/", {"name": "Twice weekly", "price": "120.00",
                                                                "sessions_per_month": "8"})
    assert response.status_code == 302
    bad = web.post(f"/o/{org.slug}/payments/memberships/", {"name": "", "price": "0"})
    assert bad.status_code == 422
    response = web.post(f"/o/{org.slug}/payments/memberships/{joined.membership_id}/cancel/")
    assert response.status_code == 302
    assert _membership(joined).status == "cancelled"
