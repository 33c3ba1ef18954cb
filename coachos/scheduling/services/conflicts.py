"""Resolving sessions that no longer fit a changed weekly template."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from coachos.tenancy import audit

from ..models import AvailabilityAddition, TrainingSession
from .bookings import session_cancel
from .errors import SchedulingError


@transaction.atomic
def conflict_keep(*, session: TrainingSession, actor: Any) -> AvailabilityAddition:
    """Keep the session: an addition covering exactly its time makes it fit again."""
    if session.status != TrainingSession.Status.SCHEDULED:
        raise SchedulingError(_("Only a scheduled session can be kept."))
    addition = AvailabilityAddition.objects.create(
        organization=session.organization, coach=session.coach, starts_at=session.starts_at, ends_at=session.ends_at,
        room=session.room, reason=_("Kept after a change of weekly hours"),
    )
    audit.log(organization=session.organization, actor=actor, action="conflict.kept", obj=session,
              data={"addition": addition.pk})
    return addition


def conflict_cancel(*, session: TrainingSession, actor: Any) -> TrainingSession:
    return session_cancel(session=session, actor=actor, reason=str(_("No longer in the coach's weekly hours")))
