"""Thin Celery task around chat's periodic job."""

from __future__ import annotations

import logging

from celery import shared_task

from . import alerts, attachments

logger = logging.getLogger(__name__)


@shared_task
def send_unread_notices() -> dict[str, int]:
    """Text or email what has stayed unread past its delay (once per message and person)."""
    counts = alerts.unread_notices_send()
    if counts:
        logger.info("chat unread notices", extra=counts)
    return counts


@shared_task
def prune_unsent_uploads() -> int:
    """Delete files uploaded for a message that was never sent (after a day)."""
    removed = attachments.prune_unsent()
    if removed:
        logger.info("chat uploads pruned", extra={"removed": removed})
    return removed
