"""Quiet hours: when a business's clients must not be texted or emailed. Pure Python, no Django.

The window is [start, end) in the business's wall-clock time. It may wrap midnight
(21:00–08:00: quiet from 21:00 until 08:00 the next morning) or not (13:00–14:00).
start == end means no quiet hours. Comparisons are made on the local wall clock of the
instant in the business's zone — never in UTC (the earlier product compared in UTC and had
the non-wrapping case backwards).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def _local_minute(at: datetime, zone: ZoneInfo) -> time:
    local = at.astimezone(zone)
    return time(local.hour, local.minute, local.second, local.microsecond)


def is_quiet(at: datetime, zone: ZoneInfo, start: time, end: time) -> bool:
    """True when ``at`` (an aware instant) falls inside the quiet window in ``zone``."""
    if at.tzinfo is None:
        raise ValueError("at must be an aware datetime")
    if start == end:
        return False
    now = _local_minute(at, zone)
    if start < end:  # 13:00–14:00: quiet between the two, same day
        return start <= now < end
    return now >= start or now < end  # 21:00–08:00: quiet late evening and early morning


def next_allowed(at: datetime, zone: ZoneInfo, start: time, end: time) -> datetime:
    """The first instant at or after ``at`` outside quiet hours (``at`` itself when it is outside).

    Inside the window this is the window's end on the wall clock: today's or tomorrow's ``end``.
    When ``end`` falls into a daylight-saving gap (the wall clock skips it), the first instant after
    the gap is used; the result is never inside the window.
    """
    if not is_quiet(at, zone, start, end):
        return at
    local = at.astimezone(zone)
    candidates: list[datetime] = []
    for days in (0, 1, 2):
        day = local.date() + timedelta(days=days)
        early, late = sorted(datetime.combine(day, end, tzinfo=zone).replace(fold=fold).astimezone(UTC)
                             for fold in (0, 1))
        # In a gap the two folds straddle the jump: the window ends at the jump itself.
        probe = early
        while probe < late and (probe < at or is_quiet(probe, zone, start, end)):
            probe += timedelta(minutes=1)
        for instant in (probe, late):
            if instant >= at and not is_quiet(instant, zone, start, end):
                candidates.append(instant)
    if candidates:
        return min(candidates).astimezone(at.tzinfo)
    # Unreachable for real zones (a window always ends within two days); stay safe regardless.
    probe = at
    for _ in range(3 * 24 * 4):
        probe += timedelta(minutes=15)
        if not is_quiet(probe, zone, start, end):
            return probe
    raise ValueError("quiet hours never end")  # pragma: no cover
