"""What a team member may see of the sessions and bookings of clients: only the clients of
``clients_visible_to`` (the one rule; see ``coachos.clients.selectors``).

A coach the owner limited to their own clients sees a one-to-one session of another coach's client
as a busy slot (no name, contact or notes; its own page is a 404), a group session with only their
own clients listed, and may not change a session that holds an active booking of a client they may
not see (moving, cancelling or completing it would reach that client too). The calendar pages and
the API both ask here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coachos.clients.selectors import clients_visible_to, sees_every_client
from coachos.tenancy.models import Membership

from .models import Booking, RecurringBooking, TrainingSession


def hidden_client_ids(membership: Membership | None, client_ids: Iterable[int]) -> set[int]:
    """Of these clients, the ones the member may not see: one query, none for a member who sees
    every client."""
    wanted = set(client_ids)
    if not wanted or sees_every_client(membership):
        return set()
    seen = set(clients_visible_to(membership).filter(pk__in=wanted).values_list("pk", flat=True))
    return wanted - seen


def bookings_visible_to(membership: Membership | None) -> QuerySet[Booking]:
    return Booking.objects.filter(client__in=clients_visible_to(membership))


def recurring_visible_to(membership: Membership | None) -> QuerySet[RecurringBooking]:
    return RecurringBooking.objects.filter(client__in=clients_visible_to(membership))


@dataclass(frozen=True)
class SessionAccess:
    bookings: list[Booking]  # the bookings of clients the member may see, in the session's order
    busy: bool  # a one-to-one session of a client they may not see: shown as a busy slot, its page a 404
    locked: bool  # an active booking of a client they may not see: they may not change the session


def session_access(session: TrainingSession, hidden: set[int]) -> SessionAccess:
    """Uses only ``session.bookings.all()`` (prefetch it); ``hidden`` from ``hidden_client_ids``."""
    bookings = list(session.bookings.all())
    others = [b for b in bookings if b.client_id in hidden]
    return SessionAccess(
        bookings=[b for b in bookings if b.client_id not in hidden],
        busy=bool(others) and session.capacity <= 1,
        locked=any(b.status in Booking.ACTIVE for b in others),
    )


def access_for(membership: Membership | None, session: TrainingSession) -> SessionAccess:
    return session_access(session, hidden_client_ids(membership, (b.client_id for b in session.bookings.all())))


def hidden_in(membership: Membership | None, sessions: Iterable[TrainingSession]) -> set[int]:
    """``hidden_client_ids`` for every booking of these sessions at once (one query)."""
    return hidden_client_ids(membership, (b.client_id for s in sessions for b in s.bookings.all()))


def locked_message() -> str:
    return _("Clients of another coach are booked in this session, so it cannot be changed from your "
             "account. Ask the owner.")
