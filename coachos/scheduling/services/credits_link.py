"""Where sessions meet credits: which session outcomes use a credit and which give it back.

Completing a session uses each attendee's credit; a no-show or a late cancellation uses it when
the business's policy says so; anything else gives back a credit already used. All of it goes
through credits.services.use_session / release_session, so nothing moves twice.
"""

from __future__ import annotations

from typing import Any

from coachos.credits.services import NO_CREDITS, CreditError, release_session, use_session
from coachos.tenancy import audit

from ..models import Booking, TrainingSession


def _use(booking: Booking, actor: Any, reason: str) -> None:
    try:
        use_session(client=booking.client, booking=booking, actor=actor, reason=reason)
    except CreditError as exc:
        if exc.code != NO_CREDITS:
            raise
        # The session still happened; the coach sees who owes one (audit, client page).
        audit.log(organization=booking.organization, actor=actor, action="credit.none_available", obj=booking)


def settle_session(*, session: TrainingSession, actor: Any) -> None:
    """After a session was marked completed or no-show: use or return each attendee's credit."""
    organization = session.organization
    for booking in Booking.objects.filter(session=session).select_related("client", "session__session_type"):
        if booking.status == Booking.Status.COMPLETED:
            _use(booking, actor, "session completed")
        elif booking.status == Booking.Status.NO_SHOW:
            if organization.no_show_forfeits_credit:
                _use(booking, actor, "no-show")
            else:
                release_session(booking=booking, actor=actor, reason="no-show, credit kept by policy")


def settle_cancelled_booking(*, booking: Booking, actor: Any) -> None:
    """A cancelled booking: a late one forfeits its credit if the business says so; otherwise
    any credit it already used comes back."""
    organization = booking.organization
    if booking.late_cancellation and organization.late_cancellation_forfeits_credit:
        _use(booking, actor, "late cancellation")
    else:
        release_session(booking=booking, actor=actor, reason="cancelled")
