"""Template filters for dates, times, numbers and money: the same helpers as Python code uses.

``{% load formats %}`` then ``{{ session.starts_at|when }}``, ``{{ purchase.amount_minor|money:purchase.currency }}``.
The locale is the business's (the tenancy middleware activates it); instants are shown in the
current time zone (the business's, or the client's own on portal pages that switch to it).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django import template

from coachos.common import formats, phones

register = template.Library()


@register.filter
def day(value: date | datetime | None) -> str:
    """Tuesday, December 8 (the year only when it is not this year)."""
    return formats.format_date(value, style="day")


@register.filter
def short_date(value: date | datetime | None) -> str:
    """Dec 8, 2026 / 8 Dec 2026."""
    return formats.format_date(value, style="medium")


@register.filter
def long_date(value: date | datetime | None) -> str:
    """Tuesday, December 8, 2026."""
    return formats.format_date(value, style="full")


@register.filter
def clock(value: datetime | time | None) -> str:
    """9:00 AM / 09:00."""
    return formats.format_time(value)


@register.filter
def when(value: datetime | None) -> str:
    """Dec 8, 2026, 9:00 AM / 8 Dec 2026, 09:00."""
    return formats.format_datetime(value)


@register.filter
def money(minor: int | None, currency: str | None = None) -> str:
    """Minor units → $160.00 / 160,00 € / ¥1,600 (the business's currency when none is given)."""
    return formats.format_money(None if minor is None else int(minor), currency or None)


@register.filter
def number(value: int | float | Decimal | None, decimals: int | None = None) -> str:
    """1,234.5 / 1.234,5; ``|number:1`` fixes the decimals."""
    return formats.format_number(value, decimals=None if decimals is None else int(decimals))


@register.filter
def phone(value: str | None) -> str:
    """+447700900123 → "07700 900123" for a British business, "+44 7700 900123" elsewhere."""
    return phones.phone_format(value or "", region=phones.scoped_region())
