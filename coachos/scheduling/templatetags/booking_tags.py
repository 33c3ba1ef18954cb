"""Times for people: in a given zone, in the page's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from django import template

from coachos.common import formats

register = template.Library()


def _plain(text: str) -> str:
    """Babel's narrow no-break space ("9:00\u202fAM") as a plain space, as messages write it."""
    return text.replace("\u202f", " ")


def _short_day(value: date) -> str:
    return str(format_skeleton("MMMEd", value, locale=formats.current_locale()))


def _zone(tz: Any) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(str(tz))


@register.filter
def clock(value: datetime | None, tz: Any) -> str:
    """10:00 AM (en_US) or 10:00, in the zone, as the business's locale writes it."""
    return _plain(formats.format_time(value, zone=_zone(tz)))


@register.filter
def day(value: datetime | None, tz: Any) -> str:
    """Tue, Mar 10 / Tue 10 Mar — the local date of an instant, short, as the locale writes it."""
    if value is None:
        return ""
    return _short_day(value.astimezone(_zone(tz)).date())


@register.filter
def longday(value: datetime | None, tz: Any) -> str:
    """Tuesday, March 10, 2026."""
    return formats.format_date(value, zone=_zone(tz), style="full")


@register.filter
def dateday(value: Any, style: str = "short") -> str:
    """A date (no time): short 'Tue, Mar 10' or long 'Tuesday, March 10, 2026'."""
    if value is None or value == "":
        return ""
    return formats.format_date(value, style="full") if style == "long" else _short_day(value)


@register.filter
def money(minor: int | None, currency: str) -> str:
    if not minor:
        return ""
    return formats.format_money(int(minor), currency)


@register.simple_tag
def upcoming_bookings(client: Any, limit: int = 3) -> list[Any]:
    """The client's next confirmed bookings (the portal home shows a few)."""
    if client is None:
        return []
    from coachos.scheduling.models import Booking
    from coachos.scheduling.selectors import bookings_for_client

    return list(bookings_for_client(client=client, upcoming=True).filter(status=Booking.Status.CONFIRMED)[:limit])
