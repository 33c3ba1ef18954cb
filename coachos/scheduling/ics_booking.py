"""One booking as an .ics file (RFC 5545), for "Add to calendar"."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Booking

PRODID = "-//Coach OS//Booking//EN"


def booking_calendar(booking: Booking) -> bytes:
    session = booking.session
    organization = session.organization
    session_type = session.session_type
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"booking-{booking.pk}@coachos")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", f"{session_type.name} · {organization.name}")
    location = session_type.location or organization.address.replace("\n", ", ")
    if location:
        event.add("location", location)
    lines = [f"{session_type.name} with {session.coach.name}", organization.name]
    if session_type.video_url:
        lines.append(session_type.video_url)
        event.add("url", session_type.video_url)
    if organization.phone:
        lines.append(organization.phone)
    event.add("description", "\n".join(lines))
    event.add("status", "CONFIRMED" if booking.status == Booking.Status.CONFIRMED else "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def ics_response(booking: Booking) -> HttpResponse:
    response = HttpResponse(booking_calendar(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="booking-{booking.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
