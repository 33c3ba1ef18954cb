"""When a scheduled automation is due next. Pure Python (no Django): fast and property-testable.

A schedule is a wall-clock time in the business's zone on some days: every day, on chosen
weekdays, or on a day of the month (the 31st means the last day of a shorter month). The next
due time is the first such instant strictly after a given instant, so advancing from the due
time just claimed always moves forward, and a due time is never produced twice.

DST: the wall-clock time is kept on both sides of a change (09:00 stays 09:00 local). A time
skipped by a spring-forward (02:30) happens the same distance after the gap (03:30); a time that
happens twice in the autumn happens at its first occurrence.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAILY, WEEKLY, MONTHLY = "daily", "weekly", "monthly"
FREQUENCIES = (DAILY, WEEKLY, MONTHLY)
MAX_DAYS_AHEAD = 400  # any valid schedule has a due day within a year


class ScheduleError(ValueError):
    pass


def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The instant a wall-clock time happens on a day in ``tz`` (fold=0: see the module doc)."""
    return datetime.combine(day, wall.replace(tzinfo=None, fold=0), tzinfo=tz).astimezone(UTC)


def last_day_of_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def runs_on(day: date, *, frequency: str, weekdays: Iterable[int] = (), day_of_month: int | None = None) -> bool:
    """Whether the schedule has a due time on this local day (weekday 0 = Monday)."""
    if frequency == DAILY:
        return True
    if frequency == WEEKLY:
        return day.weekday() in set(weekdays)
    if frequency == MONTHLY:
        if day_of_month is None:
            return False
        return day.day == min(day_of_month, last_day_of_month(day.year, day.month))
    raise ScheduleError(f"unknown frequency {frequency!r}")


def validate(*, frequency: str, weekdays: Iterable[int] = (), day_of_month: int | None = None) -> None:
    if frequency not in FREQUENCIES:
        raise ScheduleError(f"unknown frequency {frequency!r}")
    days = list(weekdays)
    if frequency == WEEKLY and (not days or any(d not in range(7) for d in days)):
        raise ScheduleError("a weekly schedule needs one or more weekdays 0-6")
    if frequency == MONTHLY and (day_of_month is None or not 1 <= day_of_month <= 31):
        raise ScheduleError("a monthly schedule needs a day of the month 1-31")


def next_due(*, after: datetime, tz: ZoneInfo, at: time, frequency: str, weekdays: Iterable[int] = (),
             day_of_month: int | None = None) -> datetime:
    """The first due instant (UTC) strictly after ``after`` (an aware datetime)."""
    if after.tzinfo is None:
        raise ScheduleError("after must be an aware datetime")
    days = tuple(weekdays)
    validate(frequency=frequency, weekdays=days, day_of_month=day_of_month)
    # Start a day early: near midnight the local day of ``after`` may differ from the due day's.
    day = after.astimezone(tz).date() - timedelta(days=1)
    for _ in range(MAX_DAYS_AHEAD):
        if runs_on(day, frequency=frequency, weekdays=days, day_of_month=day_of_month):
            instant = local_to_utc(day, at, tz)
            if instant > after:
                return instant
        day += timedelta(days=1)
    raise ScheduleError("no due time within a year")  # unreachable for a valid schedule


def next_every(*, after: datetime, every: timedelta) -> datetime:
    """For fixed-interval platform jobs: the next multiple of ``every`` since the Unix epoch (UTC)
    strictly after ``after``. Aligned times keep a job on the same minute whatever second the
    scheduler's tick happens to fire at."""
    step = int(every.total_seconds() * 1_000_000)
    if step <= 0:
        raise ScheduleError("every must be positive")
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    elapsed = (after - epoch) // timedelta(microseconds=1)
    return epoch + timedelta(microseconds=(elapsed // step + 1) * step)


def current_every(*, now: datetime, every: timedelta) -> datetime:
    """The aligned due time at or before ``now`` (a new job is due at once)."""
    return next_every(after=now, every=every) - every
