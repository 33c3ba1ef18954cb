"""The local test checkout (no ``STRIPE_SECRET_KEY``): the whole flow with no Stripe account.

A checkout's URL is the app's own page (a signed token names the purchase). "Pay" builds the
events Stripe would send — ``checkout.session.completed`` and, for a subscription,
``customer.subscription.created`` and ``invoice.paid`` — signs each with Stripe's scheme
(``t=…,v1=HMAC-SHA256(STRIPE_WEBHOOK_SECRET, "t.payload")``, via the SDK's helper) and hands
the raw body and header to ``webhooks.receive``: the same code as /webhooks/stripe.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import stripe
from django_scopes import scopes_disabled

from . import gateway, webhooks
from .accounts import billing_account_for, platform_plan_for
from .local_checkout import _hash
from .models import BillingAccount, ClientMembership, Purchase


def event(event_type: str, obj: dict[str, Any], *, account: str | None = None,
          created: int | None = None) -> dict[str, Any]:
    """An event shaped like Stripe's (snapshot, API version of the SDK)."""
    body: dict[str, Any] = {
        "id": f"evt_local_{secrets.token_hex(12)}", "object": "event", "api_version": stripe.api_version,
        "created": created or int(time.time()), "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": event_type, "data": {"object": obj},
    }
    if account:
        body["account"] = account
    return body


def deliver(body: dict[str, Any]) -> webhooks.Outcome:
    """Sign like Stripe and hand to the webhook code, exactly as a delivery would arrive."""
    payload = json.dumps(body, separators=(",", ":"))
    return webhooks.receive(payload.encode(), gateway.sign(payload))


def _metadata(purchase: Purchase) -> dict[str, str]:
    metadata = {"coachos_purchase_id": str(purchase.pk), "coachos_org": str(purchase.organization_id)}
    if purchase.membership_id is not None:
        metadata["coachos_membership_id"] = str(purchase.membership_id)
    return metadata


def _invoice(*, membership: ClientMembership, invoice_id: str, amount: int, currency: str, paid: bool,
             metadata: dict[str, str], subscription_id: str, customer: str, period_start: int) -> dict[str, Any]:
    period_end = period_start + 30 * 86400
    return {
        "id": invoice_id, "object": "invoice", "customer": customer, "subscription": subscription_id,
        "status": "paid" if paid else "open", "paid": paid, "currency": currency.lower(),
        "amount_due": amount, "amount_paid": amount if paid else 0,
        "billing_reason": "subscription_cycle", "payment_intent": f"pi_local_{_hash(invoice_id)}",
        "subscription_details": {"metadata": metadata},
        "lines": {"object": "list", "data": [{"object": "line_item", "amount": amount, "metadata": metadata,
                                              "period": {"start": period_start, "end": period_end}}]},
        "period_end": period_end,
    }


def pay(purchase: Purchase) -> list[webhooks.Outcome]:
    """The client pressed "Pay" on the local test checkout."""
    account = billing_account_for(purchase.organization).stripe_account_id
    currency = purchase.currency.lower()
    metadata = _metadata(purchase)
    session_id = purchase.checkout_session_id or f"cs_test_local_{_hash('purchase', purchase.pk)}"
    now = int(time.time())
    if purchase.kind != Purchase.Kind.MEMBERSHIP:
        session = {
            "id": session_id, "object": "checkout.session", "mode": "payment", "status": "complete",
            "payment_status": "paid", "amount_total": purchase.amount_minor, "amount_subtotal": purchase.amount_minor,
            "currency": currency, "metadata": metadata, "client_reference_id": str(purchase.pk),
            "payment_intent": f"pi_local_{_hash('purchase', purchase.pk, session_id)}",
            "customer": None, "subscription": None,
        }
        return [deliver(event("checkout.session.completed", session, account=account))]
    membership = purchase.membership
    assert membership is not None
    subscription_id = f"sub_local_{_hash('membership', membership.pk)}"
    customer = f"cus_local_{_hash('client', purchase.client_id)}"
    session = {
        "id": session_id, "object": "checkout.session", "mode": "subscription", "status": "complete",
        "payment_status": "paid", "amount_total": purchase.amount_minor, "currency": currency,
        "metadata": metadata, "client_reference_id": str(purchase.pk), "payment_intent": None,
        "customer": customer, "subscription": subscription_id,
    }
    subscription = {
        "id": subscription_id, "object": "subscription", "status": "active", "customer": customer,
        "metadata": metadata, "items": {"object": "list", "data": [
            {"object": "subscription_item", "current_period_start": now, "current_period_end": now + 30 * 86400}]},
    }
    invoice = _invoice(membership=membership, invoice_id=f"in_local_{_hash('first', purchase.pk)}",
                       amount=purchase.amount_minor, currency=currency, paid=True, metadata=metadata,
                       subscription_id=subscription_id, customer=customer, period_start=now)
    invoice["billing_reason"] = "subscription_create"
    return [deliver(event("checkout.session.completed", session, account=account, created=now)),
            deliver(event("customer.subscription.created", subscription, account=account, created=now)),
            deliver(event("invoice.paid", invoice, account=account, created=now))]


