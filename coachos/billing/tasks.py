"""Thin Celery tasks over the payments services."""

from __future__ import annotations

from celery import shared_task

from .booking_payments import expire_unpaid
from .ledger import record_processing_fee
from .memberships import memberships_pause_overdue

__all__ = ["expire_unpaid_bookings", "pause_overdue_memberships", "record_processing_fee"]


@shared_task
def expire_unpaid_bookings() -> int:
    """Card bookings unpaid when their hold ends are cancelled (a late payment is then refunded)."""
    return expire_unpaid()


@shared_task
def pause_overdue_memberships() -> int:
    """Memberships past due for longer than their business's grace period are paused."""
    return memberships_pause_overdue()
