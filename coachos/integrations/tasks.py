"""Thin Celery tasks around the integrations' periodic jobs."""

from __future__ import annotations

import logging

from celery import shared_task

from . import sync_jobs, writes

logger = logging.getLogger(__name__)


@shared_task
def write_calendar_events() -> dict[str, int]:
    """Write the sessions queued for the coaches' calendars (created, moved, cancelled)."""
    return writes.writes_run()


@shared_task
def sync_calendars() -> dict[str, int]:
    """Poll connected calendars (CalDAV ctag; Google sync tokens) and renew Google watch channels."""
    return sync_jobs.calendars_poll()
