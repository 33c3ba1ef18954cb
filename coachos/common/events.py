"""A tiny in-process event hook: services say what happened, other apps listen.

A service calls ``emit`` inside its own transaction, once the change is written::

    events.emit("booking.created", organization=org, client=booking.client, obj=booking)

Subscribers (registered in an ``AppConfig.ready``) are called at once, inside that transaction,
with an ``Event`` of plain values (ids, not model instances). They must be quick and must not
send anything themselves: the automations app, for instance, only checks whether any automation
listens and, if so, queues a task with ``transaction.on_commit`` — so an event whose transaction
rolls back never acts, and a slow listener never slows a booking.

A listener that raises is logged (ids only) and ignored: an event never breaks the service that
emitted it. The exception is a *required* listener (``subscribe(..., required=True)``): its write
must happen with the event or not at all (a completed session uses a credit; a booking's
confirmation is written to the outbox), so its exception propagates and fails the emitting
transaction. Required listeners run before the others, in the order they subscribed.

This is how a lower app tells a higher one that something happened without importing it
(DESIGN.md, "floors"): the lower app emits, the higher app subscribes in its ``AppConfig.ready``.

The names services emit (see ``NAMES``) are a contract between apps; add new names here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

logger = logging.getLogger("coachos.events")

NAMES: dict[str, str] = {
    "booking.created": "A client was booked into a session.",
    "booking.cancelled": "A booking was cancelled (by the client or the business).",
    "booking.announced": "A new booking the client is to be told about (not a place taken by a reschedule). "
                         "data.by: 'client' (public page, portal, API) or 'coach'; data.actor_id: who, or null.",
    "booking.rescheduled": "A place in a group session was exchanged for one at another time (obj: the new "
                           "booking; data.old_starts_at, data.by, data.actor_id).",
    "session.moved": "A session moved to another time (data.old_starts_at, data.moved_at, data.notify_client, "
                     "data.by, data.actor_id).",
    "recurring.created": "A recurring booking was made and its first weeks booked (data.by: 'client', a series "
                         "books only open times as a client would; data.actor_id).",
    "waitlist.offered": "A freed place in a class was offered to the next client on its waitlist.",
    "booking.completed": "A session was completed: one event per attendee's booking.",
    "booking.no_show": "A client did not show up: one event per attendee's booking.",
    "booking.reinstated": "A cancelled booking was confirmed again (its credit, if any, is returned).",
    "package.granted": "A client got a package (sold: data.source == 'sold'; or given).",
    "package.low_credits": "A credit was used and the package has few left (data.remaining ≤ 10).",
    "package.expired": "A package expired (data.remaining: credits it still had).",
    "client.created": "A client record was added.",
    "waiver.signed": "A client signed a waiver.",
    "payment.failed": "A client's payment failed (a purchase or a membership invoice).",
    "membership.created": "Someone joined a business (data.role).",
    "membership.role_changed": "A member's role changed (data.role: the new one).",
    "invitation.sent": "An invitation's current link was created or sent again (data.key: its messages' key).",
    "invitation.revoked": "An invitation was revoked: its link must not go out any more.",
    "invitation.accepted": "An invitation was accepted (data.user_id: who joined; data.role).",
    "recurring.occurrence_skipped": "The daily job could not book an occurrence of a recurring booking "
                                    "(data.starts_at, data.reason: blocked or clash, data.skipped_id).",
    "booking.email_code_requested": "A visitor of the public booking page asked for a one-time code by email "
                                    "(data.email, data.code: secrets; never log or store them elsewhere).",
    "sms.received": "A text for the team (not a keyword: STOP, HELP, Y…) was stored (obj: the InboundMessage; "
                    "client: the client whose number sent it, or none).",
    "goal.achieved": "A client's goal was achieved (obj: the Goal; data.by: 'auto' when a measurement or a "
                     "completed session reached its target, else 'team' or 'client'; data.actor_id).",
    "task.overdue": "A client's task was missed: a one-off past its due date, or a repeating task's previous "
                    "day or week without a tick (obj: the Task; data.period: the missed period). Once per task "
                    "and period, from the progress job.",
    "measurement.recorded": "A body measurement was recorded for a client (obj: the Measurement; data.kind: its "
                            "kind's key; data.by: 'team' or 'client').",
    "client_note.added": "A note was added on the client's page (obj: the ClientNote).",
    "session.note_added": "A session was made with a note (the calendar's form for a class; obj: the session, "
                          "its ``notes``).",
    "note.action_item": "A line of a coach's note became an action item (obj: the NoteActionItem; data.assignee: "
                        "'client' (a task for the client) or 'coach' (a to-do); data.note, data.shared, "
                        "data.coach_membership).",
}
# ``package.low_credits`` is emitted only at or below this many credits left; automations compare
# with their own threshold (which cannot be higher).
LOW_CREDITS_MAX = 10


@dataclass(frozen=True)
class Event:
    name: str
    organization_id: int
    client_id: int | None = None
    object_type: str = ""
    object_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    # The emitting service's own object, for listeners that run in its transaction (saves a
    # query); never serialised (``as_dict``), so a task handed the event reloads by id.
    instance: Any = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "organization_id": self.organization_id, "client_id": self.client_id,
                "object_type": self.object_type, "object_id": self.object_id, "data": self.data, "key": self.key}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Event:
        return cls(name=raw["name"], organization_id=raw["organization_id"], client_id=raw.get("client_id"),
                   object_type=raw.get("object_type", ""), object_id=raw.get("object_id"),
                   data=dict(raw.get("data") or {}), key=raw.get("key", ""))


Listener = Callable[[Event], None]
_listeners: list[tuple[frozenset[str] | None, Listener]] = []
_required: list[tuple[frozenset[str] | None, Listener]] = []


def subscribe(listener: Listener, names: list[str] | None = None, *, required: bool = False) -> None:
    """Call ``listener`` for the given event names (all when None). Subscribing twice is a no-op.

    ``required``: the listener's work is part of the emitting write; its exception propagates."""
    if any(existing is listener for _names, existing in (*_listeners, *_required)):
        return
    (_required if required else _listeners).append((frozenset(names) if names is not None else None, listener))


