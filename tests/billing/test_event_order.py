"""Events may arrive in any order and still end in the right state."""

from __future__ import annotations

import time

import pytest
from django_scopes import scope, scopes_disabled

from coachos.billing import services
from coachos.billing.models import ClientMembership, WebhookEvent

from .conftest import charge_refunded, checkout_completed, fresh, money_events, packages_of, post_event, stripe_event


@pytest.mark.django_db
def test_a_full_refund_before_the_payment_event_is_kept_and_no_credits_are_given(pending):
    assert post_event(charge_refunded(pending, pending.amount_minor)).status_code == 200
    assert fresh(pending).refunded_minor == pending.amount_minor
    assert post_event(checkout_completed(pending)).status_code == 200

    purchase = fresh(pending)
    assert purchase.status == "refunded"
    assert purchase.paid_at is not None
    assert len(money_events(pending.organization, kind="sale")) == 1
    refunds = money_events(pending.organization, kind="refund")
    assert [r.amount_minor for r in refunds] == [pending.amount_minor]
    assert packages_of(pending) == []  # nothing granted for money that went back


@pytest.mark.django_db
def test_a_partial_refund_before_the_payment_event_ends_partially_refunded_with_the_package(pending):
    post_event(charge_refunded(pending, 25000))
    post_event(checkout_completed(pending))
    purchase = fresh(pending)
    assert purchase.status == "partially_refunded"
    assert purchase.refunded_minor == 25000
    assert len(packages_of(pending)) == 1
    # The same refund delivered again (or the payment_intent event) changes nothing.
    post_event(charge_refunded(pending, 25000))
    assert [r.amount_minor for r in money_events(pending.organization, kind="refund")] == [25000]


@pytest.mark.django_db
def test_a_refund_naming_only_an_unknown_payment_waits_and_is_replayed(pending):
    refund = charge_refunded(pending, pending.amount_minor, payment_intent="pi_late_1", with_metadata=False)
    assert post_event(refund).json()["result"] == "deferred"
    with scopes_disabled():
        assert WebhookEvent.objects.get(stripe_id=refund["id"]).waiting_for == "pi:pi_late_1"
    assert money_events(pending.organization, kind="refund") == []

    assert post_event(checkout_completed(pending, payment_intent="pi_late_1")).status_code == 200

    purchase = fresh(pending)
    assert purchase.status == "refunded"
    assert [r.amount_minor for r in money_events(pending.organization, kind="refund")] == [pending.amount_minor]
    with scopes_disabled():
        assert WebhookEvent.objects.get(stripe_id=refund["id"]).result == "processed"


@pytest.mark.django_db
def test_a_failed_attempt_arriving_after_the_success_does_not_undo_it(pending):
    post_event(checkout_completed(pending))
    failed = {"id": "pi_other", "object": "payment_intent", "status": "requires_payment_method",
              "metadata": {"coachos_purchase_id": str(pending.pk)}, "last_payment_error": {"code": "card_declined"}}
    post_event(stripe_event("payment_intent.payment_failed", failed))
    assert fresh(pending).status == "paid"


@pytest.mark.django_db
def test_a_success_after_a_failed_attempt_completes(pending):
    failed = {"id": "pi_other", "object": "payment_intent", "status": "requires_payment_method",
              "metadata": {"coachos_purchase_id": str(pending.pk)}}
    post_event(stripe_event("payment_intent.payment_failed", failed))
    assert fresh(pending).status == "failed"
    post_event(checkout_completed(pending))
    assert fresh(pending).status == "paid"
    assert len(packages_of(pending)) == 1


def _subscription(membership: ClientMembership, status: str) -> dict:
    return {"id": "sub_test_order", "object": "subscription", "status": status, "customer": "cus_1",
            "metadata": {"coachos_membership_id": str(membership.pk)},
            "items": {"data": [{"current_period_end": int(time.time()) + 86400 * 30}]}}


@pytest.fixture
def membership(org, buyer, owner):
    from coachos.billing.memberships import membership_plan_create

    with scope(organization=org):
        plan = membership_plan_create(organization=org, actor=owner, name="Monthly 8", price_minor=16000,
                                      sessions_per_month=8)
        purchase = services.purchase_create(client=buyer, membership_plan=plan, actor=owner)
        return purchase.membership


@pytest.mark.django_db
def test_subscription_updated_before_created_ends_in_the_updated_state(membership):
    now = int(time.time())
    post_event(stripe_event("customer.subscription.updated", _subscription(membership, "past_due"), created=now))
    post_event(stripe_event("customer.subscription.created", _subscription(membership, "active"), created=now - 60))
    with scopes_disabled():
        fresh_membership = ClientMembership.objects.get(pk=membership.pk)
    assert fresh_membership.status == "past_due"
    assert fresh_membership.stripe_subscription_id == "sub_test_order"


@pytest.mark.django_db
def test_deleted_then_a_late_update_stays_cancelled(membership):
    now = int(time.time())
    post_event(stripe_event("customer.subscription.deleted", _subscription(membership, "canceled"), created=now))
    post_event(stripe_event("customer.subscription.updated", _subscription(membership, "active"), created=now - 5))
    with scopes_disabled():
        assert ClientMembership.objects.get(pk=membership.pk).status == "cancelled"
