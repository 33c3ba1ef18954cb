"""What each scheduling and credits event tells the client and the team.

Scheduling (floor 2) and credits (floor 3) never import comms (floor 4): their services emit
``common.events`` and these listeners, subscribed in ``CommsConfig.ready`` as *required*, write the
outbox rows and bell entries inside the emitting transaction — they commit with the booking, or
not at all, and a listener that fails fails the booking change. Wording and times are the
business's (``context``), whoever caused the event. Each message has a dedupe key naming the
event, so a repeated event tells nobody twice. Reminders are not sent from here: the comms job
writes them when due (``reminders.py``); a move only retires those of the old time.

Quiet hours: a message is ``requested`` (it may pass them, when the business allows) only when the
client's own action caused it — the public booking page or their portal (``data.by == "client"``),
with nobody signed in or signed in as the client themself. What the coach, the API or a job
causes waits for the end of the window.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any, TypeVar

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachos.clients.models import Client
from coachos.clients.selectors import LOW_CREDITS
from coachos.common import events
from coachos.common.events import Event
from coachos.credits.models import ClientPackage
from coachos.scheduling.models import Booking, RecurringBooking, TrainingSession, WaitlistEntry

from . import notify, reminders
from .context import absolute, booking_variables

M = TypeVar("M", bound=models.Model)

FOLLOW_UP_AFTER = timedelta(hours=2)
FOLLOW_UP_STALE = timedelta(hours=12)  # a session marked long after it ended gets no "thanks for today"
BOOKING_RELATED = ("organization", "client__user", "session__organization", "session__session_type",
                   "session__coach__membership__user")


def _loaded(event: Event, model: type[M], *related: str) -> M:
    """The event's object: the emitter's own instance (no query), or read again by id."""
    if isinstance(event.instance, model):
        return event.instance
    return model._default_manager.select_related(*related).get(pk=_id(event.object_id))


def _id(value: int | None) -> int:
    if value is None:
        raise ValueError("the event names no object")
    return value


def _instant(value: Any) -> datetime:
    """An instant from event data (events carry ISO strings, see ``events._plain``)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def by_the_client(event: Event, client: Client) -> bool:
    """The client acted themselves: through a client's way in (``by == "client"``: public page, portal)
    and either with nobody signed in or signed in as their own record. Staff using the API book "as a
    client would" (``by == "client"``) but are not the client."""
    return event.data.get("by") == "client" and event.data.get("actor_id") in (None, client.user_id)


# --- booking made ---------------------------------------------------------------------------------

def _announce(booking: Booking, event: Event) -> None:
    """The booking confirmation (it asks for a Y); the team hears when the client booked themselves."""
    if booking.session.starts_at <= timezone.now():
        return  # a past session written into the calendar after the fact: nothing to confirm
    organization = booking.organization
    by_client = by_the_client(event, booking.client)
    notify.client(organization=organization, kind="booking_confirmation", client=booking.client, related=booking,
                  dedupe_key=f"booking-confirmation:{booking.pk}", requested=by_client)
    if by_client:
        notify.team(organization=organization, kind="client_booked", related=booking,
                    dedupe_key=f"client-booked:{booking.pk}")


def booking_announced(event: Event) -> None:
    _announce(_loaded(event, Booking, *BOOKING_RELATED), event)


def recurring_created(event: Event) -> None:
    """One confirmation for the series (its first upcoming session), not one per occurrence."""
    rb = _loaded(event, RecurringBooking)
    first = (Booking.objects.filter(session__recurring_booking=rb, status=Booking.Status.CONFIRMED,
                                    session__starts_at__gt=timezone.now())
             .select_related(*BOOKING_RELATED).order_by("session__starts_at").first())
    if first is not None:
        _announce(first, event)


# --- cancelled, moved ------------------------------------------------------------------------------

def booking_cancelled(event: Event) -> None:
    """Cancelled by the client: the team hears. By the business (one booking, or a whole session):
    the client hears."""
    booking = _loaded(event, Booking, *BOOKING_RELATED)
    organization = booking.organization
    if event.data.get("by") == "client":
        notify.team(organization=organization, kind="client_cancelled", related=booking,
                    dedupe_key=f"client-cancelled:{booking.pk}")
    else:
        notify.client(organization=organization, kind="cancellation", client=booking.client, related=booking,
                      dedupe_key=f"cancellation:{booking.pk}")


def _old_time(organization: Any, old_starts_at: datetime) -> dict[str, Any]:
    # Datetimes: worded in each reader's zone by comms.context.
    return {"old_session_date": old_starts_at, "old_session_time": old_starts_at}


def session_moved(event: Event) -> None:
    """Every confirmed attendee hears the new time (unless the coach chose not to tell them);
    reminders worded with the old one are retired either way."""
    session = _loaded(event, TrainingSession)
    organization = session.organization
    old = _old_time(organization, _instant(event.data["old_starts_at"]))
    bookings = list(Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED)
                    .select_related(*BOOKING_RELATED))
    if event.data.get("notify_client", True):
        for booking in bookings:
            notify.client(organization=organization, kind="reschedule", client=booking.client, related=booking,
                          context=old, requested=by_the_client(event, booking.client))
    moved_at = event.data.get("moved_at")
    reminders.booking_moved(booking_ids=[b.pk for b in bookings], starts_at=session.starts_at,
                            now=_instant(moved_at) if moved_at else None)


