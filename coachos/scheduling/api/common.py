"""Shared pieces of the scheduling API: input types, how times are shown, lookups and roles."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field
from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from coachos.common import moments
from coachos.common.api import found_first, reference, require_perm  # noqa: F401 (used by the routers)
from coachos.common.schema import Schema
from coachos.tenancy.roles import Perm

from ..models import WEEKDAY_CODES, Coach

M = TypeVar("M", bound=Model)

# Far enough either way for any real calendar, near enough that date arithmetic cannot overflow.
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HHMM_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
INSTANT_EXAMPLE = "2026-03-10T10:00:00-05:00"
MAX_OFFSET = timedelta(hours=14)  # the widest offset any zone uses (Kiribati)

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
assert WEEKDAY_CODES == Weekday.__args__  # type: ignore[attr-defined]


# --- input types ------------------------------------------------------------------------------

def parse_instant(value: Any) -> datetime:
    """An ISO 8601 date and time that carries its UTC offset (``Z`` or ``±HH:MM``)."""
    if not isinstance(value, str):
        raise PydanticCustomError("instant", "Use an ISO 8601 date and time with a UTC offset, e.g. {example}.",
                                  {"example": INSTANT_EXAMPLE})
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError("instant", "Not a date and time. Use ISO 8601 with a UTC offset, e.g. {example}.",
                                  {"example": INSTANT_EXAMPLE})
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise PydanticCustomError(
            "instant_naive",
            "This time has no UTC offset, so it is ambiguous. Add one, e.g. {example} (or Z for UTC).",
            {"example": INSTANT_EXAMPLE},
        )
    offset = parsed.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise PydanticCustomError("instant_offset", "The UTC offset must be between -14:00 and +14:00.")
    if not EARLIEST <= parsed.date() <= LATEST:
        raise PydanticCustomError("instant_range", "Use a time between the years 2000 and 2199.")
    return parsed


def parse_day(value: Any) -> date:
    if isinstance(value, str) and DATE_RE.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None:
            if not EARLIEST <= day <= LATEST:
                raise PydanticCustomError("date_range", "Use a date between the years 2000 and 2199.")
            return day
    raise PydanticCustomError("date", "Use a date as YYYY-MM-DD, e.g. 2026-03-10.")


def parse_wall_time(value: Any) -> time:
    if isinstance(value, str) and HHMM_RE.match(value):
        return time.fromisoformat(value)
    raise PydanticCustomError("wall_time", "Use a time of day as HH:MM (00:00–23:59), e.g. 09:30.")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul", "Text may not contain NUL characters.")
    return value


Instant = Annotated[
    datetime,
    BeforeValidator(parse_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "example": INSTANT_EXAMPLE}),
]
"""Input: a date-time with its UTC offset; one without an offset is refused."""

Day = Annotated[date, BeforeValidator(parse_day), WithJsonSchema({"type": "string", "format": "date",
                                                                   "example": "2026-03-10"})]

WallTime = Annotated[
    time,
    BeforeValidator(parse_wall_time),
    WithJsonSchema({"type": "string", "pattern": HHMM_RE.pattern, "example": "09:00"}),
]
"""Input: a wall-clock time, HH:MM, in the business's time zone."""

OutWallTime = Annotated[
    time,
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str),
    WithJsonSchema({"type": "string", "pattern": HHMM_RE.pattern, "example": "09:00"}),
]
"""Output: a wall-clock time, HH:MM, in the business's time zone."""

Text = Annotated[str, AfterValidator(_no_nul)]

OutInstant = Annotated[
    datetime,
    # pydantic would write a zero offset as "Z"; isoformat keeps "+00:00" like every other offset.
    PlainSerializer(lambda d: d.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "example": INSTANT_EXAMPLE}),
]
"""Output: a date-time with its UTC offset."""


def parse_zone(value: str) -> ZoneInfo:
    if not moments.is_zone(value):
        raise PydanticCustomError("time_zone", "Not a time zone. Use an IANA name such as America/Chicago.")
    return ZoneInfo(value)


def weekday_number(code: str) -> int:
    return WEEKDAY_CODES.index(code)


def weekday_code(number: int) -> str:
    return WEEKDAY_CODES[number]


# --- output -------------------------------------------------------------------------------------

def zone_of(request: HttpRequest) -> tzinfo:
    return request.organization.tzinfo  # type: ignore[attr-defined,no-any-return]


def local(instant: datetime | None, zone: tzinfo) -> datetime | None:
    """Instants are shown in the business's zone, with its offset."""
    return instant.astimezone(zone) if instant is not None else None


# --- lookups and roles --------------------------------------------------------------------------

def coach_for_change(request: HttpRequest, coach_id: int) -> Coach:
    """A coach whose settings and hours the caller may change: the owner's, or their own."""
    require_perm(request, Perm.BACKOFFICE)
    coach = get_object_or_404(Coach.objects.select_related("organization", "membership__user"), pk=coach_id)
    membership = request.membership  # type: ignore[attr-defined]
    if not (membership.has(Perm.SETTINGS) or coach.membership_id == membership.pk):
        raise PermissionDenied(_("Only the owner or the coach themself can change a coach's settings and hours."))
    return coach


# --- documented error responses -----------------------------------------------------------------

class FieldError(Schema):
    field: str = Field(description="The input the message is about; empty for the request as a whole.")
    message: str


class Problem(Schema):
    """An RFC 9457 problem details body (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    code: str | None = Field(None, description="For scheduling refusals: why, e.g. `taken`, `unavailable`, "
                                                "`limit`, `full`, `held` (409) or `invalid`, `too_late` (422).")
    errors: list[FieldError] | None = Field(None, description="For invalid input: one entry per problem.")


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """Error statuses an operation documents, besides 401 (any call without a valid token)."""
    return {status: Problem for status in (401, 403, *statuses)}
