"""An event whose amount or currency does not match grants nothing and is flagged for the coach;
an event from another Stripe account than the business's is ignored."""

from __future__ import annotations

import logging

import pytest
from django_scopes import scope, scopes_disabled

from coachos.billing.accounts import billing_account_for
from coachos.billing.models import BillingAccount, WebhookEvent

from .conftest import checkout_completed, fresh, money_events, packages_of, post_event


@pytest.mark.django_db
@pytest.mark.parametrize("amount,currency", [(100, None), (None, "eur")])
def test_a_mismatch_grants_nothing_and_is_flagged(pending, amount, currency):
    response = post_event(checkout_completed(pending, amount=amount, currency=currency))
    assert response.status_code == 200
    assert response.json()["result"] == "flagged"
    purchase = fresh(pending)
    assert purchase.flagged
    assert purchase.status == "pending"
    assert "nothing was granted" in purchase.flag_reason
    assert packages_of(pending) == []
    assert money_events(pending.organization) == []


@pytest.mark.django_db
def test_the_coach_sees_a_flagged_payment(pending, web, org):
    post_event(checkout_completed(pending, amount=100))
    page = web.get(f"/o/{org.slug}/payments/")
    assert page.status_code == 200
    assert "Payments that need checking" in page.content.decode()
    detail = web.get(f"/o/{org.slug}/payments/{pending.pk}/").content.decode()
    assert "needs checking" in detail


@pytest.mark.django_db
def test_the_team_is_notified_of_a_flag(pending, monkeypatch):
    from coachos.billing import notify

    told = []
    monkeypatch.setattr(notify, "_team_message", lambda **kwargs: told.append(kwargs))
    post_event(checkout_completed(pending, amount=100))
    assert [t["kind"] for t in told] == ["purchase_flagged"]
    assert told[0]["dedupe_key"] == f"purchase-flagged:{pending.pk}"


@pytest.mark.django_db
def test_an_event_from_another_account_is_ignored_and_logged_with_ids_only(pending, org, caplog):
    with scope(organization=org):
        account = billing_account_for(org)
    with scopes_disabled():
        BillingAccount.objects.filter(pk=account.pk).update(stripe_account_id="acct_ours", charges_enabled=True)
    body = checkout_completed(pending, account="acct_intruder")
    with caplog.at_level(logging.WARNING, logger="coachos.billing"):
        response = post_event(body)
    assert response.json()["result"] == "ignored"
    assert fresh(pending).status == "pending"
    assert packages_of(pending) == []
    assert money_events(pending.organization) == []
    record = next(r for r in caplog.records if "another account" in r.getMessage())
    assert record.stripe_event_id == body["id"]
    assert "ana@example.com" not in caplog.text and "Buyer" not in caplog.text
    with scopes_disabled():
        assert WebhookEvent.objects.get(stripe_id=body["id"]).result == "ignored"

    # The same payment from the business's own account completes it.
    assert post_event(checkout_completed(pending, account="acct_ours")).json()["result"] == "processed"
    assert fresh(pending).status == "paid"


@pytest.mark.django_db
def test_an_event_about_nothing_of_ours_is_ignored(org):
    from .conftest import stripe_event

    body = stripe_event("checkout.session.completed", {"id": "cs_x", "object": "checkout.session",
                                                       "metadata": {"coachos_purchase_id": "987654"}})
    assert post_event(body).json()["result"] == "ignored"
    assert post_event(stripe_event("customer.created", {"id": "cus_1", "object": "customer"})).json()["result"] \
        == "ignored"
