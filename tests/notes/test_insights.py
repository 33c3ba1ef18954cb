"""Journal insights from plain facts (pure): weeks, mood trend, tags, streaks."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from coachos.notes.insights import Fact, current_streak, longest_streak, summarize

TODAY = date(2025, 3, 13)  # a Thursday


def test_weeks_moods_tags_and_streaks() -> None:
    facts = [Fact(date(2025, 3, 10), 4, ("sleep", "work")), Fact(date(2025, 3, 11), 2, ("work",)),
             Fact(date(2025, 3, 12), None, ("work",)), Fact(date(2025, 3, 13), 5, ()),
             Fact(date(2025, 3, 3), 3, ("sleep",))]
    found = summarize(facts, today=TODAY, weeks=3)
    assert [(w.start, w.entries, w.mood_average) for w in found.weeks] == [
        (date(2025, 2, 24), 0, None), (date(2025, 3, 3), 1, 3.0), (date(2025, 3, 10), 4, 3.67)]
    assert found.total == 5 and found.this_week == 4
    assert found.common_tags == (("work", 3), ("sleep", 2))  # most used first, ties by name
    assert found.longest_streak == 4 and found.current_streak == 4


def test_today_without_an_entry_does_not_break_the_current_streak() -> None:
    days = [TODAY - timedelta(days=1), TODAY - timedelta(days=2)]
    assert current_streak(days, TODAY) == 2
    assert current_streak([TODAY - timedelta(days=2)], TODAY) == 0


@given(st.sets(st.integers(min_value=0, max_value=60)))
def test_longest_streak_is_the_longest_run_of_consecutive_days(offsets: set[int]) -> None:
    days = [TODAY - timedelta(days=n) for n in offsets]
    best = 0
    for start in offsets:
        run = 0
        while start - run in offsets:
            run += 1
        best = max(best, run)
    assert longest_streak(days) == best
    assert current_streak(days, TODAY) <= longest_streak(days)


@given(st.lists(st.tuples(st.integers(0, 200), st.one_of(st.none(), st.integers(1, 5))), max_size=60))
def test_weekly_counts_add_up_to_the_entries_in_the_span(rows: list[tuple[int, int | None]]) -> None:
    facts = [Fact(TODAY - timedelta(days=n), mood) for n, mood in rows]
    found = summarize(facts, today=TODAY, weeks=8)
    first = found.weeks[0].start
    assert sum(w.entries for w in found.weeks) == sum(1 for f in facts if f.day >= first)
    assert all(w.mood_average is None or 1 <= w.mood_average <= 5 for w in found.weeks)
