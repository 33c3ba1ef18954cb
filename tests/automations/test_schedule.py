"""The pure due-time computation: DST, month ends, weekdays, strictly-after, aligned intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachos.automations import schedule

CHICAGO = ZoneInfo("America/Chicago")


def at(day: date, hour: int, minute: int = 0, tz: ZoneInfo = CHICAGO) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def dues(start: datetime, count: int, **kwargs) -> list[datetime]:
    found, after = [], start
    for _ in range(count):
        after = schedule.next_due(after=after, **kwargs)
        found.append(after)
    return found


def test_daily_nine_oclock_stays_nine_oclock_local_across_spring_forward():
    # DST starts in Chicago on Sunday 9 March 2025 (02:00 → 03:00).
    found = dues(at(date(2025, 3, 7), 12), 4, tz=CHICAGO, at=time(9), frequency="daily")
    assert [d.astimezone(CHICAGO).strftime("%a %d %H:%M") for d in found] == [
        "Sat 08 09:00", "Sun 09 09:00", "Mon 10 09:00", "Tue 11 09:00"]
    # …which is 15:00 UTC before the change and 14:00 UTC after it.
    assert [d.astimezone(UTC).hour for d in found] == [15, 14, 14, 14]


def test_daily_nine_oclock_stays_nine_oclock_local_across_fall_back():
    # DST ends in Chicago on Sunday 2 November 2025 (02:00 → 01:00).
    found = dues(at(date(2025, 10, 31), 12), 4, tz=CHICAGO, at=time(9), frequency="daily")
    assert [d.astimezone(CHICAGO).strftime("%a %d %H:%M") for d in found] == [
        "Sat 01 09:00", "Sun 02 09:00", "Mon 03 09:00", "Tue 04 09:00"]
    assert [d.astimezone(UTC).hour for d in found] == [14, 15, 15, 15]


def test_a_time_skipped_by_spring_forward_happens_just_after_the_gap():
    due = schedule.next_due(after=at(date(2025, 3, 8), 12), tz=CHICAGO, at=time(2, 30), frequency="daily")
    assert due.astimezone(CHICAGO) == at(date(2025, 3, 9), 3, 30)


def test_a_time_that_happens_twice_in_the_autumn_runs_once_at_the_first():
    first = schedule.next_due(after=at(date(2025, 11, 1), 12), tz=CHICAGO, at=time(1, 30), frequency="daily")
    assert first == datetime(2025, 11, 2, 6, 30, tzinfo=UTC)  # 01:30 CDT
    second = schedule.next_due(after=first, tz=CHICAGO, at=time(1, 30), frequency="daily")
    assert second.astimezone(CHICAGO).date() == date(2025, 11, 3)  # not 01:30 CST the same night


def test_monthly_on_the_31st_runs_on_the_last_day_of_shorter_months():
    found = dues(at(date(2025, 1, 1), 0), 6, tz=CHICAGO, at=time(9), frequency="monthly", day_of_month=31)
    assert [d.astimezone(CHICAGO).date() for d in found] == [
        date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30), date(2025, 5, 31),
        date(2025, 6, 30)]


def test_monthly_on_the_30th_in_a_leap_february():
    found = dues(at(date(2024, 2, 1), 0), 2, tz=CHICAGO, at=time(9), frequency="monthly", day_of_month=30)
    assert [d.astimezone(CHICAGO).date() for d in found] == [date(2024, 2, 29), date(2024, 3, 30)]


def test_weekly_on_chosen_days_only():
    # Monday 2 June 2025; Mondays and Thursdays at 18:15.
    found = dues(at(date(2025, 6, 2), 0), 5, tz=CHICAGO, at=time(18, 15), frequency="weekly", weekdays=[0, 3])
    assert [d.astimezone(CHICAGO).strftime("%a %d %H:%M") for d in found] == [
        "Mon 02 18:15", "Thu 05 18:15", "Mon 09 18:15", "Thu 12 18:15", "Mon 16 18:15"]


def test_the_next_due_time_is_strictly_after_the_one_just_claimed():
    due = at(date(2025, 6, 2), 9)
    assert schedule.next_due(after=due, tz=CHICAGO, at=time(9), frequency="daily") == due + timedelta(days=1)
    assert schedule.next_due(after=due - timedelta(microseconds=1), tz=CHICAGO, at=time(9),
                             frequency="daily") == due


def test_bad_schedules_are_refused():
    with pytest.raises(schedule.ScheduleError):
        schedule.next_due(after=datetime(2025, 1, 1, tzinfo=UTC), tz=CHICAGO, at=time(9), frequency="weekly")
    with pytest.raises(schedule.ScheduleError):
        schedule.next_due(after=datetime(2025, 1, 1), tz=CHICAGO, at=time(9), frequency="daily")
    with pytest.raises(schedule.ScheduleError):
        schedule.validate(frequency="monthly", day_of_month=32)


def test_fixed_interval_jobs_are_aligned_whatever_second_the_tick_fires():
    every = timedelta(minutes=1)
    assert schedule.next_every(after=datetime(2025, 1, 1, 12, 0, 59, 900000, tzinfo=UTC), every=every) == \
        datetime(2025, 1, 1, 12, 1, tzinfo=UTC)
    assert schedule.next_every(after=datetime(2025, 1, 1, 12, 1, tzinfo=UTC), every=every) == \
        datetime(2025, 1, 1, 12, 2, tzinfo=UTC)
    assert schedule.current_every(now=datetime(2025, 1, 1, 12, 1, 17, tzinfo=UTC), every=every) == \
        datetime(2025, 1, 1, 12, 1, tzinfo=UTC)
    assert schedule.next_every(after=datetime(2025, 1, 1, 13, 5, tzinfo=UTC), every=timedelta(hours=6)) == \
        datetime(2025, 1, 1, 18, 0, tzinfo=UTC)


ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "posix/", "right/")))


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    after=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)),
    hour=st.integers(0, 23), minute=st.sampled_from([0, 15, 30, 45]),
    kind=st.sampled_from(["daily", "weekly", "monthly"]),
    weekdays=st.sets(st.integers(0, 6), min_size=1), day_of_month=st.integers(1, 31),
)
def test_next_due_is_after_on_a_due_day_and_none_is_skipped(zone, after, hour, minute, kind, weekdays, day_of_month):
    tz = ZoneInfo(zone)
    kwargs = {"tz": tz, "at": time(hour, minute), "frequency": kind, "weekdays": sorted(weekdays),
              "day_of_month": day_of_month}
    due = schedule.next_due(after=after, **kwargs)
    assert due > after
    day = due.astimezone(tz).date()
    local = due.astimezone(tz).replace(tzinfo=None)
    assert schedule.runs_on(day, frequency=kind, weekdays=weekdays, day_of_month=day_of_month) or \
        schedule.runs_on(day - timedelta(days=1), frequency=kind, weekdays=weekdays, day_of_month=day_of_month)
    # The wall-clock time is kept, unless a DST gap skipped it (then it is within the gap's length after).
    wanted = datetime.combine(local.date(), time(hour, minute))
    assert timedelta(0) <= local - wanted <= timedelta(hours=2) or local == wanted
    # No due day between ``after`` and ``due`` was skipped.
    check = after.astimezone(tz).date()
    while check < due.astimezone(tz).date():
        if schedule.runs_on(check, frequency=kind, weekdays=weekdays, day_of_month=day_of_month):
            assert schedule.local_to_utc(check, time(hour, minute), tz) <= after
        check += timedelta(days=1)
