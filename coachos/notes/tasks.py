"""Thin Celery task around notes' periodic job."""

from __future__ import annotations

import logging

from celery import shared_task

from . import reminders

logger = logging.getLogger(__name__)


@shared_task
def send_journal_reminders() -> int:
    """Remind clients behind their weekly journal goal (once a week at most)."""
    sent = reminders.reminders_send()
    if sent:
        logger.info("journal reminders", extra={"sent": sent})
    return sent
