"""Thin Celery tasks around progress's periodic jobs."""

from __future__ import annotations

import logging

from celery import shared_task

from .monthly import monthly_reports_send
from .services.tasks import tasks_note_overdue

logger = logging.getLogger(__name__)


@shared_task
def note_overdue_tasks() -> int:
    """Announce (``task.overdue``) each task newly overdue, once per task and missed period."""
    return tasks_note_overdue()


@shared_task
def send_monthly_reports() -> dict[str, int]:
    """Email each client due it their previous month's progress report (once per client and month)."""
    return monthly_reports_send()
