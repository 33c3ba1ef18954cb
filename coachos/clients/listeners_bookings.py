"""A client's own coach is, until someone chooses otherwise, the coach of their first booking.

Scheduling is above clients and is not imported: the booking arrives as the event's instance and
is read by its attributes (``booking.session.coach.membership_id``). One conditional UPDATE, so
two first bookings at once cannot both set it, and a coach chosen by hand is never replaced."""

from __future__ import annotations

from coachos.common import events

from .models import Client


def booking_created(event: events.Event) -> None:
    if event.client_id is None:
        return
    session = getattr(event.instance, "session", None)
    coach = getattr(session, "coach", None)
    membership_id = getattr(coach, "membership_id", None)
    if membership_id is None:
        return
    Client.objects.filter(pk=event.client_id, coach_membership__isnull=True).update(
        coach_membership_id=membership_id)


def register() -> None:
    # Required: it is part of the booking's write (one UPDATE in the same transaction).
    events.subscribe(booking_created, ["booking.created"], required=True)
