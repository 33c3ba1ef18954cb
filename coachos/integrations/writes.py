"""Coach OS sessions written to the coach's chosen calendar, each change exactly once.

A booking event (created, cancelled, rescheduled, reinstated; a session moved) queues the session
(``CalendarWrite``, one row per session, due at once). The job (``writes_run``) claims due rows and
makes the calendar match the session: an event written for an active session, updated when its
content changed, removed when the session is cancelled. The event's UID is fixed by the session
(``event_uid``), and ``RemoteEvent`` keeps its id and a fingerprint of what was written: a retry
after a crash puts the same UID again (an update, never a second event), and a change that is
already written is not written twice. A failed write is retried later with backoff.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import icalendar
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.scheduling.models import Booking, TrainingSession

from . import caldav_gateway, crypto, video
from .errors import WriteFailed
from .models import CalendarConnection, CalendarWrite, RemoteEvent

logger = logging.getLogger(__name__)

BATCH = 100
MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True)
class EventContent:
    uid: str
    summary: str
    description: str
    location: str
    starts_at: datetime
    ends_at: datetime

    def fingerprint(self) -> str:
        raw = "|".join([self.summary, self.description, self.location, self.starts_at.isoformat(),
                        self.ends_at.isoformat()])
        return hashlib.sha256(raw.encode()).hexdigest()

    def ics(self) -> str:
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//Coach OS//Sessions//EN")
        calendar.add("version", "2.0")
        event = icalendar.Event()
        event.add("uid", self.uid)
        event.add("dtstamp", datetime.now(UTC))
        event.add("dtstart", self.starts_at.astimezone(UTC))
        event.add("dtend", self.ends_at.astimezone(UTC))
        event.add("summary", self.summary)
        if self.description:
            event.add("description", self.description)
        if self.location:
            event.add("location", self.location)
        calendar.add_component(event)
        return calendar.to_ical().decode()


def event_uid(session: TrainingSession) -> str:
    return f"coachos-session-{session.organization_id}-{session.pk}"


def google_event_id(session: TrainingSession) -> str:
    # Google's own ids are base32hex (a–v, 0–9), 5–1024 characters: a fixed one makes an insert idempotent.
    return f"coachos{session.organization_id}s{session.pk}"


def content_for(session: TrainingSession) -> EventContent:
    """The event for a session: the session type and the clients' first names; the meeting link."""
    names = [b.client.first_name for b in session.bookings.all() if b.status in Booking.ACTIVE]
    summary = session.session_type.name + (f" · {', '.join(names)}" if names else "")
    link = video.link_for(session)
    location = link or session.session_type.location
    description = link
    return EventContent(uid=event_uid(session), summary=summary[:250], description=description, location=location,
                        starts_at=session.starts_at, ends_at=session.ends_at)


# --- the queue ---------------------------------------------------------------------------------

def write_queue(*, session_id: int, organization_id: int, now: datetime | None = None) -> None:
    """Queue a session for writing, due now (called inside the booking's own transaction)."""
    now = now or timezone.now()
    CalendarWrite.objects.update_or_create(session_id=session_id, defaults={
        "organization_id": organization_id, "due_at": now, "attempts": 0, "last_error": ""})


# --- the writer --------------------------------------------------------------------------------

def _put(connection: CalendarConnection, session: TrainingSession, content: EventContent,
         remote: RemoteEvent | None) -> str:
    if connection.provider == CalendarConnection.Provider.GOOGLE:
        from . import google_sync

        return google_sync.put_event(connection, event_id=google_event_id(session), content=content,
                                     exists=remote is not None and not remote.deleted)
    account = caldav_gateway.Account(connection.url, connection.username, crypto.unseal(connection.secret))
    try:
        return caldav_gateway.put_event(account, connection.calendar_id, ics=content.ics())
    except caldav_gateway.CalDAVFailure as exc:
        raise WriteFailed(exc.reason) from exc


def _delete(connection: CalendarConnection, remote: RemoteEvent) -> None:
    if connection.provider == CalendarConnection.Provider.GOOGLE:
        from . import google_sync

        google_sync.delete_event(connection, event_id=remote.remote_id)
        return
    account = caldav_gateway.Account(connection.url, connection.username, crypto.unseal(connection.secret))
    try:
        caldav_gateway.delete_event(account, remote.remote_id)
    except caldav_gateway.CalDAVFailure as exc:
        raise WriteFailed(exc.reason) from exc


def session_write(session: TrainingSession) -> int:
    """Make the coach's calendars match the session; returns how many remote writes were made."""
    session = TrainingSession.objects.select_related("session_type", "coach").prefetch_related(
        "bookings__client").get(pk=session.pk)
    target = CalendarConnection.objects.filter(coach_id=session.coach_id, write_target=True).first()
    active = session.status == TrainingSession.Status.SCHEDULED and any(
        b.status in Booking.ACTIVE for b in session.bookings.all())
    writes = 0
    for remote in RemoteEvent.objects.filter(session=session, deleted=False).select_related("connection"):
        if not active or target is None or remote.connection_id != target.pk:
            _delete(remote.connection, remote)
            remote.deleted = True
            remote.save(update_fields=["deleted", "written_at"])
            writes += 1
    if active and target is not None:
        content = content_for(session)
        current = RemoteEvent.objects.filter(connection=target, session=session).first()
        if current is None or current.deleted or current.fingerprint != content.fingerprint():
            remote_id = _put(target, session, content, current)
            RemoteEvent.objects.update_or_create(connection=target, session=session, defaults={
                "organization_id": session.organization_id, "remote_id": remote_id[:1000],
                "fingerprint": content.fingerprint(), "deleted": False})
            writes += 1
    return writes


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** min(attempts, 12)), MAX_BACKOFF)


def writes_run(*, now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
    """Write the due sessions (claimed row by row, so that two workers never write the same one)."""
    now = now or timezone.now()
    done = failed = 0
    with scopes_disabled():
        due = list(CalendarWrite.objects.filter(due_at__lte=now).order_by("due_at").values_list("pk", flat=True)[:limit])
    for pk in due:
        with scopes_disabled(), transaction.atomic():
            row = CalendarWrite.objects.select_for_update(skip_locked=True).select_related(
                "organization", "session").filter(pk=pk, due_at__lte=now).first()
            if row is None:
                continue
            with scope(organization=row.organization):
                try:
                    with transaction.atomic():
                        session_write(row.session)
                except WriteFailed as exc:
                    row.attempts += 1
                    row.due_at = now + _backoff(row.attempts)
                    row.last_error = str(exc)[:500]
                    row.save(update_fields=["attempts", "due_at", "last_error"])
                    failed += 1
                    logger.warning("calendar write failed", extra={"session": row.session_id, "attempts": row.attempts})
                    continue
                row.delete()
                done += 1
    return {"written": done, "failed": failed}


