"""/webhooks/stripe verifies Stripe's signature with the official SDK before writing anything."""

from __future__ import annotations

import json
import time

import pytest
from django_scopes import scopes_disabled

from coachos.billing.models import Purchase, WebhookEvent

from .conftest import WEBHOOK_URL, checkout_completed, fresh, money_events, packages_of, post_event, signed


def _nothing_written(purchase: Purchase) -> None:
    with scopes_disabled():
        assert WebhookEvent.objects.count() == 0
    assert fresh(purchase).status == "pending"
    assert money_events(purchase.organization) == []
    assert packages_of(purchase) == []


@pytest.mark.django_db
def test_a_correctly_signed_event_is_accepted(pending):
    response = post_event(checkout_completed(pending))
    assert response.status_code == 200
    assert fresh(pending).status == "paid"
    with scopes_disabled():
        assert WebhookEvent.objects.get().result == "processed"


@pytest.mark.django_db
def test_wrong_secret_is_400_and_writes_nothing(pending):
    response = post_event(checkout_completed(pending), secret="whsec_someone_else")
    assert response.status_code == 400
    _nothing_written(pending)


@pytest.mark.django_db
def test_tampered_body_is_400_and_writes_nothing(pending, client):
    payload, header = signed(checkout_completed(pending))
    tampered = payload.replace(f'"amount_total": {pending.amount_minor}', '"amount_total": 1')
    assert tampered != payload
    response = client.post(WEBHOOK_URL, data=tampered, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=header)
    assert response.status_code == 400
    _nothing_written(pending)


@pytest.mark.django_db
def test_timestamp_older_than_five_minutes_is_400_and_writes_nothing(pending):
    response = post_event(checkout_completed(pending), timestamp=int(time.time()) - 301)
    assert response.status_code == 400
    _nothing_written(pending)


@pytest.mark.django_db
def test_a_timestamp_within_five_minutes_is_accepted(pending):
    assert post_event(checkout_completed(pending), timestamp=int(time.time()) - 240).status_code == 200


@pytest.mark.django_db
def test_missing_header_or_garbage_is_400(pending, client):
    body = json.dumps(checkout_completed(pending))
    assert client.post(WEBHOOK_URL, data=body, content_type="application/json").status_code == 400
    assert client.post(WEBHOOK_URL, data=body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE="garbage").status_code == 400
    payload, header = signed("not json at all")
    assert client.post(WEBHOOK_URL, data=payload, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=header).status_code == 400
    _nothing_written(pending)


@pytest.mark.django_db
def test_only_post(client):
    assert client.get(WEBHOOK_URL).status_code == 405


@pytest.mark.django_db
def test_the_same_event_twice_acts_once(pending):
    body = checkout_completed(pending)
    assert post_event(body).json()["result"] == "processed"
    assert post_event(body).json()["result"] == "duplicate"
    assert len(money_events(pending.organization, kind="sale")) == 1
    assert len(packages_of(pending)) == 1


@pytest.mark.django_db
def test_without_a_configured_secret_a_local_one_is_derived_and_stable(settings, pending):
    from coachos.billing import gateway

    settings.STRIPE_WEBHOOK_SECRET = ""
    first = gateway.webhook_secret()
    assert first.startswith("whsec_") and first == gateway.webhook_secret()
    settings.SECRET_KEY = "another-secret-key-for-another-install-0123456789abcdef"
    assert gateway.webhook_secret() != first


@pytest.mark.django_db
def test_timestamp_more_than_five_minutes_ahead_is_400_and_writes_nothing(pending):
    """Issue #21: a signature dated in the future was accepted (replayable until then)."""
    response = post_event(checkout_completed(pending), timestamp=int(time.time()) + 301)
    assert response.status_code == 400
    _nothing_written(pending)


@pytest.mark.django_db
def test_a_timestamp_a_little_ahead_is_accepted(pending):
    """Clocks drift: a few minutes ahead, within the tolerance, is still fine."""
    assert post_event(checkout_completed(pending), timestamp=int(time.time()) + 120).status_code == 200
