"""Journal insights from plain facts: entries per week, the mood trend, common tags, streaks.

The selectors read the facts the viewer may see (for a client all their entries, for the coach the
shared ones only) and hand them here as (day in the reader's zone, mood, tags). No Django: this module
is pure and property-tested.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Fact:
    day: date
    mood: int | None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Week:
    start: date  # a Monday
    entries: int
    mood_average: float | None  # over the entries with a mood; None when none had one


@dataclass(frozen=True)
class Insights:
    total: int
    weeks: tuple[Week, ...]  # oldest first, every week of the span (empty weeks too)
    common_tags: tuple[tuple[str, int], ...]  # most used first, then by name
    longest_streak: int  # most days in a row with at least one entry
    current_streak: int  # days in a row up to today (or yesterday: today may still come)
    this_week: int  # entries in today's week


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def longest_streak(days: Iterable[date]) -> int:
    ordered = sorted(set(days))
    best = run = 0
    previous: date | None = None
    for day in ordered:
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best


def current_streak(days: Iterable[date], today: date) -> int:
    present = set(days)
    day = today if today in present else today - timedelta(days=1)
    run = 0
    while day in present:
        run += 1
        day -= timedelta(days=1)
    return run


def summarize(facts: Sequence[Fact], *, today: date, weeks: int = 12, top_tags: int = 5) -> Insights:
    """Insights over ``facts``; ``weeks``: how many weeks (ending with today's) the per-week series holds."""
    first = week_start(today) - timedelta(weeks=max(weeks, 1) - 1)
    per_week: dict[date, list[Fact]] = {first + timedelta(weeks=n): [] for n in range(max(weeks, 1))}
    tags: Counter[str] = Counter()
    for fact in facts:
        start = week_start(fact.day)
        if start in per_week:
            per_week[start].append(fact)
        tags.update(set(fact.tags))
    series = []
    for start, rows in per_week.items():
        moods = [f.mood for f in rows if f.mood is not None]
        series.append(Week(start=start, entries=len(rows),
                           mood_average=round(sum(moods) / len(moods), 2) if moods else None))
    days = [f.day for f in facts]
    common = tuple(sorted(tags.items(), key=lambda item: (-item[1], item[0].casefold()))[:top_tags])
    return Insights(
        total=len(facts), weeks=tuple(series), common_tags=common, longest_streak=longest_streak(days),
        current_streak=current_streak(days, today),
        this_week=sum(1 for f in facts if week_start(f.day) == week_start(today)),
    )
