"""Bookings and recurring bookings. The API books as a client would: only an open time."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Status
from ninja.decorators import decorate_view
from pydantic import ConfigDict

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.common.api import require_perm
from coachos.common.schema import Schema
from coachos.tenancy.roles import Perm

from .. import services, settlement, visibility
from ..models import Booking, Coach, RecurringBooking, SessionType, TrainingSession
from .common import (
    Day,
    Instant,
    OutInstant,
    OutWallTime,
    Text,
    WallTime,
    Weekday,
    found_first,
    local,
    problems,
    reference,
    weekday_code,
    weekday_number,
    zone_of,
)

router = Router(tags=["bookings"])

MAX_ID = 2**63 - 1
CONFLICT = "409: the time cannot be had (`code`: taken, unavailable, limit, full, held)."
NOT_YOURS = ("404: a client the token's member may not see (a coach the owner limited to their own clients); "
             "422 on `client` when the business has no such client.")


class BookingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    coach: int = Field(ge=1, le=MAX_ID, description="The coach's id.")
    session_type: int = Field(ge=1, le=MAX_ID, description="The session type's id.")
    client: int = Field(ge=1, le=MAX_ID, description="The client's id.")
    starts_at: Instant = Field(description="One of the open start times (GET /slots), ISO 8601 with a UTC offset.")
    note: Text = Field("", max_length=2000, description="A note from the client.")
    pay_with: Literal["credit", "card"] | None = Field(
        None, description="For a session type paid either way: a package credit or the card. Left out: a credit "
                          "when the client has one, else the card.")


class PaymentStateOut(Schema):
    status: str = Field(description="none, credit_used, pending (pay at `checkout_url` before the hold ends), "
                                    "paid; after a cancellation also refunded or cancelled, expired when unpaid.")
    checkout_url: str | None = Field(None, description="Where the client pays, while pending.")
    client_package: int | None = Field(None, description="The package whose credit it uses.")
    credits_left: int | None = Field(None, description="Credits left on that package.")
    amount_minor: int | None = Field(None, description="Charged when booking (the price or a deposit).")
    currency: str | None = None
    purchase: int | None = Field(None, description="The payment (GET /money-events?booking=ID for its entries).")


class BookingOut(Schema):
    id: int
    session: int = Field(description="The session the booking holds a place in.")
    coach: int
    session_type: int
    client: int
    starts_at: OutInstant = Field(description="In the business's time zone, with its offset.")
    ends_at: OutInstant = Field(description="In the business's time zone, with its offset.")
    status: Literal["confirmed", "cancelled_by_client", "cancelled_by_coach", "completed", "no_show"]
    late_cancellation: bool
    note: str
    confirmed: bool = Field(description="True once the client confirmed they are coming (a \"Y\" reply to a "
                                        "reminder text, or the portal's button).")
    confirmed_at: OutInstant | None = Field(description="When the client confirmed; null until then.")
    cancelled_at: OutInstant | None
    created_at: OutInstant
    payment: PaymentStateOut = Field(description="How the booking was settled when it was made.")


class CancelledOut(BookingOut):
    refund_minor: int = Field(description="Refunded to the client by this cancellation.")
    credit_released: bool = Field(description="Whether the credit it used came back.")
    fee_kept_minor: int = Field(description="Kept by the business's policy (a late cancellation's deposit or fee).")


class CancelIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field("", max_length=500, description="Why, for the audit log.")


class RescheduleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts_at: Instant = Field(description="The new start, ISO 8601 with a UTC offset.")


class RecurringIn(Schema):
    model_config = ConfigDict(extra="forbid")

    coach: int = Field(ge=1, le=MAX_ID, description="The coach's id.")
    session_type: int = Field(ge=1, le=MAX_ID, description="The session type's id.")
    client: int = Field(ge=1, le=MAX_ID, description="The client's id.")
    weekday: Weekday = Field(description="Day of the week.")
    start_time: WallTime = Field(description="HH:MM in the business's time zone; kept across DST changes.")
    start_date: Day = Field(description="First possible date, YYYY-MM-DD.")
    end_date: Day | None = Field(None, description="Last possible date, YYYY-MM-DD; null for no end.")
    every_weeks: Literal[1, 2] = Field(1, description="1: every week; 2: every other week.")


class SessionBrief(Schema):
    id: int
    starts_at: OutInstant
    ends_at: OutInstant


class Skipped(Schema):
    date: date
    starts_at: str = Field(description="The occurrence's start in the business's time zone, ISO 8601.")
    reason: str = Field(description="blocked, taken, held, room_full, limit or unavailable.")
    message: str


class RecurringOut(Schema):
    id: int
    coach: int
    session_type: int
    client: int
    weekday: Weekday
    start_time: OutWallTime
    start_date: date
    end_date: date | None
    every_weeks: int
    status: Literal["active", "ended", "cancelled"]
    sessions: list[SessionBrief] = Field(description="Its scheduled sessions that have not started yet.")


class RecurringCreatedOut(RecurringOut):
    sessions_created: int = Field(description="Sessions booked now (the next 6 weeks; a daily job books further).")
    skipped: list[Skipped] = Field(description="Occurrences not booked, and why.")


class RecurringCancelledOut(RecurringOut):
    sessions_cancelled: int = Field(description="Future sessions cancelled with it.")


def booking_out(request: HttpRequest, booking: Booking) -> dict[str, Any]:
    zone, session = zone_of(request), booking.session
    return {
        "id": booking.pk, "session": session.pk, "coach": session.coach_id, "session_type": session.session_type_id,
        "client": booking.client_id, "starts_at": local(session.starts_at, zone),
        "ends_at": local(session.ends_at, zone), "status": booking.status,
        "late_cancellation": booking.late_cancellation, "note": booking.note,
        "confirmed": booking.client_confirmed_at is not None,
        "confirmed_at": local(booking.client_confirmed_at, zone),
        "cancelled_at": local(booking.cancelled_at, zone), "created_at": local(booking.created_at, zone),
        "payment": settlement.describe(booking),
    }


def _booking(request: HttpRequest, booking_id: int) -> Booking:
    """A booking of a client the caller may see (``clients_visible_to``); else a 404."""
    return get_object_or_404(visible_bookings(request).select_related("session"), pk=booking_id)


def visible_bookings(request: HttpRequest) -> QuerySet[Booking]:
    """The bookings of the clients the caller may see. The role is checked first: a client's token
    is a 403 here, as everywhere, not a 404."""
    require_perm(request, Perm.BACKOFFICE)
    return visibility.bookings_visible_to(request.membership)  # type: ignore[attr-defined]


def visible_recurring(request: HttpRequest) -> QuerySet[RecurringBooking]:
    return visibility.recurring_visible_to(request.membership)  # type: ignore[attr-defined]


def _client(request: HttpRequest, client_id: int) -> Client:
    """The client of a new booking: 422 when the business has none with this id, 404 when the
    caller may not see them (a coach limited to their own clients)."""
    return reference(Client, client_id, "client", _("client"),
                     visible=clients_visible_to(request.membership))  # type: ignore[attr-defined]


def recurring_out(request: HttpRequest, rb: RecurringBooking,
                  sessions: list[TrainingSession] | None = None) -> dict[str, Any]:
    zone = zone_of(request)
    if sessions is None:
        sessions = list(TrainingSession.objects.filter(recurring_booking=rb, starts_at__gt=timezone.now(),
                                                       status=TrainingSession.Status.SCHEDULED))
    return {
        "id": rb.pk, "coach": rb.coach_id, "session_type": rb.session_type_id, "client": rb.client_id,
        "weekday": weekday_code(rb.weekday), "start_time": rb.start_time, "start_date": rb.start_date,
        "end_date": rb.end_date, "every_weeks": rb.every_weeks, "status": rb.status,
        "sessions": [{"id": s.pk, "starts_at": local(s.starts_at, zone), "ends_at": local(s.ends_at, zone)}
                     for s in sessions],
    }


# --- bookings -----------------------------------------------------------------------------------

@router.post("/bookings", response={201: BookingOut, **problems(400, 404, 409, 422)},
             summary="Book a client at an open time",
             description="Books as a client would: only one of the open times of GET /slots. " + CONFLICT + " "
                         + NOT_YOURS)
def booking_create(request: HttpRequest, payload: BookingIn) -> Status[dict[str, Any]]:
    require_perm(request, Perm.BACKOFFICE)
    coach = reference(Coach, payload.coach, "coach", _("coach"))
    session_type = reference(SessionType, payload.session_type, "session_type", _("session type"))
    client = _client(request, payload.client)
    booking = services.booking_create(coach=coach, session_type=session_type, client=client,
                                      starts_at=payload.starts_at, actor=request.auth, note=payload.note,
                                      mode=services.CLIENT, pay_with=payload.pay_with or "")
    return Status(201, booking_out(request, booking))


@router.get("/bookings/{booking_id}", response={200: BookingOut, **problems(404)}, summary="One booking")
def booking_get(request: HttpRequest, booking_id: int) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    return booking_out(request, _booking(request, booking_id))


@router.post("/bookings/{booking_id}/cancel", response={200: CancelledOut, **problems(400, 404, 422)},
             summary="Cancel a booking (by the business)",
             description="The body is optional. A one-to-one session is cancelled with its booking; a place in a "
                         "group session is offered to the waitlist. The answer says what happened to the money: "
                         "cancelled by the business, a payment is refunded in full and a credit comes back.")
@decorate_view(found_first(booking_id=visible_bookings))
def booking_cancel(request: HttpRequest, booking_id: int,
                   payload: Body[CancelIn | None] = None) -> dict[str, Any]:  # type: ignore[assignment]
    require_perm(request, Perm.BACKOFFICE)
    booking = services.booking_cancel(booking=_booking(request, booking_id), actor=request.auth, by=services.COACH,
                                      reason=payload.reason if payload else "")
    return {**booking_out(request, booking), **settlement.cancel_outcome(booking)}


@router.post("/bookings/{booking_id}/reschedule", response={200: BookingOut, **problems(400, 404, 409, 422)},
             summary="Move a booking to another time (by the business)",
             description="Any time the coach has free, as on the coach's calendar. A place in a group session "
                         "moves to a session at the new time: the booking returned then has a new id. " + CONFLICT)
@decorate_view(found_first(booking_id=visible_bookings))
def booking_reschedule(request: HttpRequest, booking_id: int, payload: RescheduleIn) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    booking = services.booking_reschedule(booking=_booking(request, booking_id), starts_at=payload.starts_at,
                                          actor=request.auth, by=services.COACH)
    return booking_out(request, _booking(request, booking.pk))


# --- recurring bookings -------------------------------------------------------------------------

@router.post("/recurring-bookings", response={201: RecurringCreatedOut, **problems(400, 404, 422)},
             summary="Book a client every week or two at the same local time",
             description="Books the next 6 weeks at once (a daily job keeps 6 weeks booked). Each occurrence keeps "
                         "its wall-clock time across DST changes. Occurrences on blocked time, outside the coach's "
                         "hours or clashing with another session are skipped and listed in `skipped`. " + NOT_YOURS)
def recurring_create(request: HttpRequest, payload: RecurringIn) -> Status[dict[str, Any]]:
    require_perm(request, Perm.BACKOFFICE)
    rb, result = services.recurring_create(
        coach=reference(Coach, payload.coach, "coach", _("coach")),
        client=_client(request, payload.client),
        session_type=reference(SessionType, payload.session_type, "session_type", _("session type")),
        weekday=weekday_number(payload.weekday), start_time=payload.start_time, start_date=payload.start_date,
        end_date=payload.end_date, every_weeks=payload.every_weeks, actor=request.auth,
    )
    return Status(201, {**recurring_out(request, rb, result.created), "sessions_created": len(result.created),
                        "skipped": result.skipped})


@router.get("/recurring-bookings/{recurring_id}", response={200: RecurringOut, **problems(404)},
            summary="One recurring booking and its upcoming sessions")
def recurring_get(request: HttpRequest, recurring_id: int) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    return recurring_out(request, get_object_or_404(visible_recurring(request), pk=recurring_id))


@router.post("/recurring-bookings/{recurring_id}/cancel", response={200: RecurringCancelledOut, **problems(404)},
             summary="Stop a recurring booking and cancel its future sessions")
def recurring_cancel(request: HttpRequest, recurring_id: int) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    rb = get_object_or_404(visible_recurring(request), pk=recurring_id)
    cancelled = services.recurring_cancel(rb=rb, actor=request.auth)
    rb.refresh_from_db()
    return {**recurring_out(request, rb), "sessions_cancelled": cancelled}
