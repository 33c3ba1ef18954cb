"""Ranges in the business's zone: local dates → [start, end) instants, and the page's presets."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachos.scheduling.slots import local_to_utc

MAX_DAYS = 366 * 6  # five years of history and a little more
PRESETS = ("week", "month", "30d", "quarter", "year")


def local_range(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the end of ``last`` (inclusive), local days."""
    return local_to_utc(first, time(0), tz), local_to_utc(last + timedelta(days=1), time(0), tz)


def preset_dates(preset: str, today: date) -> tuple[date, date]:
    if preset == "week":
        first = today - timedelta(days=today.weekday())
        return first, first + timedelta(days=6)
    if preset == "30d":
        return today - timedelta(days=29), today
    if preset == "quarter":
        q_first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        q_last_month = q_first.month + 2
        return q_first, _month_end(today.year, q_last_month)
    if preset == "year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    return today.replace(day=1), _month_end(today.year, today.month)


def _month_end(year: int, month: int) -> date:
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def month_start(day: date) -> date:
    return day.replace(day=1)
