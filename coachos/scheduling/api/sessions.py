"""Sessions on the calendar: list, mark completed or no-show, cancel, move (as the coach)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router
from ninja.decorators import decorate_view
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

from coachos.common.api import require_perm
from coachos.common.schema import Schema
from coachos.tenancy.roles import Perm

from .. import selectors, services, visibility
from .. import slots as engine
from ..models import Coach, TrainingSession
from .common import DATE_RE, Instant, OutInstant, Text, found_first, local, parse_day, parse_instant, problems, zone_of

router = Router(tags=["sessions"])

MAX_DAYS = 93
MAX_ID = 2**63 - 1


def _bound(value: Any) -> date | datetime:
    return parse_day(value) if isinstance(value, str) and DATE_RE.match(value) else parse_instant(value)


Bound = Annotated[Any, BeforeValidator(_bound), WithJsonSchema({"type": "string", "example": "2026-03-10"})]


class SessionQuery(Schema):
    start: Bound = Field(description="A date (YYYY-MM-DD: from its start in the business's time zone) or an "
                                     "ISO 8601 date-time with a UTC offset.")
    end: Bound = Field(description="A date (YYYY-MM-DD: up to the end of that day in the business's time zone) "
                                   f"or an ISO 8601 date-time with a UTC offset. At most {MAX_DAYS} days after start.")
    coach: int | None = Field(None, ge=1, le=MAX_ID, description="Only this coach's sessions.")
    include_cancelled: bool = Field(False, description="Also list cancelled sessions.")


class SessionBooking(Schema):
    id: int
    client: int
    status: str


class SessionOut(Schema):
    id: int
    starts_at: OutInstant = Field(description="In the business's time zone, with its offset.")
    ends_at: OutInstant = Field(description="In the business's time zone, with its offset.")
    status: Literal["scheduled", "completed", "no_show", "cancelled"]
    coach: int
    session_type: int
    room: int | None
    recurring_booking: int | None
    capacity: int
    spots_left: int = Field(description="Places not taken by an active booking.")
    bookings: list[SessionBooking] = Field(description="Every booking of the session, cancelled ones too, except "
                                                       "those of clients the token's member may not see (a coach "
                                                       "limited to their own clients); `spots_left` counts those too.")


class SessionCancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field("", max_length=500, description="Why, for the audit log.")


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts_at: Instant = Field(description="The new start, ISO 8601 with a UTC offset; the length is kept.")


def session_out(request: HttpRequest, session: TrainingSession, hidden: set[int] | None = None) -> dict[str, Any]:
    """``hidden``: the clients the caller may not see (``visibility.hidden_in``); found here when not given."""
    zone = zone_of(request)
    if hidden is None:
        hidden = visibility.hidden_in(request.membership, [session])  # type: ignore[attr-defined]
    return {
        "id": session.pk, "starts_at": local(session.starts_at, zone), "ends_at": local(session.ends_at, zone),
        "status": session.status, "coach": session.coach_id, "session_type": session.session_type_id,
        "room": session.room_id, "recurring_booking": session.recurring_booking_id, "capacity": session.capacity,
        "spots_left": selectors.spots_left(session),
        "bookings": [{"id": b.pk, "client": b.client_id, "status": b.status}
                     for b in visibility.session_access(session, hidden).bookings],
    }


def _session(session_id: int) -> TrainingSession:
    return get_object_or_404(TrainingSession.objects.prefetch_related("bookings"), pk=session_id)


def _session_for_change(request: HttpRequest, session_id: int) -> TrainingSession:
    """A session the caller may change: not one holding an active booking of a client they may not
    see (a 403: the change would reach that client)."""
    session = _session(session_id)
    if visibility.access_for(request.membership, session).locked:  # type: ignore[attr-defined]
        raise PermissionDenied(visibility.locked_message())
    return session


def _instant(bound: date | datetime, request: HttpRequest, *, end: bool) -> datetime:
    if isinstance(bound, datetime):
        return bound
    return engine.local_to_utc(bound + timedelta(days=1 if end else 0), time(0), zone_of(request))  # type: ignore[arg-type]


@router.get("/sessions", response={200: list[SessionOut], **problems(404, 422)},
            summary="Sessions overlapping a time range, earliest first",
            description=f"A plain list (not paginated) for a range of at most {MAX_DAYS} days.")
def session_list(request: HttpRequest, filters: Query[SessionQuery]) -> list[dict[str, Any]]:
    require_perm(request, Perm.BACKOFFICE)
    start, end = _instant(filters.start, request, end=False), _instant(filters.end, request, end=True)
    if end <= start:
        raise ValidationError({"end": [_("The end must be after the start.")]})
    if end - start > timedelta(days=MAX_DAYS):
        raise ValidationError({"end": [_("The range may cover at most %(n)s days.") % {"n": MAX_DAYS}]})
    coach = get_object_or_404(Coach, pk=filters.coach) if filters.coach is not None else None
    sessions = list(selectors.sessions_in_range(start=start, end=end, coach=coach,
                                                include_cancelled=filters.include_cancelled))
    hidden = visibility.hidden_in(request.membership, sessions)  # type: ignore[attr-defined]
    return [session_out(request, s, hidden) for s in sessions]


@router.get("/sessions/{session_id}", response={200: SessionOut, **problems(404)}, summary="One session")
def session_get(request: HttpRequest, session_id: int) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    return session_out(request, _session(session_id))


@router.post("/sessions/{session_id}/complete", response={200: SessionOut, **problems(404, 422)},
             summary="Mark a session completed (once it has started)")
def session_complete(request: HttpRequest, session_id: int) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    session = services.session_complete(session=_session_for_change(request, session_id), actor=request.auth)
    return session_out(request, _session(session.pk))


@router.post("/sessions/{session_id}/no-show", response={200: SessionOut, **problems(404, 422)},
             summary="Mark a session as a no-show (once it has started)")
def session_no_show(request: HttpRequest, session_id: int) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    session = services.session_no_show(session=_session_for_change(request, session_id), actor=request.auth)
    return session_out(request, _session(session.pk))


@router.post("/sessions/{session_id}/cancel", response={200: SessionOut, **problems(400, 404, 422)},
             summary="Cancel a session and its bookings (by the business)",
             description="The body is optional.")
@decorate_view(found_first(session_id=TrainingSession))
def session_cancel(request: HttpRequest, session_id: int,
                   payload: Body[SessionCancelIn | None] = None) -> dict[str, Any]:  # type: ignore[assignment]
    require_perm(request, Perm.BACKOFFICE)
    session = services.session_cancel(session=_session_for_change(request, session_id), actor=request.auth,
                                      reason=payload.reason if payload else "")
    return session_out(request, _session(session.pk))


@router.post("/sessions/{session_id}/move", response={200: SessionOut, **problems(400, 404, 409, 422)},
             summary="Move a session to another time (as the coach)",
             description="Any time the coach has free, inside their hours or not; the length is kept. "
                         "409 when the coach (or the room) is busy then.")
@decorate_view(found_first(session_id=TrainingSession))
def session_move(request: HttpRequest, session_id: int, payload: MoveIn) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    session = services.session_move(session=_session_for_change(request, session_id), starts_at=payload.starts_at,
                                    actor=request.auth)
    return session_out(request, _session(session.pk))