def unsubscribe(listener: Listener) -> None:
    _listeners[:] = [(names, existing) for names, existing in _listeners if existing is not listener]
    _required[:] = [(names, existing) for names, existing in _required if existing is not listener]


def _plain(value: Any) -> Any:
    """JSON-friendly data (an event may be handed to a Celery task)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(getattr(value, "pk", value))


def emit(name: str, *, organization: Any, client: Any = None, obj: Any = None, data: dict[str, Any] | None = None,
         key: str | None = None) -> Event:
    """Tell the listeners that ``name`` happened in ``organization`` (call it inside the service's
    transaction). ``client``: the client it is about (or their id). ``key`` names this occurrence for listeners that act once per occurrence; by
    default ``<name>:<object type>:<object id>``."""
    if name not in NAMES:
        raise ValueError(f"unknown event {name!r}; add it to coachos.common.events.NAMES")
    object_type = obj._meta.model_name if obj is not None else ""
    object_id = obj.pk if obj is not None else None
    event = Event(
        name=name, organization_id=organization.pk,
        client_id=client if isinstance(client, int) else getattr(client, "pk", None),
        object_type=object_type or "", object_id=object_id, data=_plain(dict(data or {})),
        key=key or f"{name}:{object_type}:{object_id}", instance=obj,
    )
    for names, listener in list(_required):
        if names is None or name in names:
            listener(event)
    for names, listener in list(_listeners):
        if names is not None and name not in names:
            continue
        try:
            listener(event)
        except Exception:
            logger.exception("event listener failed", extra={"event": name, "organization_id": organization.pk,
                                                             "object_id": object_id})
    return event
