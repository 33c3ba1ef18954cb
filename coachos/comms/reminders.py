"""Reminders 24 hours and 2 hours before a session, for confirmed bookings of scheduled sessions.

When (checked by the "send-reminders" job every 5 minutes, all businesses at once):

- 24 h: from ``starts_at − 24 h``, if the booking was made more than 24 h before the start, and only
  until the 2 h reminder is due (a late run sends the 2 h one, not two reminders at once);
- 2 h: from ``starts_at − 2 h``, if the booking was made more than 2 h before the start;
- never once the session has started. A booking made 20 hours ahead gets only the 2 h reminder.

Each reminder is ``notify.client(..., related=booking, expires_at=session.starts_at)``: the outbox
defers one due inside quiet hours to the end of the window, or suppresses it (with the reason) if
it would then arrive after the start.

Dedupe keys are exactly ``reminder-24h:<booking id>`` and ``reminder-2h:<booking id>`` (the outbox
rows add ``:sms`` / ``:email``; the bell entry uses the key itself). The unique key is what makes a
reminder go once, even with two jobs running at the same moment; the job finds what is due with
one query (NOT EXISTS on those keys) and then works business by business, in batches.

Rescheduling keeps the key stable; instead the move (``booking_moved``, called by the scheduling
service in its transaction) retires what was written for the old time:

- a reminder not yet sent (queued, or deferred by quiet hours) is suppressed — "the session moved"
  — and its key is freed, so the job writes a new one worded with the new time as soon as that is
  due (at once, if the new time's window has already begun);
- a reminder already sent has its key freed only if the new time's window has not begun yet (a
  session moved to next week is reminded again the day before); otherwise it stays, and the
  client is not reminded twice — the reschedule message has just told them the new time.

A freed key is renamed ``<key>:moved:<row id>``, so the history stays readable.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from coachos.tenancy.models import Organization

from . import catalog, notify
from .models import Channel, MessageTemplate, Notification, OutboundMessage

logger = logging.getLogger("coachos.comms")

BATCH = 100


@dataclass(frozen=True)
class Reminder:
    kind: str
    prefix: str
    before: timedelta

    def key(self, booking_id: int) -> str:
        return f"{self.prefix}:{booking_id}"


DAY_BEFORE = Reminder("reminder_24h", "reminder-24h", timedelta(hours=24))
HOURS_BEFORE = Reminder("reminder_2h", "reminder-2h", timedelta(hours=2))
REMINDERS = (DAY_BEFORE, HOURS_BEFORE)


def _already_written(reminder: Reminder) -> Exists:
    """An outbox row of this reminder for the outer booking (either channel)."""
    def key(channel: str) -> Concat:
        return Concat(Value(f"{reminder.prefix}:"), Cast(OuterRef("pk"), output_field=CharField()),
                      Value(f":{channel}"), output_field=CharField())

    return Exists(OutboundMessage.objects.filter(
        organization_id=OuterRef("organization_id")).filter(Q(dedupe_key=key(Channel.SMS)) | Q(dedupe_key=key(
            Channel.EMAIL))))


def due_bookings(*, now: datetime) -> QuerySet[Any]:
    """Bookings with a reminder due and not yet written, across every business (one query).
    Call inside ``scopes_disabled()``; each row carries ``due_24h`` / ``due_2h``."""
    from coachos.scheduling.models import Booking, TrainingSession

    day, hours = DAY_BEFORE.before, HOURS_BEFORE.before
    starts = F("session__starts_at")
    window_24h = Q(session__starts_at__lte=now + day, session__starts_at__gt=now + hours,
                   created_at__lt=starts - day)
    window_2h = Q(session__starts_at__lte=now + hours, created_at__lt=starts - hours)
    return (
        Booking.objects.filter(status=Booking.Status.CONFIRMED, session__status=TrainingSession.Status.SCHEDULED,
                               session__starts_at__gt=now, session__starts_at__lte=now + day)
        .annotate(written_24h=_already_written(DAY_BEFORE), written_2h=_already_written(HOURS_BEFORE))
        .filter((window_24h & Q(written_24h=False)) | (window_2h & Q(written_2h=False)))
        .order_by("organization_id", "session__starts_at", "pk")
    )


def _which(starts_at: datetime, created_at: datetime, written_24h: bool, written_2h: bool,
           now: datetime) -> list[Reminder]:
    due = []
    if not written_24h and starts_at - DAY_BEFORE.before <= now < starts_at - HOURS_BEFORE.before \
            and created_at < starts_at - DAY_BEFORE.before:
        due.append(DAY_BEFORE)
    if not written_2h and starts_at - HOURS_BEFORE.before <= now < starts_at \
            and created_at < starts_at - HOURS_BEFORE.before:
        due.append(HOURS_BEFORE)
    return due


def reminders_send(*, now: datetime | None = None) -> dict[str, int]:
    """The job: write every due reminder once. Safe to run in several workers at the same time."""
    now = now or timezone.now()
    counts = {DAY_BEFORE.kind: 0, HOURS_BEFORE.kind: 0, "businesses": 0}
    with scopes_disabled():
        rows = list(due_bookings(now=now).values_list("pk", "organization_id", "session__starts_at", "created_at",
                                                      "written_24h", "written_2h"))
        organizations = {o.pk: o for o in Organization.objects.filter(pk__in={r[1] for r in rows})}
    plan: dict[int, list[tuple[int, list[Reminder]]]] = {}
    for booking_id, organization_id, starts_at, created_at, written_24h, written_2h in rows:
        which = _which(starts_at, created_at, written_24h, written_2h, now)
        if which:
            plan.setdefault(organization_id, []).append((booking_id, which))
    for organization_id, items in plan.items():
        organization = organizations[organization_id]
        with scope(organization=organization):
            for index in range(0, len(items), BATCH):
                sent = _send_batch(organization, items[index:index + BATCH], now=now)
                for kind, n in sent.items():
                    counts[kind] += n
        counts["businesses"] += 1
    return counts


def _switched_off(organization: Organization) -> set[tuple[str, str]]:
    return set(MessageTemplate.objects.filter(organization=organization, enabled=False,
                                              kind__in=[r.kind for r in REMINDERS]).values_list("kind", "channel"))


@transaction.atomic
def _send_batch(organization: Organization, items: Sequence[tuple[int, list[Reminder]]], *,
                now: datetime) -> dict[str, int]:
    from coachos.scheduling.models import Booking

    bookings = {b.pk: b for b in Booking.objects.select_related(
        "client__user", "session__session_type", "session__coach__membership__user",
    ).filter(pk__in=[booking_id for booking_id, _which in items], status=Booking.Status.CONFIRMED)}
    off = _switched_off(organization)
    sent = {DAY_BEFORE.kind: 0, HOURS_BEFORE.kind: 0}
    for booking_id, which in items:
        booking = bookings.get(booking_id)
        if booking is None:  # cancelled since the query
            continue
        for reminder in which:
            messages = notify.client(organization=organization, kind=reminder.kind, client=booking.client,
                                     related=booking, dedupe_key=reminder.key(booking.pk),
                                     expires_at=booking.session.starts_at)
            if not messages:
                _record_switched_off(organization, reminder, booking, off, now)
            sent[reminder.kind] += 1
    return sent


def _record_switched_off(organization: Organization, reminder: Reminder, booking: Any,
                         off: set[tuple[str, str]], now: datetime) -> None:
    """The business switched this reminder off: one suppressed row says so (and marks it done)."""
    channel = Channel.SMS if (reminder.kind, Channel.SMS) in off else Channel.EMAIL
    OutboundMessage.objects.get_or_create(
        organization=organization, dedupe_key=f"{reminder.key(booking.pk)}:{channel}",
        defaults={"channel": channel, "kind": reminder.kind, "client": booking.client,
                  "body": str(catalog.kind(reminder.kind).label), "related_type": "booking",
                  "related_id": booking.pk, "scheduled_for": now, "status": OutboundMessage.Status.SUPPRESSED,
                  "last_error": _("This message is switched off in the business's message settings.")},
    )


# --- rescheduling ------------------------------------------------------------------------------

def _moved_key() -> Concat:
    return Concat(F("dedupe_key"), Value(":moved:"), Cast(F("pk"), output_field=CharField()),
                  output_field=CharField())


def booking_moved(*, booking_ids: Iterable[int], starts_at: datetime, now: datetime | None = None) -> int:
    """The session of these bookings now starts at ``starts_at``: retire the old time's reminders
    (see the module docstring). Call inside the move's transaction. Returns rows retired."""
    now = now or timezone.now()
    ids = list(booking_ids)
    if not ids:
        return 0
    retired = 0
    for reminder in REMINDERS:
        rows = OutboundMessage.objects.filter(related_type="booking", related_id__in=ids, kind=reminder.kind,
                                              dedupe_key__startswith=f"{reminder.prefix}:")
        pending = rows.filter(status__in=OutboundMessage.PENDING)
        free: set[int | None] = set(pending.values_list("related_id", flat=True))
        retired += pending.update(
            status=OutboundMessage.Status.SUPPRESSED, dedupe_key=_moved_key(),
            last_error=_("The session moved before this went out; a reminder for the new time replaces it."))
        if now < starts_at - reminder.before:
            done = rows.exclude(dedupe_key__contains=":moved:")
            free |= set(done.values_list("related_id", flat=True))
            retired += done.update(dedupe_key=_moved_key())
        if free:
            Notification.objects.filter(dedupe_key__in=[reminder.key(i) for i in free if i is not None]).update(
                dedupe_key=_moved_key())
    return retired
