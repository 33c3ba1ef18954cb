"""Where sessions meet messages: what each booking event tells the client and the team.

Every function is called by a booking service inside its transaction, so the outbox rows and
bell entries commit with the event, or not at all. Wording and times come from comms (the
business's zone, whoever triggered the event). Each message has a dedupe key naming the event,
so a retried call tells nobody twice. Reminders are not sent from here: the comms job writes them
when due (see coachos/comms/reminders.py); a move only retires those of the old time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.urls import reverse
from django.utils import timezone

from coachos.comms import notify, reminders
from coachos.comms.context import absolute, booking_variables, local_date, local_datetime, local_time

from ..models import Booking, RecurringBooking, TrainingSession, WaitlistEntry

FOLLOW_UP_AFTER = timedelta(hours=2)
FOLLOW_UP_STALE = timedelta(hours=12)  # a session marked long after it ended gets no "thanks for today"


def by_the_client(booking: Booking, actor: Any) -> bool:
    """The client acted themselves: online without an account, or signed in as their own record."""
    return actor is None or (getattr(actor, "pk", None) is not None and actor.pk == booking.client.user_id)


def booking_created(*, booking: Booking, actor: Any, client_mode: bool) -> None:
    session = booking.session
    if session.starts_at <= timezone.now():
        return  # a past session written into the calendar after the fact: nothing to confirm
    organization = booking.organization
    notify.client(organization=organization, kind="booking_confirmation", client=booking.client, related=booking,
                  dedupe_key=f"booking-confirmation:{booking.pk}")
    if client_mode and by_the_client(booking, actor):
        notify.team(organization=organization, kind="client_booked", related=booking,
                    dedupe_key=f"client-booked:{booking.pk}")


def recurring_created(*, rb: RecurringBooking, actor: Any) -> None:
    """One confirmation for the series (its first upcoming session), not one per occurrence."""
    first = (Booking.objects.filter(session__recurring_booking=rb, status=Booking.Status.CONFIRMED,
                                    session__starts_at__gt=timezone.now())
             .select_related("client__user", "session__session_type", "session__coach__membership__user")
             .order_by("session__starts_at").first())
    if first is not None:
        booking_created(booking=first, actor=actor, client_mode=True)


def booking_cancelled(*, booking: Booking, by_client: bool) -> None:
    organization = booking.organization
    if by_client:
        notify.team(organization=organization, kind="client_cancelled", related=booking,
                    dedupe_key=f"client-cancelled:{booking.pk}")
    else:
        notify.client(organization=organization, kind="cancellation", client=booking.client, related=booking,
                      dedupe_key=f"cancellation:{booking.pk}")


def session_cancelled(*, bookings: Sequence[Booking]) -> None:
    """The business cancelled a session: each of its attendees is told."""
    for booking in bookings:
        booking_cancelled(booking=booking, by_client=False)


def _old_time(organization: Any, old_starts_at: datetime) -> dict[str, str]:
    return {"old_session_date": local_date(organization, old_starts_at),
            "old_session_time": local_time(organization, old_starts_at)}


def session_moved(*, session: TrainingSession, old_starts_at: datetime, now: datetime) -> None:
    """Every confirmed attendee hears the new time; reminders worded with the old one are retired."""
    bookings = list(Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED)
                    .select_related("client__user", "session__session_type", "session__coach__membership__user"))
    for booking in bookings:
        notify.client(organization=session.organization, kind="reschedule", client=booking.client, related=booking,
                      context=_old_time(session.organization, old_starts_at))
    reminders.booking_moved(booking_ids=[b.pk for b in bookings], starts_at=session.starts_at, now=now)


def booking_rescheduled(*, new_booking: Booking, old_starts_at: datetime) -> None:
    """A place in a group session exchanged for another time (a new booking replaces the old one)."""
    notify.client(organization=new_booking.organization, kind="reschedule", client=new_booking.client,
                  related=new_booking, context=_old_time(new_booking.organization, old_starts_at),
                  dedupe_key=f"reschedule:{new_booking.pk}")


def waitlist_offered(*, entry: WaitlistEntry) -> None:
    session = entry.session
    organization = session.organization
    client = entry.client
    variables = booking_variables(SimpleNamespace(session=session))  # the session's wording, no booking yet
    if not client.user_id:  # no portal login: the public booking page
        variables["link"] = absolute(reverse("booking:index", kwargs={"org_slug": organization.slug}))
    if entry.offer_expires_at is not None:
        variables["expires_on"] = local_datetime(organization, entry.offer_expires_at)
    notify.client(organization=organization, kind="waitlist_offer", client=client, related=entry,
                  context=variables, dedupe_key=f"waitlist-offer:{entry.pk}", expires_at=entry.offer_expires_at)


def session_completed(*, session: TrainingSession) -> None:
    """A follow-up ~2 hours after the end, once per booking."""
    now = timezone.now()
    if now - session.ends_at > FOLLOW_UP_STALE:
        return
    for booking in Booking.objects.filter(session=session, status=Booking.Status.COMPLETED).select_related(
            "client__user", "session__session_type", "session__coach__membership__user"):
        notify.client(organization=session.organization, kind="follow_up", client=booking.client, related=booking,
                      dedupe_key=f"follow-up:{booking.pk}", send_after=max(now, session.ends_at + FOLLOW_UP_AFTER))
