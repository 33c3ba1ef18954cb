"""How far behind the background work is: the most overdue periodic job and the oldest message due."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from django_scopes import scopes_disabled

from coachos.automations.models import JobSchedule
from coachos.comms.models import OutboundMessage


def job_lag_seconds(now: datetime | None = None) -> float:
    """Seconds since the most overdue periodic job was due (0 when none is overdue). Beat ticks every
    minute, so up to about 60 s is normal; more means no beat or no worker is running."""
    now = now or timezone.now()
    oldest = JobSchedule.objects.aggregate(oldest=Min("next_run_at"))["oldest"]
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def outbox_state(now: datetime | None = None) -> dict[str, Any]:
    """Messages waiting to be sent (queued or deferred by quiet hours) and the age of the oldest one due."""
    now = now or timezone.now()
    with scopes_disabled():
        pending = OutboundMessage.objects.filter(status__in=OutboundMessage.PENDING)
        depth = pending.aggregate(n=Count("id"))["n"]
        oldest_due = pending.filter(scheduled_for__lte=now).aggregate(oldest=Min("scheduled_for"))["oldest"]
    return {"depth": depth, "oldest_age_seconds": max(0.0, (now - oldest_due).total_seconds()) if oldest_due else 0.0}


def jobs_check() -> tuple[bool, dict[str, Any]]:
    limit = float(getattr(settings, "HEALTHZ_MAX_JOB_LAG_SECONDS", 600))
    lag = job_lag_seconds()
    outbox = outbox_state()
    return lag <= limit, {"lag_seconds": round(lag, 1), "max_lag_seconds": limit,
                          "outbox_depth": outbox["depth"], "outbox_oldest_age_seconds": round(outbox["oldest_age_seconds"], 1)}
