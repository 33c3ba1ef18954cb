"""Thin Celery task around the library's periodic job."""

from __future__ import annotations

from celery import shared_task

from .sharing import shares_run_due


@shared_task
def deliver_due_shares() -> dict[str, int]:
    """Deliver scheduled shares and drips that are due (each run once, claimed with SKIP LOCKED)."""
    return shares_run_due()