def decline(purchase: Purchase) -> webhooks.Outcome:
    """The client pressed "Decline" (a card that fails): ``payment_intent.payment_failed``."""
    account = billing_account_for(purchase.organization).stripe_account_id
    intent = {
        "id": f"pi_local_{_hash('declined', purchase.pk, secrets.token_hex(4))}", "object": "payment_intent",
        "status": "requires_payment_method", "amount": purchase.amount_minor, "currency": purchase.currency.lower(),
        "metadata": _metadata(purchase), "last_payment_error": {"code": "card_declined"},
    }
    return deliver(event("payment_intent.payment_failed", intent, account=account))


def membership_invoice(membership: ClientMembership, *, paid: bool, period: int = 1) -> webhooks.Outcome:
    """A month's renewal invoice (paid or failed) for a membership, as Stripe would send it."""
    account = billing_account_for(membership.organization).stripe_account_id
    metadata = {"coachos_membership_id": str(membership.pk), "coachos_org": str(membership.organization_id)}
    subscription_id = membership.stripe_subscription_id or f"sub_local_{_hash('membership', membership.pk)}"
    now = int(time.time())
    body = _invoice(membership=membership, invoice_id=f"in_local_{_hash('renewal', membership.pk, period)}",
                    amount=membership.plan.price_minor, currency=membership.organization.currency, paid=paid,
                    metadata=metadata, subscription_id=subscription_id,
                    customer=f"cus_local_{_hash('client', membership.client_id)}", period_start=now)
    return deliver(event("invoice.paid" if paid else "invoice.payment_failed", body, account=account))


def platform_pay(organization_id: int, session_id: str, *, paid: bool = True) -> list[webhooks.Outcome]:
    """The owner pressed "Pay" on the local checkout for the business's platform subscription."""
    with scopes_disabled():
        account = BillingAccount.objects.select_related("organization").get(organization_id=organization_id)
    plan = platform_plan_for(account)
    amount = plan.monthly_price_minor if plan is not None else 0
    currency = (plan.currency if plan is not None else "USD").lower()
    metadata = {"coachos_platform_org": str(organization_id)}
    customer = account.platform_customer_id or f"cus_local_{_hash('org', organization_id)}"
    subscription_id = account.platform_subscription_id or f"sub_local_{_hash('platform', organization_id)}"
    now = int(time.time())
    session = {"id": session_id or f"cs_test_local_{_hash('platform', organization_id)}",
               "object": "checkout.session", "mode": "subscription", "status": "complete", "payment_status": "paid",
               "amount_total": amount, "currency": currency, "metadata": metadata, "customer": customer,
               "subscription": subscription_id}
    invoice = {
        "id": f"in_local_{_hash('platform', organization_id, now)}", "object": "invoice", "customer": customer,
        "subscription": subscription_id, "currency": currency, "amount_due": amount,
        "amount_paid": amount if paid else 0, "subscription_details": {"metadata": metadata},
        "lines": {"object": "list", "data": [{"metadata": metadata,
                                              "period": {"start": now, "end": now + 30 * 86400}}]},
    }
    outcomes = [deliver(event("checkout.session.completed", session, created=now))] if session_id else []
    outcomes.append(deliver(event("invoice.paid" if paid else "invoice.payment_failed", invoice, created=now)))
    return outcomes
