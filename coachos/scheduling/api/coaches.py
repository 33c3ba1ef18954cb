"""Coaches: their booking settings, weekly hours, blocked time and extra hours."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Body, Field, Router, Status
from ninja.decorators import decorate_view
from pydantic import ConfigDict, field_validator

from coachos.common.api import require_perm
from coachos.common.schema import Schema
from coachos.tenancy.roles import Perm

from .. import selectors, services
from ..models import AvailabilityAddition, BlockedSlot, Coach, WeeklyAvailability
from .common import (
    Instant,
    OutInstant,
    OutWallTime,
    Text,
    WallTime,
    Weekday,
    coach_for_change,
    found_first,
    local,
    problems,
    weekday_code,
    weekday_number,
    zone_of,
)

router = Router(tags=["coaches"])

SETTINGS_FIELDS = (
    "default_session_minutes", "buffer_before_minutes", "buffer_after_minutes", "min_notice_minutes",
    "horizon_days", "max_per_day", "max_per_week", "slot_step_minutes", "cancellation_window_hours",
)


class CoachOut(Schema):
    id: int
    name: str = Field(description="The name clients see.")
    active: bool = Field(description="Whether the coach takes bookings.")
    default_session_minutes: int = Field(description="Length of a session booked without a session type's length.")
    buffer_before_minutes: int = Field(description="Free time kept before each session.")
    buffer_after_minutes: int = Field(description="Free time kept after each session.")
    min_notice_minutes: int = Field(description="How soon before its start a slot can still be booked.")
    horizon_days: int = Field(description="How far ahead slots can be booked.")
    max_per_day: int | None = Field(description="Most sessions in one local day; null for no limit.")
    max_per_week: int | None = Field(description="Most sessions in one local week (Monday–Sunday); null for no limit.")
    slot_step_minutes: int = Field(description="Distance between the start times offered.")
    cancellation_window_hours: int = Field(
        description="Clients may cancel or reschedule up to this many hours before a session.")


class SettingsPatch(Schema):
    """Any subset of the settings; a field left out is not changed."""

    model_config = ConfigDict(extra="forbid")

    default_session_minutes: int | None = Field(None, ge=5, le=720, description="5–720.")
    buffer_before_minutes: int | None = Field(None, ge=0, le=240, description="0–240.")
    buffer_after_minutes: int | None = Field(None, ge=0, le=240, description="0–240.")
    min_notice_minutes: int | None = Field(None, ge=0, le=60 * 24 * 60, description="0–86400.")
    horizon_days: int | None = Field(None, ge=1, le=730, description="1–730.")
    max_per_day: int | None = Field(None, ge=1, le=1000, description="1–1000, or null for no limit.")
    max_per_week: int | None = Field(None, ge=1, le=5000, description="1–5000, or null for no limit.")
    slot_step_minutes: int | None = Field(None, ge=5, le=240, description="5–240.")
    cancellation_window_hours: int | None = Field(None, ge=0, le=24 * 30, description="0–720.")

    @field_validator(*(f for f in SETTINGS_FIELDS if not f.startswith("max_per_")), mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null")
        return value


class RangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    weekday: Weekday = Field(description="Day of the week.")
    start_time: WallTime = Field(description="HH:MM in the business's time zone.")
    end_time: WallTime = Field(description="HH:MM in the business's time zone, after start_time.")
    for_individual: bool = Field(True, description="One-to-one sessions can be booked in this range.")
    for_group: bool = Field(False, description="Group sessions can be booked in this range.")


class RangeOut(Schema):
    id: int
    weekday: Weekday
    start_time: OutWallTime
    end_time: OutWallTime
    for_individual: bool
    for_group: bool


class WeeklyOut(Schema):
    ranges: list[RangeOut] = Field(description="The weekly template, by day and time.")
    conflicts: list[int] = Field(
        description="Ids of future scheduled sessions that no longer fit the template (and no extra hours cover). "
                    "Nothing is cancelled: each is for the coach to keep or cancel.")


class BlockedIn(Schema):
    model_config = ConfigDict(extra="forbid")

    starts_at: Instant = Field(description="ISO 8601 with a UTC offset.")
    ends_at: Instant = Field(description="ISO 8601 with a UTC offset; after starts_at.")
    reason: Text = Field("", max_length=200, description="Shown to the team only.")


class AdditionIn(BlockedIn):
    for_individual: bool = Field(True, description="One-to-one sessions can be booked in this time.")
    for_group: bool = Field(True, description="Group sessions can be booked in this time.")


class BlockedOut(Schema):
    id: int
    starts_at: OutInstant
    ends_at: OutInstant
    reason: str


class BlockedCreatedOut(BlockedOut):
    conflicts: list[int] = Field(
        description="Ids of future scheduled sessions inside this time off. Nothing is cancelled: they are listed "
                    "on the Conflicts page for the coach to keep (the time off is cut around them) or cancel.")


class AdditionOut(BlockedOut):
    for_individual: bool
    for_group: bool


def coach_out(coach: Coach) -> dict[str, Any]:
    return {"id": coach.pk, "name": coach.name, "active": coach.active,
            **{field: getattr(coach, field) for field in SETTINGS_FIELDS}}


def _weekly_out(coach: Coach, ranges: list[WeeklyAvailability]) -> dict[str, Any]:
    return {
        "ranges": [
            {"id": r.pk, "weekday": weekday_code(r.weekday), "start_time": r.start_time, "end_time": r.end_time,
             "for_individual": r.for_individual, "for_group": r.for_group}
            for r in sorted(ranges, key=lambda r: (r.weekday, r.start_time))
        ],
        "conflicts": [s.pk for s in selectors.conflicts_for(coach=coach)],
    }


def _span_out(request: HttpRequest, span: BlockedSlot | AvailabilityAddition) -> dict[str, Any]:
    zone = zone_of(request)
    out = {"id": span.pk, "starts_at": local(span.starts_at, zone), "ends_at": local(span.ends_at, zone),
           "reason": span.reason}
    if isinstance(span, AvailabilityAddition):
        out.update(for_individual=span.for_individual, for_group=span.for_group)
    return out


@router.get("/coaches", response={200: list[CoachOut], **problems()}, summary="Coaches of the business and their settings")
def coach_list(request: HttpRequest) -> list[dict[str, Any]]:
    require_perm(request, Perm.BACKOFFICE)
    return [coach_out(c) for c in selectors.coach_list()]


@router.patch("/coaches/{coach_id}/settings", response={200: CoachOut, **problems(400, 404, 422)},
              summary="Change a coach's booking settings (owner, or the coach themself)")
@decorate_view(found_first(coach_id=Coach))
def coach_settings_patch(request: HttpRequest, coach_id: int, payload: SettingsPatch) -> dict[str, Any]:
    coach = coach_for_change(request, coach_id)
    coach = services.coach_update(coach=coach, actor=request.auth, data=payload.dict(exclude_unset=True))
    return coach_out(coach)


@router.get("/coaches/{coach_id}/weekly-availability", response={200: WeeklyOut, **problems(404)},
            summary="A coach's weekly hours and the sessions that no longer fit them")
def weekly_get(request: HttpRequest, coach_id: int) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    coach = get_object_or_404(Coach.objects.select_related("organization"), pk=coach_id)
    return _weekly_out(coach, list(WeeklyAvailability.objects.filter(coach=coach)))


@router.put("/coaches/{coach_id}/weekly-availability", response={200: WeeklyOut, **problems(400, 404, 422)},
            summary="Replace a coach's weekly hours (owner, or the coach themself)",
            description="The body is the whole new template: a list of ranges, at most one range covering any "
                        "time of a day (join overlapping ranges). An empty list removes every range. Booked "
                        "sessions are never cancelled; those outside the new hours are listed in `conflicts`.")
@decorate_view(found_first(coach_id=Coach))
def weekly_put(request: HttpRequest, coach_id: int, payload: Annotated[list[RangeIn], Body(max_length=70)]) -> dict[str, Any]:
    coach = coach_for_change(request, coach_id)
    ranges = [{"weekday": weekday_number(r.weekday), "start_time": r.start_time, "end_time": r.end_time,
               "for_individual": r.for_individual, "for_group": r.for_group} for r in payload]
    created = services.weekly_availability_replace(coach=coach, actor=request.auth, ranges=ranges)
    return _weekly_out(coach, created)


@router.get("/coaches/{coach_id}/blocked-slots", response={200: list[BlockedOut], **problems(404)},
            summary="A coach's blocked time that has not ended yet")
def blocked_list(request: HttpRequest, coach_id: int) -> list[dict[str, Any]]:
    require_perm(request, Perm.BACKOFFICE)
    coach = get_object_or_404(Coach, pk=coach_id)
    return [_span_out(request, b) for b in BlockedSlot.objects.filter(coach=coach, ends_at__gt=timezone.now())]


@router.post("/coaches/{coach_id}/blocked-slots", response={201: BlockedCreatedOut, **problems(400, 404, 422)},
             summary="Block time off: no slots are offered in it (owner, or the coach themself)",
             description="Sessions already booked in that time are not touched: they are listed in `conflicts` "
                         "(and on the Conflicts page) for the coach to keep or cancel.")
@decorate_view(found_first(coach_id=Coach))
def blocked_create(request: HttpRequest, coach_id: int, payload: BlockedIn) -> Status[dict[str, Any]]:
    coach = coach_for_change(request, coach_id)
    blocked = services.blocked_slot_create(coach=coach, actor=request.auth, starts_at=payload.starts_at,
                                           ends_at=payload.ends_at, reason=payload.reason)
    covered = [s.pk for s in selectors.conflicts_for(coach=coach)
               if s.starts_at < blocked.ends_at and s.ends_at > blocked.starts_at]
    return Status(201, {**_span_out(request, blocked), "conflicts": covered})


@router.delete("/coaches/{coach_id}/blocked-slots/{blocked_id}", response={204: None, **problems(404)},
               summary="Remove blocked time (owner, or the coach themself)")
def blocked_delete(request: HttpRequest, coach_id: int, blocked_id: int) -> Status[None]:
    coach = coach_for_change(request, coach_id)
    blocked = get_object_or_404(BlockedSlot, pk=blocked_id, coach=coach)
    services.blocked_slot_delete(blocked=blocked, actor=request.auth)
    return Status(204, None)


@router.get("/coaches/{coach_id}/availability-additions", response={200: list[AdditionOut], **problems(404)},
            summary="A coach's extra hours that have not ended yet")
def addition_list(request: HttpRequest, coach_id: int) -> list[dict[str, Any]]:
    require_perm(request, Perm.BACKOFFICE)
    coach = get_object_or_404(Coach, pk=coach_id)
    additions = AvailabilityAddition.objects.filter(coach=coach, ends_at__gt=timezone.now())
    return [_span_out(request, a) for a in additions]


@router.post("/coaches/{coach_id}/availability-additions", response={201: AdditionOut, **problems(400, 404, 422)},
             summary="Add extra hours outside the weekly template (owner, or the coach themself)")
@decorate_view(found_first(coach_id=Coach))
def addition_create(request: HttpRequest, coach_id: int, payload: AdditionIn) -> Status[dict[str, Any]]:
    coach = coach_for_change(request, coach_id)
    addition = services.addition_create(coach=coach, actor=request.auth, starts_at=payload.starts_at,
                                        ends_at=payload.ends_at, reason=payload.reason,
                                        for_individual=payload.for_individual, for_group=payload.for_group)
    return Status(201, _span_out(request, addition))


@router.delete("/coaches/{coach_id}/availability-additions/{addition_id}", response={204: None, **problems(404)},
               summary="Remove extra hours (owner, or the coach themself)")
def addition_delete(request: HttpRequest, coach_id: int, addition_id: int) -> Status[None]:
    coach = coach_for_change(request, coach_id)
    addition = get_object_or_404(AvailabilityAddition, pk=addition_id, coach=coach)
    services.addition_delete(addition=addition, actor=request.auth)
    return Status(204, None)
