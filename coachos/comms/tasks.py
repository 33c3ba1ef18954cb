"""Thin Celery tasks around the sender and the reminder job."""

from __future__ import annotations

import logging

from celery import shared_task

from . import reminders, sender
from .dispatch import send_message as send_message  # registered there, under this module's name

logger = logging.getLogger(__name__)


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
    counts = reminders.reminders_send()
    if counts["businesses"]:
        logger.info("reminders written", extra=counts)
    return counts
