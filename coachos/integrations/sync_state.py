"""What the CalDAV and Google syncs share: the window read, the cache written, the status kept."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from coachos.scheduling.models import Coach

from . import busy as busy_rules
from .models import BusyBlock, CalendarConnection

logger = logging.getLogger("coachos.integrations.services")

PAST = timedelta(days=1)
EXTRA_DAYS = 9  # the slot engine looks a week past the last day, plus buffers


def sync_window(coach: Coach, now: datetime) -> tuple[datetime, datetime]:
    return now - PAST, now + timedelta(days=max(coach.horizon_days, 62) + EXTRA_DAYS)


def store_busy(connection: CalendarConnection, intervals: list[busy_rules.Busy],
                etags: list[tuple[str, str]] | None = None) -> None:
    BusyBlock.objects.filter(connection=connection).delete()
    BusyBlock.objects.bulk_create([
        BusyBlock(organization_id=connection.organization_id, connection=connection, coach_id=connection.coach_id,
                  starts_at=b.starts_at, ends_at=b.ends_at)
        for b in intervals
    ], batch_size=1000)


def failed(connection: CalendarConnection, *, reason: str, revoked: bool, now: datetime) -> None:
    connection.status = CalendarConnection.Status.REVOKED if revoked else CalendarConnection.Status.FAILING
    connection.status_detail = reason[:500]
    connection.last_attempt_at = now
    connection.save(update_fields=["status", "status_detail", "last_attempt_at", "updated_at"])
    logger.warning("calendar sync failed", extra={"connection": connection.pk, "provider": connection.provider})


def mark_synced(connection: CalendarConnection, now: datetime) -> None:
    connection.status = CalendarConnection.Status.ACTIVE
    connection.status_detail = ""
    connection.last_synced_at = now
    connection.last_attempt_at = now
    connection.save(update_fields=["status", "status_detail", "last_synced_at", "last_attempt_at", "sync_state",
                                   "updated_at"])
