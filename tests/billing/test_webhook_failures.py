"""A Stripe event whose handler fails: 500 (Stripe retries), nothing half-written, the event not
marked processed, and the redelivery of the same event processes it once.

The handler is the real one with an error raised after it wrote everything (the payment, the
books, the package): the webhook pipeline, not the handler, is what is tested here."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled

from coachos.billing import events
from coachos.billing.models import WebhookEvent
from coachos.credits.models import CreditEntry

from .conftest import checkout_completed, fresh, money_events, packages_of, post_event


def _fails_after_writing(real: Any) -> Any:
    def handler(event: dict[str, Any]) -> Any:
        real(event)
        raise RuntimeError("the handler broke after writing")
    return handler


@pytest.mark.django_db
def test_a_failing_handler_answers_500_writes_nothing_and_the_redelivery_processes_it(pending, monkeypatch):
    event = checkout_completed(pending)
    real = events.HANDLERS["checkout.session.completed"]
    monkeypatch.setitem(events.HANDLERS, "checkout.session.completed", _fails_after_writing(real))

    response = post_event(event)

    assert response.status_code == 500
    assert response.json() == {"result": "failed"}
    assert fresh(pending).status == "pending"
    assert fresh(pending).client_package_id is None
    assert money_events(pending.organization) == []
    assert packages_of(pending) == []
    with scopes_disabled():
        assert not CreditEntry.objects.exists()
        stored = WebhookEvent.objects.get(stripe_id=event["id"])
    assert stored.processed_at is None
    assert stored.result == WebhookEvent.Result.FAILED
    assert stored.attempts == 1
    assert "RuntimeError" in stored.error

    monkeypatch.setitem(events.HANDLERS, "checkout.session.completed", real)  # the bug is fixed; Stripe retries
    again = post_event(event)

    assert again.status_code == 200
    assert again.json() == {"result": "processed"}
    purchase = fresh(pending)
    assert purchase.status == "paid"
    assert [p.remaining for p in packages_of(pending)] == [10]
    assert [e.amount_minor for e in money_events(pending.organization, kind="sale")] == [pending.amount_minor]
    with scopes_disabled():
        stored = WebhookEvent.objects.get(stripe_id=event["id"])
    assert stored.processed_at is not None
    assert stored.result == WebhookEvent.Result.PROCESSED
    assert stored.attempts == 2
    assert stored.error == ""
    # A third delivery finds it done: nothing twice.
    assert post_event(event).json() == {"result": "duplicate"}
    assert len(packages_of(pending)) == 1


@pytest.mark.django_db
def test_a_handler_failing_on_every_delivery_is_never_marked_processed(pending, monkeypatch):
    event = checkout_completed(pending)
    real = events.HANDLERS["checkout.session.completed"]
    monkeypatch.setitem(events.HANDLERS, "checkout.session.completed", _fails_after_writing(real))
    assert [post_event(event).status_code for _ in range(3)] == [500, 500, 500]
    with scopes_disabled():
        stored = WebhookEvent.objects.get(stripe_id=event["id"])
    assert stored.processed_at is None
    assert stored.attempts == 3
    assert packages_of(pending) == []
