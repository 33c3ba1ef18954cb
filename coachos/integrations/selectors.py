"""Reads shared by the Calendars page and the API."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from coachos.scheduling.models import Coach

from .models import CalendarConnection
from .services import POLL_EVERY


def connections_for(*, coach: Coach) -> QuerySet[CalendarConnection]:
    return CalendarConnection.objects.filter(coach=coach).order_by("created_at", "pk")


def is_stale(connection: CalendarConnection, *, now: datetime | None = None) -> bool:
    """Its busy times are older than two poll intervals (or were never read)."""
    now = now or timezone.now()
    return connection.last_synced_at is None or connection.last_synced_at < now - 2 * POLL_EVERY
