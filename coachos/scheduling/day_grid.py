"""Where each session sits in the calendar's day-by-coach grid. No Django: plain datetimes in.

The grid has one row per ``STEP_MINUTES`` from the first shown hour; a session gets a first row, a
number of rows, and a lane (sessions of one coach that overlap, such as a cancelled one and the
session booked in its place, sit side by side instead of on top of each other).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

STEP_MINUTES = 15
ROWS_PER_HOUR = 60 // STEP_MINUTES
MAX_ROWS = 24 * ROWS_PER_HOUR
MAX_LANES = 4
DEFAULT_FIRST_HOUR = 7
DEFAULT_LAST_HOUR = 20


@dataclass(frozen=True)
class Placed:
    key: int
    row: int  # 1-based grid row
    span: int  # rows, at least 1
    lane: int  # 0-based
    lanes: int  # lanes in its group of overlapping sessions


@dataclass(frozen=True)
class Window:
    first_hour: int
    last_hour: int  # exclusive

    @property
    def rows(self) -> int:
        return (self.last_hour - self.first_hour) * ROWS_PER_HOUR

    @property
    def hours(self) -> list[int]:
        return list(range(self.first_hour, self.last_hour))


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Midnight to midnight in the zone (23 or 25 hours on the days the clocks change)."""
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def _minutes(instant: datetime, day_start: datetime, tz: ZoneInfo) -> int:
    """Wall-clock minutes since midnight, clamped to the day (a session may start the day before)."""
    local = instant.astimezone(tz)
    if local < day_start:
        return 0
    if local.date() > day_start.date():
        return 24 * 60
    return local.hour * 60 + local.minute


def window(spans: Sequence[tuple[datetime, datetime]], *, day: date, tz: ZoneInfo) -> Window:
    """The working day (07:00–20:00) widened to every session shown."""
    start, _ = day_bounds(day, tz)
    first, last = DEFAULT_FIRST_HOUR, DEFAULT_LAST_HOUR
    for starts_at, ends_at in spans:
        first = min(first, _minutes(starts_at, start, tz) // 60)
        end_minutes = _minutes(ends_at, start, tz)
        last = max(last, -(-end_minutes // 60))
    return Window(first, min(24, max(last, first + 1)))


def place(items: Sequence[tuple[int, datetime, datetime]], *, day: date, tz: ZoneInfo, win: Window) -> list[Placed]:
    """Rows and lanes for (key, starts_at, ends_at) of one column, in start order."""
    start, _ = day_bounds(day, tz)
    offset = win.first_hour * 60
    rows: list[tuple[int, int, int]] = []
    for key, starts_at, ends_at in sorted(items, key=lambda i: (i[1], i[2], i[0])):
        first = (_minutes(starts_at, start, tz) - offset) // STEP_MINUTES
        end = -(-(_minutes(ends_at, start, tz) - offset) // STEP_MINUTES)
        first = max(0, min(first, win.rows - 1))
        end = max(first + 1, min(end, win.rows))
        rows.append((key, first, end))
    placed: list[Placed] = []
    group: list[tuple[int, int, int, int]] = []  # key, first, end, lane
    group_end = -1

    def flush() -> None:
        lanes = min(MAX_LANES, max((lane for *_, lane in group), default=0) + 1)
        placed.extend(Placed(key, first + 1, end - first, min(lane, MAX_LANES - 1), lanes)
                      for key, first, end, lane in group)
        group.clear()

    for key, first, end in rows:
        if group and first >= group_end:
            flush()
        busy = {lane for _, _, e, lane in group if e > first}
        lane = next(n for n in range(len(group) + 1) if n not in busy)
        group.append((key, first, end, lane))
        group_end = max(group_end, end) if len(group) > 1 else end
    if group:
        flush()
    return placed
