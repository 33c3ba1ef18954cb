"""Open start times, for a date range in any time zone."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router
from pydantic import ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from coachos.common.api import require_perm
from coachos.common.schema import Schema
from coachos.tenancy.roles import Perm

from .. import selectors
from .. import slots as engine
from ..models import Coach, SessionType
from .common import Day, OutInstant, parse_zone, problems

router = Router(tags=["slots"])

MAX_DAYS = 62
MAX_ID = 2**63 - 1


class SlotQuery(Schema):
    coach: int = Field(ge=1, le=MAX_ID, description="The coach's id.")
    session_type: int = Field(ge=1, le=MAX_ID, description="The session type's id.")
    start: Day = Field(description="First date, YYYY-MM-DD, in `tz`.")
    end: Day = Field(description=f"Last date, YYYY-MM-DD, in `tz` (inclusive); at most {MAX_DAYS} days in all.")
    tz: str | None = Field(None, max_length=64, description="IANA time zone for the dates and the times shown, "
                                                            "e.g. Europe/London. Defaults to the business's zone.")

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            parse_zone(value)
        return value

    @field_validator("end")
    @classmethod
    def _range(cls, value: Any, info: ValidationInfo) -> Any:
        start = info.data.get("start")
        if start is not None:
            if value < start:
                raise PydanticCustomError("date_order", "The end date must be on or after the start date.")
            if (value - start).days + 1 > MAX_DAYS:
                raise PydanticCustomError("range_too_long", "The range may cover at most {n} days.", {"n": MAX_DAYS})
        return value


class SlotOut(Schema):
    starts_at: OutInstant = Field(description="In `tz`, with its offset.")
    ends_at: OutInstant = Field(description="In `tz`, with its offset.")


class SlotsOut(Schema):
    slots: list[SlotOut] = Field(description="Every open start, earliest first.")


@router.get("/slots", response={200: SlotsOut, **problems(404, 422)},
            summary="Open start times for a session type with a coach",
            description="The times a client could book now: inside the coach's hours, clear of other sessions "
                        "and their buffers, after the minimum notice and within the horizon. The dates are whole "
                        "days in `tz` and every time is shown in `tz`. An inactive coach, or a session type that "
                        "is inactive or not bookable online, has no open times.")
def slot_list(request: HttpRequest, filters: Query[SlotQuery]) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    coach = get_object_or_404(Coach.objects.select_related("organization"), pk=filters.coach)
    session_type = get_object_or_404(SessionType, pk=filters.session_type)
    business_zone = coach.organization.tzinfo
    zone = parse_zone(filters.tz) if filters.tz else business_zone
    if not (coach.active and session_type.active and session_type.bookable_online):
        return {"slots": []}
    # The engine works in the business's local days: compute over the ones that cover the
    # requested days in `tz`, then keep what starts inside them.
    range_start = engine.local_to_utc(filters.start, time(0), zone)
    range_end = engine.local_to_utc(filters.end + timedelta(days=1), time(0), zone)
    found = selectors.slots_for(
        coach=coach, session_type=session_type, first_day=range_start.astimezone(business_zone).date(),
        last_day=(range_end - timedelta(microseconds=1)).astimezone(business_zone).date(),
    )
    return {"slots": [{"starts_at": s.start.astimezone(zone), "ends_at": s.end.astimezone(zone)}
                      for s in found if range_start <= s.start < range_end]}
