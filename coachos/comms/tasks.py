"""Thin Celery tasks around the sender."""

from __future__ import annotations

import logging

from celery import shared_task

from . import sender

logger = logging.getLogger(__name__)


@shared_task
def send_message(message_id: int) -> str:
    """Send one message now (queued right after the transaction that wrote it committed)."""
    return sender.deliver(message_id)


@shared_task
def send_due_messages() -> dict[str, int]:
    """Send every due message: deferred ones whose quiet hours ended, retries, anything a kick missed."""
    counts = sender.send_due()
    if counts:
        logger.info("due messages processed", extra=counts)
    return counts


@shared_task
def send_reminders() -> dict[str, int]:
    """Write the reminders due now (24 h and 2 h before sessions); the sender then sends them."""
    from . import reminders

    counts = reminders.reminders_send()
    if counts["businesses"]:
        logger.info("reminders written", extra=counts)
    return counts
