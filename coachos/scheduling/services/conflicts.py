"""Resolving sessions that no longer fit: the weekly hours changed, or time off now covers them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from coachos.tenancy import audit

from .. import slots as engine
from ..models import AvailabilityAddition, BlockedSlot, TrainingSession
from ..selectors import weekly_ranges
from .bookings import session_cancel
from .errors import SchedulingError


def _carve_time_off(session: TrainingSession) -> list[int]:
    """Time off overlapping the session is cut around it (what is left before and after stays
    time off). Returns the ids of the blocked rows that changed or were removed."""
    changed: list[int] = []
    overlapping = BlockedSlot.objects.select_for_update().filter(
        coach=session.coach, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at)
    for blocked in overlapping:
        changed.append(blocked.pk)
        before = (blocked.starts_at, session.starts_at) if blocked.starts_at < session.starts_at else None
        after = (session.ends_at, blocked.ends_at) if blocked.ends_at > session.ends_at else None
        if before is None and after is None:
            blocked.delete()
            continue
        first = before or after
        assert first is not None  # for mypy: one of them is set
        blocked.starts_at, blocked.ends_at = first
        blocked.save(update_fields=["starts_at", "ends_at"])
        if before is not None and after is not None:
            BlockedSlot.objects.create(organization=blocked.organization, coach=blocked.coach, starts_at=after[0],
                                       ends_at=after[1], reason=blocked.reason)
    return changed


@transaction.atomic
def conflict_keep(*, session: TrainingSession, actor: Any) -> AvailabilityAddition | None:
    """Keep the session as booked: time off over it is cut around it, and if it is outside the
    weekly hours an addition covering exactly its time makes it fit again. Returns the addition
    (None when only time off was cut)."""
    session = TrainingSession.objects.select_for_update().select_related("coach__organization").get(pk=session.pk)
    if session.status != TrainingSession.Status.SCHEDULED:
        raise SchedulingError(_("Only a scheduled session can be kept."))
    carved = _carve_time_off(session)
    addition = None
    coach = session.coach
    additions = [engine.Interval(a.starts_at, a.ends_at) for a in AvailabilityAddition.objects.filter(
        coach=coach, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at)]
    if not engine.fits_template(engine.Interval(session.starts_at, session.ends_at), tz=coach.organization.tzinfo,
                                weekly=weekly_ranges(coach), additions=additions):
        addition = AvailabilityAddition.objects.create(
            organization=session.organization, coach=coach, starts_at=session.starts_at, ends_at=session.ends_at,
            room=session.room, reason=_("Kept after a change of weekly hours"),
        )
    audit.log(organization=session.organization, actor=actor, action="conflict.kept", obj=session,
              data={"addition": addition.pk if addition else None, "time_off_cut": carved})
    return addition


def conflict_cancel(*, session: TrainingSession, actor: Any) -> TrainingSession:
    reason = (_("In the coach's time off") if BlockedSlot.objects.filter(
        coach_id=session.coach_id, starts_at__lt=session.ends_at, ends_at__gt=session.starts_at).exists()
        else _("No longer in the coach's weekly hours"))
    return session_cancel(session=session, actor=actor, reason=str(reason))
