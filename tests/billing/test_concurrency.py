"""Ten simultaneous deliveries of the same event: exactly one sale and one credit grant.

Real threads, each with its own PostgreSQL connection, released together by a barrier.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.billing.models import WebhookEvent
from coachos.credits.models import CreditEntry

from .conftest import checkout_completed, fresh, money_events, packages_of, signed

THREADS = 10


def _deliver_at_once(payload: str, header: str) -> list[int]:
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def deliver() -> None:
        try:
            http = DjangoClient()
            barrier.wait(timeout=30)
            response = http.post("/webhooks/stripe", data=payload, content_type="application/json",
                                 HTTP_STRIPE_SIGNATURE=header)
            with lock:
                statuses.append(response.status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses


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
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def deliver(payload: str, header: str) -> None:
        try:
            http = DjangoClient()
            barrier.wait(timeout=30)
            statuses.append(http.post("/webhooks/stripe", data=payload, content_type="application/json",
                                      HTTP_STRIPE_SIGNATURE=header).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver, args=body) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200, 200]
    assert len(money_events(pending.organization, kind="sale")) == 1
    assert len(packages_of(pending)) == 1
