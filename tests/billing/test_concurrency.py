"""Ten simultaneous deliveries of the same event: exactly one sale and one credit grant.

Real threads, each with its own PostgreSQL connection, released together by a barrier.
"""

from __future__ import annotations

from functools import partial

import pytest
from django.db import connection
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.billing.models import WebhookEvent
from coachos.credits.models import CreditEntry

from ..concurrency import run_concurrently, run_each
from .conftest import checkout_completed, fresh, money_events, packages_of, signed

THREADS = 10


def _deliver(payload: str, header: str) -> int:
    response = DjangoClient().post("/webhooks/stripe", data=payload, content_type="application/json",
                                   HTTP_STRIPE_SIGNATURE=header)
    return response.status_code


def _deliver_at_once(payload: str, header: str) -> list[int]:
    return run_concurrently(lambda _i: _deliver(payload, header), THREADS, timeout=120).values


@pytest.mark.xdist_group("billing-concurrency")
@pytest.mark.django_db(transaction=True)
def test_ten_identical_deliveries_at_once_make_one_sale_and_one_package(pending):
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test runs on PostgreSQL")
    payload, header = signed(checkout_completed(pending, event_id="evt_concurrent_1"))

    statuses = _deliver_at_once(payload, header)

    assert statuses == [200] * THREADS
    assert fresh(pending).status == "paid"
    assert len(money_events(pending.organization, kind="sale")) == 1
    assert len(money_events(pending.organization, kind="platform_fee")) <= 1
    packages = packages_of(pending)
    assert len(packages) == 1
    with scopes_disabled():
        assert CreditEntry.objects.filter(package=packages[0]).count() == 1
        assert WebhookEvent.objects.filter(stripe_id="evt_concurrent_1").count() == 1
        assert WebhookEvent.objects.get(stripe_id="evt_concurrent_1").result == "processed"


@pytest.mark.xdist_group("billing-concurrency")
@pytest.mark.django_db(transaction=True)
def test_two_different_events_for_the_same_payment_at_once_still_grant_once(pending):
    """checkout.session.completed and payment_intent.succeeded race: the purchase row decides."""
    if connection.vendor != "postgresql":
        pytest.skip("the concurrency test runs on PostgreSQL")
    from .conftest import stripe_event

    intent = {"id": f"pi_test_{pending.pk}", "object": "payment_intent", "amount_received": pending.amount_minor,
              "currency": "usd", "status": "succeeded", "metadata": {"coachos_purchase_id": str(pending.pk)}}
    bodies = [signed(checkout_completed(pending)), signed(stripe_event("payment_intent.succeeded", intent))]
    statuses = run_each([partial(_deliver, *body) for body in bodies], timeout=120).values
    assert statuses == [200, 200]
    assert len(money_events(pending.organization, kind="sale")) == 1
    assert len(packages_of(pending)) == 1
