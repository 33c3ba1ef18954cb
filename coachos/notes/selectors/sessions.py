"""A session as its client or its coach sees it in Notes: the client's sessions list (upcoming, past,
cancelled) and what a session page shows — the notes the reader may read, action items, the rating.

Times stay UTC instants here; pages show them in the reader's zone (the client's own display zone
in the portal, the business's for the team) with the shared format helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from coachos.clients.selectors import clients_visible_to, sees_every_client
from coachos.notes.models import Note, NoteActionItem
from coachos.notes.readers import Reader
from coachos.scheduling.models import Booking, TrainingSession

from .notes import notes_visible
from .ratings import RatingState, rating_state

WHICH = ("upcoming", "past", "cancelled")
CANCELLED = (Booking.Status.CANCELLED_BY_CLIENT, Booking.Status.CANCELLED_BY_COACH)


def client_bookings(reader: Reader, which: str = "upcoming", *, now: datetime | None = None) -> QuerySet[Booking]:
    """The client's places in sessions: ``upcoming`` (soonest first), ``past`` (attended or missed,
    latest first) or ``cancelled`` (latest first)."""
    now = now or timezone.now()
    if reader.is_team or not reader.client_ids:
        return Booking.objects.none()
    bookings = (Booking.objects.filter(client_id__in=reader.client_ids)
                .select_related("session__session_type", "session__coach__membership__user", "session__room"))
    if which == "cancelled":
        return bookings.filter(Q(status__in=CANCELLED) | Q(session__status=TrainingSession.Status.CANCELLED)
                               ).order_by("-session__starts_at", "-id")
    active = bookings.exclude(status__in=CANCELLED).exclude(session__status=TrainingSession.Status.CANCELLED)
    if which == "past":
        return active.filter(session__ends_at__lte=now).order_by("-session__starts_at", "-id")
    return active.filter(session__ends_at__gt=now).order_by("session__starts_at", "id")


def sessions_visible(reader: Reader) -> QuerySet[TrainingSession]:
    """The sessions a reader may open a page for: a client's own (a place in it, any status); for the
    team every session, or for a coach limited to their own clients those they coach or that have one
    of their clients in them."""
    sessions = TrainingSession.objects.filter(organization=reader.organization)
    if reader.is_team:
        membership = reader.membership
        if sees_every_client(membership):
            return sessions
        return sessions.filter(Q(coach__membership=membership)
                               | Q(bookings__client__in=clients_visible_to(membership))).distinct()
    if not reader.client_ids:
        return sessions.none()
    return sessions.filter(bookings__client_id__in=reader.client_ids).distinct()


def session_visible(reader: Reader, session_id: int) -> TrainingSession:
    found = (sessions_visible(reader).filter(pk=session_id)
             .select_related("session_type", "coach__membership__user", "room", "organization").first())
    if found is None:
        raise Http404("No such session.")
    return found


@dataclass(frozen=True)
class SessionFacts:
    session: TrainingSession
    booking: Booking | None  # the client's own place (clients only)
    notes: list[Note]  # the client: the notes shared with them; the team: every note they may read
    action_items: list[NoteActionItem]
    rating: RatingState | None  # clients only


def session_facts(reader: Reader, session: TrainingSession, *, now: datetime | None = None) -> SessionFacts:
    notes = list(notes_visible(reader).filter(session=session).select_related("author", "client")
                 .prefetch_related("tags", "attachments").order_by("-created_at", "-id"))
    items = NoteActionItem.objects.filter(note__in=[n.pk for n in notes], removed_at__isnull=True)
    if not reader.is_team:
        items = items.filter(assignee=NoteActionItem.Assignee.CLIENT)
    booking = None
    if not reader.is_team:
        booking = (Booking.objects.filter(session=session, client_id__in=reader.client_ids)
                   .order_by("-created_at").first())
    return SessionFacts(session=session, booking=booking, notes=notes,
                        action_items=list(items.order_by("note_id", "position", "id")),
                        rating=None if reader.is_team else rating_state(reader, session, now=now))
