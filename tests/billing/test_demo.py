"""The payments demo: paid purchases, a refund, manual payments, a past-due membership. Idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from coachos.billing.models import ClientMembership, Purchase, WebhookEvent
from coachos.books.models import MoneyEvent

pytestmark = [pytest.mark.django_db]


def counts() -> tuple[int, ...]:
    with scopes_disabled():
        return (Purchase.objects.count(), ClientMembership.objects.count(), WebhookEvent.objects.count(),
                MoneyEvent.objects.filter(related_type="purchase").count())


def test_seed_demo_makes_payments_in_every_state_and_is_idempotent():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    with scopes_disabled():
        purchases = Purchase.objects.filter(note__startswith="[demo]")
        statuses = set(purchases.values_list("status", flat=True))
        assert {"paid", "refunded", "pending"} <= statuses
        assert purchases.filter(method="cash").exists() and purchases.filter(method="bank_transfer").exists()
        assert ClientMembership.objects.filter(status="past_due").count() == 1
        assert ClientMembership.objects.filter(status="active").count() == 2
        paid_online = Purchase.objects.filter(method="stripe", status="paid", kind="one_off")
        assert paid_online.count() >= 3
        assert all(p.client_package_id for p in paid_online)
        assert MoneyEvent.objects.filter(kind="refund").exists()
        assert not WebhookEvent.objects.filter(result="failed").exists()
