"""Occurrences of recurring bookings the daily job skipped: book another time, or dismiss."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.tenancy import audit

from ..models import Booking, Room, SessionType, SkippedOccurrence
from .bookings import COACH, booking_create
from .errors import SchedulingError


def _lock_open(skipped: SkippedOccurrence) -> SkippedOccurrence:
    row = SkippedOccurrence.objects.select_for_update().get(pk=skipped.pk)
    if row.status != SkippedOccurrence.Status.OPEN:
        raise SchedulingError(_("This skipped session was already dealt with."), "resolved")
    return row


@transaction.atomic
def skipped_occurrence_rebook(*, skipped: SkippedOccurrence, starts_at: datetime, actor: Any,
                              session_type: SessionType | None = None, room: Room | None = None,
                              note: str = "") -> Booking:
    """Book the client at another time (as the coach: any free time of the coach) and mark the
    skipped occurrence rebooked, both or neither."""
    row = _lock_open(skipped)
    rb = row.recurring_booking
    booking = booking_create(coach=row.coach, session_type=session_type or rb.session_type, client=row.client,
                             starts_at=starts_at, actor=actor, note=note, mode=COACH, room=room)
    row.status = SkippedOccurrence.Status.REBOOKED
    row.rebooked_session_id = booking.session_id
    row.resolved_at = timezone.now()
    row.save(update_fields=["status", "rebooked_session", "resolved_at"])
    audit.log(organization=row.organization, actor=actor, action="recurring_booking.skipped_rebooked", obj=rb,
              data={"skipped_id": row.pk, "session": booking.session_id})
    return booking


@transaction.atomic
def skipped_occurrence_dismiss(*, skipped: SkippedOccurrence, actor: Any) -> SkippedOccurrence:
    """The coach has dealt with it otherwise (or the client does not want another time)."""
    row = _lock_open(skipped)
    row.status = SkippedOccurrence.Status.DISMISSED
    row.resolved_at = timezone.now()
    row.save(update_fields=["status", "resolved_at"])
    audit.log(organization=row.organization, actor=actor, action="recurring_booking.skipped_dismissed",
              obj=row.recurring_booking, data={"skipped_id": row.pk})
    return row
