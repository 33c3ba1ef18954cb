from __future__ import annotations

from celery import shared_task

from . import digest


@shared_task
def send_weekly_digests() -> int:
    return digest.send_due()
