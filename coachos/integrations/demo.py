"""Demo calendars and video for the demo business (``site``'s seed, after scheduling's). Idempotent: it
does nothing when the business has a connected calendar already.

A CalDAV calendar cannot reach anything in the demo, so Maya's is shown as it would be after her server
stopped answering (its ".invalid" address never resolves): "Not reachable", with the busy times it last gave (a lunch tomorrow, a morning next
week, a day off) still blocking her slots. The intro session is held online (Jitsi Meet), so its bookings
get a meeting link. Works on SQLite.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_scopes import scope

from coachos.scheduling.models import Coach, SessionType
from coachos.tenancy.models import Organization

from . import crypto
from .models import BusyBlock, CalendarConnection, OnlineSessionType, VideoSettings

MAYA = "owner@northside.example"


def seed_integrations(org: Organization) -> None:
    with scope(organization=org):
        if CalendarConnection.objects.exists():
            return
        coach = Coach.objects.filter(membership__user__email=MAYA).first()
        if coach is None:
            return
        now = timezone.now()
        tz = org.tzinfo
        today = now.astimezone(tz).date()
        connection = CalendarConnection.objects.create(
            organization=org, coach=coach, provider=CalendarConnection.Provider.CALDAV,
            name="Maya's personal calendar", url="https://calendar.northside.invalid/dav/", username="maya@northside.example",
            secret=crypto.seal("demo-app-password"), calendar_id="https://calendar.northside.invalid/dav/maya/home/",
            status=CalendarConnection.Status.FAILING,
            status_detail="Could not reach the server (ConnectionError)",
            busy_source=True, write_target=True, last_synced_at=now - timedelta(hours=3),
            last_attempt_at=now,
        )

        def at(days: int, hour: int, minute: int = 0) -> datetime:
            return datetime.combine(today + timedelta(days=days), time(hour, minute), tzinfo=tz)

        spans = [(at(1, 12), at(1, 13, 30)), (at(7, 8), at(7, 11)), (at(10, 0), at(11, 0))]
        BusyBlock.objects.bulk_create([
            BusyBlock(organization=org, connection=connection, coach=coach, starts_at=start, ends_at=end,
                      source=f"demo-{n}") for n, (start, end) in enumerate(spans)])
        VideoSettings.objects.get_or_create(organization=org)
        intro = SessionType.objects.filter(name="Intro session").first()
        if intro is not None:
            OnlineSessionType.objects.get_or_create(session_type=intro, defaults={"organization": org})
