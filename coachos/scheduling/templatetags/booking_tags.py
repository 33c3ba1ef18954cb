"""Times for people: in a given zone, in the page's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()

ZERO_DECIMAL = frozenset({"JPY"})


def _english() -> bool:
    return (get_language() or "en").startswith("en")


def _local(value: datetime, tz: Any) -> datetime:
    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(str(tz))
    return value.astimezone(zone)


@register.filter
def clock(value: datetime | None, tz: Any) -> str:
    """10:00 AM (English) or 10:00, in the zone."""
    if value is None:
        return ""
    return formats.date_format(_local(value, tz), "g:i A" if _english() else "H:i")


@register.filter
def day(value: datetime | None, tz: Any) -> str:
    """Tue, Mar 10 — the local date of an instant, short."""
    if value is None:
        return ""
    return formats.date_format(_local(value, tz), "D, M j" if _english() else "D j M")


@register.filter
def longday(value: datetime | None, tz: Any) -> str:
    """Tuesday, March 10, 2026."""
    if value is None:
        return ""
    return formats.date_format(_local(value, tz), "l, F j, Y" if _english() else "l j F Y")


@register.filter
def dateday(value: Any, style: str = "short") -> str:
    """A date (no time): short 'Tue, Mar 10' or long 'Tuesday, March 10, 2026'."""
    if style == "long":
        return formats.date_format(value, "l, F j, Y" if _english() else "l j F Y")
    return formats.date_format(value, "D, M j" if _english() else "D j M")


@register.filter
def money(minor: int | None, currency: str) -> str:
    if not minor:
        return ""
    if currency in ZERO_DECIMAL:
        return f"{minor:,} {currency}"
    return f"{minor / 100:,.2f} {currency}"


@register.simple_tag
def upcoming_bookings(client: Any, limit: int = 3) -> list[Any]:
    """The client's next confirmed bookings (the portal home shows a few)."""
    if client is None:
        return []
    from coachos.scheduling.models import Booking
    from coachos.scheduling.selectors import bookings_for_client

    return list(bookings_for_client(client=client, upcoming=True).filter(status=Booking.Status.CONFIRMED)[:limit])
