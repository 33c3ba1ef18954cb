"""The periodic sync: every connection whose copy is older than ``POLL_EVERY`` is read again (CalDAV:
a ctag request, then the events only when it changed); Google watch channels near expiry are renewed."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from . import services
from .models import CalendarConnection

logger = logging.getLogger(__name__)


def calendars_poll(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    due_before = now - services.POLL_EVERY
    with scopes_disabled():
        due = list(CalendarConnection.objects.filter(busy_source=True).exclude(
            status=CalendarConnection.Status.REVOKED).filter(
            Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lte=due_before)).select_related("organization"))
    synced = failed = renewed = 0
    for connection in due:
        with scope(organization=connection.organization):
            try:
                result = services.connection_sync(connection=connection, now=now)
            except Exception:
                logger.exception("calendar poll failed", extra={"connection": connection.pk})
                failed += 1
                continue
            if result.status == CalendarConnection.Status.ACTIVE:
                synced += 1
            else:
                failed += 1
    with scopes_disabled():
        google = list(CalendarConnection.objects.filter(provider=CalendarConnection.Provider.GOOGLE).exclude(
            status=CalendarConnection.Status.REVOKED).select_related("organization"))
    if google:
        from . import google_sync

        for connection in google:
            with scope(organization=connection.organization):
                if google_sync.channel_renew_if_due(connection, now=now):
                    renewed += 1
    return {"synced": synced, "failed": failed, "renewed": renewed}
