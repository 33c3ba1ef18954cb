"""A purchase's rows in the books, and Stripe's processing fee on it (recorded after commit).

Apart from ``services`` so that the fee's Celery task can use it without importing the services
(no import cycle: services -> ledger, tasks -> ledger)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.books.models import MoneyEvent
from coachos.books.services import money_event_record
from coachos.tenancy.tasks import OrgTask

from . import gateway as gateway_module
from .accounts import billing_account_for
from .models import Purchase

logger = logging.getLogger(__name__)


def record_money(purchase: Purchase, kind: str, amount: int, external_id: str, *, when: datetime | None = None,
            description: str = "", actor: Any = None) -> MoneyEvent | None:
    if amount <= 0:
        return None
    return money_event_record(
        organization=purchase.organization, kind=kind, amount_minor=amount, currency=purchase.currency,
        occurred_at=when or purchase.paid_at or timezone.now(), client=purchase.client,
        package_plan=purchase.plan, related=purchase, external_id=external_id,
        method=purchase.method, description=description or purchase.description, actor=actor,
    )


def processing_fee_after_commit(purchase: Purchase) -> None:
    gateway = gateway_module.get_gateway()
    if gateway.local:
        fee = gateway_module.local_processing_fee(purchase.amount_minor, purchase.currency)
        processing_fee_record(purchase=purchase, fee_minor=fee)
        return
    if not purchase.payment_intent_id:
        return
    organization_id, purchase_id = purchase.organization_id, purchase.pk
    transaction.on_commit(lambda: record_processing_fee.delay(organization_id=organization_id,
                                                              purchase_id=purchase_id))


def processing_fee_record(*, purchase: Purchase, fee_minor: int | None) -> None:
    """Stripe's processing fee on the payment (from its balance transaction; estimated in local mode)."""
    if fee_minor is None or fee_minor <= 0:
        return
    if purchase.processing_fee_minor is None:
        Purchase.objects.filter(pk=purchase.pk).update(processing_fee_minor=fee_minor)
        purchase.processing_fee_minor = fee_minor
    record_money(purchase, MoneyEvent.Kind.PROCESSING_FEE, fee_minor, f"purchase:{purchase.pk}:processing",
            description=_("Card processing fee"))


@shared_task(base=OrgTask, bind=True, max_retries=5, default_retry_delay=300,
             name="coachos.billing.tasks.record_processing_fee")
def record_processing_fee(self: OrgTask, *, organization_id: int, purchase_id: int) -> None:
    """Stripe's fee on a payment, from its balance transaction (retried: it may not exist yet)."""
    purchase = Purchase.objects.select_related("organization", "client", "plan").filter(pk=purchase_id).first()
    if purchase is None or not purchase.payment_intent_id or purchase.processing_fee_minor is not None:
        return
    account = billing_account_for(purchase.organization)
    try:
        fee = gateway_module.get_gateway().processing_fee(
            account_id=account.stripe_account_id, payment_intent_id=purchase.payment_intent_id,
            amount_minor=purchase.amount_minor, currency=purchase.currency)
    except gateway_module.GatewayError as exc:
        raise self.retry(exc=exc) from exc
    if fee is None:
        raise self.retry()
    processing_fee_record(purchase=purchase, fee_minor=fee)
