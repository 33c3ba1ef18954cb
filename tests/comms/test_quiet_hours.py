"""Quiet hours: a pure module, checked by example and by property across zones and times."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachos.comms.quiet_hours import is_quiet, next_allowed

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
ZONES = sorted(zoneinfo.available_timezones() - {"Factory", "localtime"})


def chicago(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=CHICAGO)


@pytest.mark.parametrize(("local", "quiet"), [
    (chicago(2026, 11, 24, 20, 59), False),
    (chicago(2026, 11, 24, 21, 0), True),
    (chicago(2026, 11, 24, 23, 30), True),
    (chicago(2026, 11, 25, 0, 0), True),
    (chicago(2026, 11, 25, 7, 59), True),
    (chicago(2026, 11, 25, 8, 0), False),
    (chicago(2026, 11, 25, 12, 0), False),
])
def test_window_that_wraps_midnight(local: datetime, quiet: bool) -> None:
    assert is_quiet(local.astimezone(UTC), CHICAGO, time(21), time(8)) is quiet


@pytest.mark.parametrize(("local", "quiet"), [
    (chicago(2026, 11, 24, 12, 59), False),
    (chicago(2026, 11, 24, 13, 0), True),
    (chicago(2026, 11, 24, 13, 59), True),
    (chicago(2026, 11, 24, 14, 0), False),
    (chicago(2026, 11, 24, 22, 0), False),  # the earlier product had this backwards
    (chicago(2026, 11, 24, 3, 0), False),
])
def test_window_that_does_not_wrap(local: datetime, quiet: bool) -> None:
    assert is_quiet(local.astimezone(UTC), CHICAGO, time(13), time(14)) is quiet


def test_compared_on_the_business_wall_clock_not_utc() -> None:
    # 22:00 in Chicago is 04:00 UTC the next day: quiet in Chicago, whatever UTC says.
    at = chicago(2026, 11, 24, 22, 0).astimezone(UTC)
    assert at.hour == 4
    assert is_quiet(at, CHICAGO, time(21), time(8))
    assert not is_quiet(at, zoneinfo.ZoneInfo("Asia/Tokyo"), time(21), time(8))  # 13:00 in Tokyo


def test_deferred_to_the_end_of_the_window() -> None:
    assert next_allowed(chicago(2026, 11, 24, 22, 15), CHICAGO, time(21), time(8)) == chicago(2026, 11, 25, 8)
    assert next_allowed(chicago(2026, 11, 25, 6, 30), CHICAGO, time(21), time(8)) == chicago(2026, 11, 25, 8)
    assert next_allowed(chicago(2026, 11, 24, 13, 20), CHICAGO, time(13), time(14)) == chicago(2026, 11, 24, 14)
    outside = chicago(2026, 11, 24, 15, 0)
    assert next_allowed(outside, CHICAGO, time(13), time(14)) == outside


def test_equal_start_and_end_means_no_quiet_hours() -> None:
    assert not is_quiet(chicago(2026, 11, 24, 3, 0), CHICAGO, time(8), time(8))


def test_end_inside_a_daylight_saving_gap() -> None:
    # New York springs forward at 02:00 → 03:00 on 2026-03-08: 02:30 never happens on the wall clock.
    ny = zoneinfo.ZoneInfo("America/New_York")
    at = datetime(2026, 3, 8, 1, 0, tzinfo=ny)
    result = next_allowed(at, ny, time(21), time(2, 30))
    assert result == datetime(2026, 3, 8, 3, 0, tzinfo=ny)  # the first instant after the jump
    assert not is_quiet(result, ny, time(21), time(2, 30))


def test_needs_an_aware_datetime() -> None:
    with pytest.raises(ValueError):
        is_quiet(datetime(2026, 1, 1, 12), CHICAGO, time(21), time(8))  # noqa: DTZ001


instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31),
                        timezones=st.just(UTC))
minute_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


@settings(max_examples=400, deadline=None)
@given(at=instants, zone=st.sampled_from(ZONES), start=minute_times, end=minute_times)
def test_nothing_is_sent_inside_the_window(at: datetime, zone: str, start: time, end: time) -> None:
    tz = zoneinfo.ZoneInfo(zone)
    result = next_allowed(at, tz, start, end)
    assert result >= at
    assert not is_quiet(result, tz, start, end)
    local = result.astimezone(tz).time()
    if start != end:
        if start < end:
            assert not (start <= local < end)
        else:
            assert not (local >= start or local < end)


@settings(max_examples=300, deadline=None)
@given(at=instants, zone=st.sampled_from(ZONES), start=minute_times, end=minute_times)
def test_deferral_is_not_longer_than_needed(at: datetime, zone: str, start: time, end: time) -> None:
    """Every minute between the due time and the deferred time is quiet: nothing earlier was allowed."""
    tz = zoneinfo.ZoneInfo(zone)
    result = next_allowed(at, tz, start, end)
    assert result - at <= timedelta(hours=26)
    probe = at
    step = timedelta(minutes=7)
    while probe + step < result:
        probe += step
        assert is_quiet(probe, tz, start, end)


@settings(max_examples=200, deadline=None)
@given(at=instants, zone=st.sampled_from(ZONES), start=minute_times, end=minute_times)
def test_wrapping_and_not_wrapping_are_complements(at: datetime, zone: str, start: time, end: time) -> None:
    """[start, end) and [end, start) split the day: exactly one holds (unless they're the same time)."""
    tz = zoneinfo.ZoneInfo(zone)
    if start == end:
        return
    assert is_quiet(at, tz, start, end) != is_quiet(at, tz, end, start)
