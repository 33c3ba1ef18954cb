"""When a share's deliveries fall: the first at the chosen instant, then (a drip) every week or month at
the same wall-clock time in the business's zone — 09:00 stays 09:00 across daylight-saving changes.
Each occurrence is computed from the first (never from the previous one), so nothing drifts; a day of
the month the month lacks (the 31st) falls on its last day; a wall time a spring-forward skips is read
as the same time on the clock before the change (02:30 → 03:30). No Django here: pure and tested."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

ONCE, WEEKLY, MONTHLY = "once", "weekly", "monthly"


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def occurrence(first_at: datetime, zone: ZoneInfo, repeat: str, index: int) -> datetime:
    """The ``index``-th delivery (0 is the first), in UTC."""
    if index == 0 or repeat == ONCE:
        return first_at.astimezone(UTC)
    local = first_at.astimezone(zone)
    day = local.date() + timedelta(weeks=index) if repeat == WEEKLY else _add_months(local.date(), index)
    wall = datetime.combine(day, local.time().replace(tzinfo=None), tzinfo=zone)
    return wall.astimezone(UTC)


def next_after(first_at: datetime, zone: ZoneInfo, repeat: str, runs: int, total: int | None) -> datetime | None:
    """When the delivery after ``runs`` done ones falls, or None when there is no more
    (a one-off after its run; a drip after its ``total`` items)."""
    if repeat == ONCE:
        return first_at.astimezone(UTC) if runs == 0 else None
    if total is not None and runs >= total:
        return None
    return occurrence(first_at, zone, repeat, runs)
