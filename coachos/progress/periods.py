"""Periods of a task (an action item the coach assigns): which day or week a tick counts for, streaks,
and when a task is overdue. Pure Python: dates only, already in the business's zone.

- A one-off task has one period: its due date, or the day it was assigned when it has none. One tick
  does it.
- A daily task's period is the day; a weekly task's is the week (Monday to Sunday), named by its
  Monday. The first period is the one the task was assigned in; the last the one of its end (its
  due date, for a repeating task "until", or the day it was stopped), if any.
- The streak is the number of consecutive periods done, counted back from the current one — or from
  the previous one while the current one is not done yet: today's walk not yet ticked off at 9 am does
  not break a 10-day streak. A missed period does.
- Overdue: a one-off task whose due date has passed without a tick; a repeating task whose previous
  period (yesterday, last week) was missed. A repeating task is never overdue for today: the day is
  not over.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from enum import StrEnum


class Repeat(StrEnum):
    NONE = "none"
    DAILY = "daily"
    WEEKLY = "weekly"


def period_of(day: date, repeat: Repeat | str) -> date:
    """The period ``day`` falls in: the day itself (daily) or its week's Monday (weekly)."""
    if Repeat(repeat) == Repeat.WEEKLY:
        return day - timedelta(days=day.weekday())
    return day


def previous_period(period: date, repeat: Repeat | str) -> date:
    return period - timedelta(days=7 if Repeat(repeat) == Repeat.WEEKLY else 1)


def next_period(period: date, repeat: Repeat | str) -> date:
    return period + timedelta(days=7 if Repeat(repeat) == Repeat.WEEKLY else 1)


def one_off_period(*, due_date: date | None, start_date: date) -> date:
    """The single period of a one-off task."""
    return due_date if due_date is not None else start_date


def _bounds(repeat: Repeat | str, start_date: date, last_day: date | None) -> tuple[date, date | None]:
    return period_of(start_date, repeat), (period_of(last_day, repeat) if last_day is not None else None)


def streak(done: Collection[date], *, today: date, repeat: Repeat | str, start_date: date,
           last_day: date | None = None) -> int:
    """Consecutive periods done, up to the current one (or the previous one while the current one is
    open). 0 for a one-off task: a streak needs a repeat."""
    if Repeat(repeat) == Repeat.NONE:
        return 0
    first, last = _bounds(repeat, start_date, last_day)
    current = period_of(today, repeat)
    if last is not None and current > last:
        current = last
    period = current if current in done else previous_period(current, repeat)
    count = 0
    while period >= first and period in done:
        count += 1
        period = previous_period(period, repeat)
    return count


def overdue_period(done: Collection[date], *, today: date, repeat: Repeat | str, start_date: date,
                   due_date: date | None = None, last_day: date | None = None) -> date | None:
    """The missed period that makes the task overdue today, or None.

    ``due_date``: a one-off task's due date. ``last_day``: a repeating task's last day (its "until" date,
    or the day it was stopped)."""
    repeat = Repeat(repeat)
    if repeat == Repeat.NONE:
        if due_date is None or due_date >= today:
            return None
        period = one_off_period(due_date=due_date, start_date=start_date)
        return None if period in done else period
    first, last = _bounds(repeat, start_date, last_day)
    missed = previous_period(period_of(today, repeat), repeat)
    if missed < first or (last is not None and missed > last) or missed in done:
        return None
    return missed


def periods_between(start: date, end: date, *, repeat: Repeat | str, start_date: date,
                    due_date: date | None = None, last_day: date | None = None) -> list[date]:
    """The task's periods named by a date within [start, end] (both inclusive) — what was due then.
    A week counts when its Monday is in the range."""
    repeat = Repeat(repeat)
    if repeat == Repeat.NONE:
        period = one_off_period(due_date=due_date, start_date=start_date)
        return [period] if start <= period <= end else []
    first, last = _bounds(repeat, start_date, last_day)
    period = max(first, period_of(start, repeat))
    if period < start:
        period = next_period(period, repeat)
    stop = end if last is None else min(end, last)
    found = []
    while period <= stop:
        found.append(period)
        period = next_period(period, repeat)
    return found
