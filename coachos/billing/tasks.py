"""Thin Celery tasks over the payments services."""

from __future__ import annotations

import logging

from celery import shared_task

from coachos.tenancy.tasks import OrgTask

from . import gateway as gateway_module
from .accounts import billing_account_for
from .memberships import memberships_pause_overdue
from .models import Purchase
from .services import processing_fee_record

logger = logging.getLogger(__name__)


@shared_task(base=OrgTask, bind=True, max_retries=5, default_retry_delay=300)
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


@shared_task
def pause_overdue_memberships() -> int:
    """Memberships past due for longer than their business's grace period are paused."""
    return memberships_pause_overdue()
