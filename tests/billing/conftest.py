"""Helpers for the payments tests: Stripe-shaped events, signed with Stripe's own scheme."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.billing import gateway
from coachos.billing.models import Purchase
from coachos.books.models import MoneyEvent
from coachos.credits.models import ClientPackage, PackagePlan
from coachos.tenancy.models import Organization
from tests.factories import ClientFactory, PackagePlanFactory

WEBHOOK_URL = "/webhooks/stripe"


def stripe_event(event_type: str, obj: dict[str, Any], *, account: str | None = None,
                 created: int | None = None, event_id: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": event_id or f"evt_{secrets.token_hex(12)}", "object": "event", "api_version": "2025-03-31.basil",
        "created": created or int(time.time()), "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": event_type, "data": {"object": obj},
    }
    if account:
        body["account"] = account
    return body


def signed(body: dict[str, Any] | str, *, secret: str | None = None, timestamp: int | None = None) -> tuple[str, str]:
    payload = body if isinstance(body, str) else json.dumps(body)
    # Stripe's scheme, computed by hand (not through our code): t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<payload>")
    import hashlib
    import hmac

    ts = timestamp or int(time.time())
    mac = hmac.new((secret or gateway.webhook_secret()).encode(), f"{ts}.{payload}".encode(), hashlib.sha256)
    return payload, f"t={ts},v1={mac.hexdigest()}"


def post_event(body: dict[str, Any], *, http: DjangoClient | None = None, **sign_kwargs: Any) -> Any:
    payload, header = signed(body, **sign_kwargs)
    return (http or DjangoClient()).post(WEBHOOK_URL, data=payload, content_type="application/json",
                                         HTTP_STRIPE_SIGNATURE=header)


def checkout_completed(purchase: Purchase, *, amount: int | None = None, currency: str | None = None,
                       payment_intent: str | None = None, account: str | None = None,
                       event_id: str | None = None) -> dict[str, Any]:
    session = {
        "id": f"cs_test_{purchase.pk}", "object": "checkout.session", "mode": "payment", "status": "complete",
        "payment_status": "paid", "amount_total": purchase.amount_minor if amount is None else amount,
        "currency": (currency or purchase.currency).lower(),
        "metadata": {"coachos_purchase_id": str(purchase.pk), "coachos_org": str(purchase.organization_id)},
        "payment_intent": payment_intent or f"pi_test_{purchase.pk}", "customer": None, "subscription": None,
    }
    return stripe_event("checkout.session.completed", session, account=account, event_id=event_id)


def charge_refunded(purchase: Purchase, amount_refunded: int, *, payment_intent: str | None = None,
                    with_metadata: bool = True, account: str | None = None) -> dict[str, Any]:
    charge = {
        "id": f"ch_test_{purchase.pk}", "object": "charge", "amount": purchase.amount_minor,
        "amount_refunded": amount_refunded, "currency": purchase.currency.lower(), "refunded": True,
        "payment_intent": payment_intent or f"pi_test_{purchase.pk}",
        "metadata": {"coachos_purchase_id": str(purchase.pk)} if with_metadata else {},
    }
    return stripe_event("charge.refunded", charge, account=account)


def money_events(organization: Organization, **filters: Any) -> list[MoneyEvent]:
    with scope(organization=organization):
        return list(MoneyEvent.objects.filter(**filters).order_by("id"))


def packages_of(purchase: Purchase) -> list[ClientPackage]:
    with scopes_disabled():
        return list(ClientPackage.objects.filter(client_id=purchase.client_id))


def fresh(purchase: Purchase) -> Purchase:
    with scopes_disabled():
        return Purchase.objects.get(pk=purchase.pk)


@pytest.fixture(autouse=True)
def _local_gateway(settings: Any) -> Any:
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret_for_the_suite"
    gateway.use_gateway(None)
    yield
    gateway.use_gateway(None)


@pytest.fixture
def plan(org: Organization) -> PackagePlan:
    return PackagePlanFactory(organization=org, name="10 sessions", sessions=10, price_minor=75000)


@pytest.fixture
def buyer(org: Organization) -> Any:
    return ClientFactory(organization=org, first_name="Ana", last_name="Buyer", email="ana@example.com")


@pytest.fixture
def pending(org: Organization, buyer: Any, plan: PackagePlan, owner: Any) -> Purchase:
    from coachos.billing import services

    with scope(organization=org):
        purchase = services.purchase_create(client=buyer, plan=plan, actor=owner)
        return services.purchase_checkout(purchase=purchase)