def booking_rescheduled(event: Event) -> None:
    """A place in a group session exchanged for another time (a new booking replaces the old one)."""
    booking = _loaded(event, Booking, *BOOKING_RELATED)
    organization = booking.organization
    notify.client(organization=organization, kind="reschedule", client=booking.client, related=booking,
                  context=_old_time(organization, _instant(event.data["old_starts_at"])),
                  dedupe_key=f"reschedule:{booking.pk}", requested=by_the_client(event, booking.client))


# --- waitlist, completion ----------------------------------------------------------------------------

def waitlist_offered(event: Event) -> None:
    entry = _loaded(event, WaitlistEntry, "session__organization", "session__session_type",
                    "session__coach__membership__user", "client__user")
    session = entry.session
    organization = session.organization
    client = entry.client
    variables: dict[str, Any] = dict(booking_variables(SimpleNamespace(session=session)))  # no booking yet
    variables.update(session_date=session.starts_at, session_time=session.starts_at)  # worded per reader
    if not client.user_id:  # no portal login: the public booking page
        variables["link"] = absolute(reverse("booking:index", kwargs={"org_slug": organization.slug}))
    if entry.offer_expires_at is not None:
        variables["expires_on"] = entry.offer_expires_at
    notify.client(organization=organization, kind="waitlist_offer", client=client, related=entry,
                  context=variables, dedupe_key=f"waitlist-offer:{entry.pk}", expires_at=entry.offer_expires_at)


def booking_completed(event: Event) -> None:
    """A follow-up ~2 hours after the end, once per booking (not for a session marked long after)."""
    booking = Booking.objects.select_related(*BOOKING_RELATED).filter(pk=_id(event.object_id)).first()
    if booking is None or booking.status != Booking.Status.COMPLETED:
        return
    now = timezone.now()
    ends_at = booking.session.ends_at
    if now - ends_at > FOLLOW_UP_STALE:
        return
    notify.client(organization=booking.organization, kind="follow_up", client=booking.client, related=booking,
                  dedupe_key=f"follow-up:{booking.pk}", send_after=max(now, ends_at + FOLLOW_UP_AFTER))


# --- credits ---------------------------------------------------------------------------------------

def low_credits(event: Event) -> None:
    """After a use: at or below the low mark (the one the client list uses), tell the client.
    The dedupe key holds the count, so 1 left and 0 left are each said once."""
    remaining = event.data.get("remaining")
    if remaining is None or int(remaining) > LOW_CREDITS:
        return
    package = _loaded(event, ClientPackage)
    client = Client.objects.select_related("organization", "user").get(pk=_id(event.client_id))
    organization = client.organization
    link = absolute(reverse("portal_packages:index", kwargs={"org_slug": organization.slug}))
    with transaction.atomic():
        notify.client(organization=organization, kind="low_credits", client=client, related=package,
                      context={"credits_left": remaining, "package_name": package.name, "link": link,
                               "expires_on": timezone.localtime(package.expires_at, organization.tzinfo).date()},
                      dedupe_key=f"low-credits:{package.pk}:{remaining}")


# --- recurring occurrences the daily job could not book ------------------------------------------

SKIP_REASONS = {"blocked": _("the coach is away"), "clash": _("the time is taken")}


def occurrence_skipped(event: Event) -> None:
    """The client hears that their usual session is not booked (with where to book another time);
    the coach and the owners get a bell entry leading to the conflicts page, where they decide."""
    rb = RecurringBooking.objects.select_related(
        "organization", "client__user", "session_type", "coach__membership__user").get(pk=_id(event.object_id))
    organization, client = rb.organization, rb.client
    starts_at = _instant(event.data["starts_at"])
    skipped_id = event.data.get("skipped_id") or event.key
    when = {"session_type": rb.session_type.name, "coach_name": rb.coach.name,
            "session_date": starts_at, "session_time": starts_at}
    if client.user_id:
        link = reverse("portal_bookings:index", kwargs={"org_slug": organization.slug})
    else:  # no portal login: the public booking page
        link = reverse("booking:index", kwargs={"org_slug": organization.slug})
    notify.client(organization=organization, kind="recurring_skipped", client=client, related=rb,
                  context={**when, "link": absolute(link)}, dedupe_key=f"recurring-skipped:{skipped_id}",
                  expires_at=starts_at)
    reason = str(event.data.get("reason") or "")
    notify.team(organization=organization, kind="recurring_skipped_team", related=rb, client=client,
                context={**when, "message": str(SKIP_REASONS.get(reason, reason))},
                url=reverse("setup:conflicts", kwargs={"org_slug": organization.slug}),
                dedupe_key=f"recurring-skipped-team:{skipped_id}")


# --- wiring ------------------------------------------------------------------------------------------

SUBSCRIPTIONS: tuple[tuple[Any, list[str]], ...] = (
    (booking_announced, ["booking.announced"]),
    (recurring_created, ["recurring.created"]),
    (booking_cancelled, ["booking.cancelled"]),
    (session_moved, ["session.moved"]),
    (booking_rescheduled, ["booking.rescheduled"]),
    (waitlist_offered, ["waitlist.offered"]),
    (booking_completed, ["booking.completed"]),
    (low_credits, ["package.low_credits"]),
    (occurrence_skipped, ["recurring.occurrence_skipped"]),
)


def register() -> None:
    """Called by ``CommsConfig.ready``: every listener is required (its rows commit with the event)."""
    for listener, names in SUBSCRIPTIONS:
        events.subscribe(listener, names, required=True)
