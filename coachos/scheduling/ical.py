"""iCalendar (RFC 5545) feeds: a coach's sessions and a client's bookings.

Times are written in the business's zone (DTSTART;TZID=...) with its VTIMEZONE, so a calendar
app shows a session at the wall-clock time the business booked it, in any zone. Each session
has one UID in every feed, so an app updates an event in place when it moves or is cancelled.
Call inside the business's scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vDuration

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from . import visibility
from .models import Booking, Coach, TrainingSession
from .selectors import sessions_in_range

PRODID = "-//Coach OS//Coach OS calendar feed//EN"
PAST = timedelta(days=60)
AHEAD = timedelta(days=365)
MAX_NAMES = 3


def feed_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    return now - PAST, now + AHEAD


def public_url(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def webcal_url(url: str) -> str:
    """The same address for calendar apps: webcal:// makes a click subscribe instead of download."""
    return "webcal://" + url.split("://", 1)[1]


def session_uid(session: TrainingSession) -> str:
    host = urlsplit(settings.PUBLIC_BASE_URL).hostname or "coachos"
    return f"session-{session.pk}@{host}"


def _location(session: TrainingSession, organization: Organization) -> str:
    place = session.session_type.location or ", ".join(
        line.strip() for line in organization.address.splitlines() if line.strip()
    )
    return ", ".join(part for part in (session.room.name if session.room else "", place) if part)


def _calendar(name: str, organization: Organization) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", organization.timezone)
    # RFC 7986 REFRESH-INTERVAL: icalendar does not know its type, so give it one (PT1H).
    calendar.add("refresh-interval", vDuration(timedelta(hours=1)), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return calendar


def _event(session: TrainingSession, *, organization: Organization, summary: str, description: str,
           status: str, modified: datetime) -> Event:
    tz = organization.tzinfo
    event = Event()
    event.add("uid", session_uid(session))
    # No METHOD on the calendar, so DTSTAMP is the time the event last changed (RFC 5545 3.8.7.2).
    event.add("dtstamp", modified)
    event.add("last-modified", modified)
    event.add("created", session.created_at)
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", summary)
    location = _location(session, organization)
    if location:
        event.add("location", location)
    if session.session_type.video_url:
        event.add("url", session.session_type.video_url)
    if description:
        event.add("description", description)
    event.add("status", status)
    event.add("transp", "TRANSPARENT" if status == "CANCELLED" else "OPAQUE")
    return event


def _finish(calendar: Calendar, organization: Organization, start: datetime, end: datetime) -> bytes:
    first, last = (start - timedelta(days=366)).date(), (end + timedelta(days=366)).date()
    if organization.timezone != "UTC":
        calendar.add_missing_timezones(first_date=first, last_date=last)
        if not calendar.timezones:  # no events yet: still name the zone the feed is written in
            calendar.add_component(Timezone.from_tzid(organization.timezone, first_date=first, last_date=last))
        # Calendar apps read the zone before the events that use it.
        calendar.subcomponents.sort(key=lambda component: component.name != "VTIMEZONE")
    return calendar.to_ical()


def _names(bookings: Iterable[Booking]) -> list[str]:
    return [b.client.full_name for b in bookings if b.status in Booking.ACTIVE]


def coach_calendar(coach: Coach, *, now: datetime | None = None) -> bytes:
    """Every session of the coach that is not cancelled, from 60 days ago to a year ahead. A coach
    the owner limited to their own clients finds only those named (``visibility``); a one-to-one
    with another coach's client reads as busy."""
    organization = coach.organization
    start, end = feed_window(now)
    calendar = _calendar(f"{organization.name} · {coach.name}", organization)
    sessions = list(sessions_in_range(start=start, end=end, coach=coach))
    hidden = visibility.hidden_in(coach.membership, sessions)
    for session in sessions:
        access = visibility.session_access(session, hidden)
        if access.busy:
            calendar.add_component(_event(session, organization=organization, summary=_("Busy"), description="",
                                          status="CONFIRMED", modified=session.updated_at))
            continue
        names = _names(access.bookings)
        shown = ", ".join(names[:MAX_NAMES]) + (f" +{len(names) - MAX_NAMES}" if len(names) > MAX_NAMES else "")
        summary = f"{session.session_type.name} · {shown}" if shown else session.session_type.name
        lines = []
        if names:
            lines.append(_("Booked: %(names)s") % {"names": ", ".join(names)})
        if session.session_type.is_group:
            taken = sum(1 for b in session.bookings.all() if b.status in Booking.ACTIVE)  # named or not
            lines.append(_("%(taken)s of %(capacity)s places taken") % {"taken": taken,
                                                                        "capacity": session.capacity})
        if session.session_type.video_url:
            lines.append(_("Video: %(url)s") % {"url": session.session_type.video_url})
        calendar.add_component(_event(session, organization=organization, summary=summary,
                                      description="\n".join(lines), status="CONFIRMED",
                                      modified=session.updated_at))
    return _finish(calendar, organization, start, end)


def _one_booking_per_session(bookings: Iterable[Booking]) -> list[Booking]:
    """A client may have cancelled and booked the same session again: show the booking that
    counts (an active one, else the latest)."""
    chosen: dict[int, Booking] = {}
    for booking in bookings:
        current = chosen.get(booking.session_id)
        if (current is None or (booking.is_active and not current.is_active)
                or (booking.is_active == current.is_active and booking.created_at > current.created_at)):
            chosen[booking.session_id] = booking
    return sorted(chosen.values(), key=lambda b: b.session.starts_at)


def client_calendar(client: Client, *, now: datetime | None = None) -> bytes:
    """The client's bookings from 60 days ago to a year ahead; cancelled ones as STATUS:CANCELLED."""
    organization = client.organization
    start, end = feed_window(now)
    bookings = Booking.objects.filter(client=client, session__starts_at__lt=end, session__ends_at__gt=start)
    bookings = bookings.select_related("session__session_type", "session__room", "session__coach__membership__user")
    calendar = _calendar(_("Sessions with %(business)s") % {"business": organization.name}, organization)
    portal = public_url(reverse("portal:home", kwargs={"org_slug": organization.slug}))
    for booking in _one_booking_per_session(bookings):
        session = booking.session
        cancelled = not booking.is_active or session.status == TrainingSession.Status.CANCELLED
        summary = _("%(type)s with %(coach)s") % {"type": session.session_type.name, "coach": session.coach.name}
        if cancelled:
            summary = _("Cancelled: %(summary)s") % {"summary": summary}
        lines = [organization.name]
        if session.session_type.video_url and not cancelled:
            lines.append(_("Video: %(url)s") % {"url": session.session_type.video_url})
        lines.append(_("Your bookings: %(url)s") % {"url": portal})
        calendar.add_component(_event(session, organization=organization, summary=summary,
                                      description="\n".join(lines), status="CANCELLED" if cancelled else "CONFIRMED",
                                      modified=max(session.updated_at, booking.updated_at)))
    return _finish(calendar, organization, start, end)

