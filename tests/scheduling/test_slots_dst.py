"""The slot engine on days with a DST change: 23- and 25-hour days, and Lord Howe's half hour."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachos.scheduling import slots as engine
from coachos.scheduling.slots import Interval, SlotQuery, WeeklyRange


@dataclass(frozen=True)
class Change:
    zone: str
    day: date
    hours: float
    """How long the local day is."""
    gap: tuple[time, time] | None
    """Wall-clock times that do not exist that day (spring forward)."""
    repeated: tuple[time, time] | None
    """Wall-clock times that happen twice that day (fall back)."""

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


CHANGES = [
    Change("America/New_York", date(2025, 3, 9), 23, (time(2), time(3)), None),  # second Sunday of March
    Change("America/New_York", date(2025, 11, 2), 25, None, (time(1), time(2))),  # first Sunday of November
    Change("Europe/London", date(2025, 3, 30), 23, (time(1), time(2)), None),  # last Sunday of March
    Change("Europe/London", date(2025, 10, 26), 25, None, (time(1), time(2))),  # last Sunday of October
    Change("Australia/Lord_Howe", date(2025, 4, 6), 24.5, None, (time(1, 30), time(2))),  # first Sunday of April
    Change("Australia/Lord_Howe", date(2025, 10, 5), 23.5, (time(2), time(2, 30)), None),  # first Sunday of October
]
IDS = [f"{c.zone}-{c.day}" for c in CHANGES]


def _every_day(start: time, end: time, **kwargs: object) -> list[WeeklyRange]:
    return [WeeklyRange(weekday, start, end, **kwargs) for weekday in range(7)]  # type: ignore[arg-type]


def _query(change: Change, weekly: list[WeeklyRange], *, first_day: date | None = None, last_day: date | None = None,
           duration: int = 60, step: int = 30, **kwargs: object) -> SlotQuery:
    first_day = first_day or change.day
    return SlotQuery(
        tz=change.tz, first_day=first_day, last_day=last_day or first_day,
        duration=timedelta(minutes=duration), step=timedelta(minutes=step),
        now=datetime(2025, 1, 1, tzinfo=UTC), horizon=timedelta(days=400), weekly=weekly, **kwargs,  # type: ignore[arg-type]
    )


def _wall(instant: datetime, tz: ZoneInfo) -> time:
    return instant.astimezone(tz).time()


def test_the_calendar_facts_the_cases_rest_on():
    for change in CHANGES:
        midnight = datetime.combine(change.day, time(0), tzinfo=change.tz).astimezone(UTC)
        next_midnight = datetime.combine(change.day + timedelta(days=1), time(0), tzinfo=change.tz).astimezone(UTC)
        assert next_midnight - midnight == timedelta(hours=change.hours), change


@pytest.mark.parametrize("change", CHANGES, ids=IDS)
def test_every_start_exists_locally_and_every_slot_lasts_its_length(change: Change):
    query = _query(change, _every_day(time(0), time(23, 45)), first_day=change.day - timedelta(days=1),
                   last_day=change.day + timedelta(days=1), duration=45, step=15)
    found = engine.compute_slots(query)
    assert len(found) > 200
    for slot in found:
        local = slot.start.astimezone(change.tz)
        # Local wall time back to UTC gives the same instant: the local start exists (and with
        # its fold, a repeated time names the right one of its two instants).
        back = datetime.combine(local.date(), local.time(), tzinfo=change.tz).replace(fold=local.fold)
        assert back.astimezone(UTC) == slot.start
        assert slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == timedelta(minutes=45)
        if change.gap and local.date() == change.day:
            assert not change.gap[0] <= local.time() < change.gap[1], local


@pytest.mark.parametrize("change", CHANGES, ids=IDS)
def test_the_morning_template_gives_nine_oclock_on_both_sides_of_the_change(change: Change):
    days = [change.day - timedelta(days=1), change.day, change.day + timedelta(days=1)]
    found = engine.compute_slots(_query(change, _every_day(time(9), time(12)), first_day=days[0], last_day=days[-1]))
    by_day: dict[date, list[time]] = {}
    for slot in found:
        by_day.setdefault(slot.start.astimezone(change.tz).date(), []).append(_wall(slot.start, change.tz))
    expected = [time(9), time(9, 30), time(10), time(10, 30), time(11)]
    assert by_day == {day: expected for day in days}
    offsets = {day: datetime.combine(day, time(9), tzinfo=change.tz).utcoffset() for day in days}
    assert offsets[days[0]] != offsets[days[2]]  # the change really lies between them


@pytest.mark.parametrize(
    ("change", "expected"),
    # A 00:00–06:00 template with 30-minute slots every 30 minutes: 12 on an ordinary night.
    list(zip(CHANGES, [10, 14, 10, 14, 13, 11], strict=True)), ids=IDS,
)
def test_a_night_template_follows_the_length_of_the_day(change: Change, expected: int):
    weekly = _every_day(time(0), time(6))
    ordinary = engine.compute_slots(_query(change, weekly, first_day=change.day - timedelta(days=7), duration=30))
    changed = engine.compute_slots(_query(change, weekly, duration=30))
    assert len(ordinary) == 12
    assert len(changed) == expected
    # Back to back in real time, from local midnight to 06:00 local.
    assert all(b.start == a.end for a, b in zip(changed, changed[1:], strict=False))
    assert _wall(changed[0].start, change.tz) == time(0)
    assert _wall(changed[-1].end, change.tz) == time(6)


@pytest.mark.parametrize("change", [c for c in CHANGES if c.repeated], ids=[i for c, i in zip(CHANGES, IDS, strict=True)
                                                                            if c.repeated])
def test_a_repeated_wall_time_is_offered_twice(change: Change):
    assert change.repeated is not None
    found = engine.compute_slots(_query(change, _every_day(time(0), time(6)), duration=30))
    repeated = [s for s in found if _wall(s.start, change.tz) == change.repeated[0]]
    assert len(repeated) == 2
    assert repeated[1].start - repeated[0].start == repeated[0].start.astimezone(change.tz).utcoffset() - \
        repeated[1].start.astimezone(change.tz).utcoffset()


@pytest.mark.parametrize("change", [c for c in CHANGES if c.repeated], ids=[i for c, i in zip(CHANGES, IDS, strict=True)
                                                                            if c.repeated])
def test_a_template_starting_at_a_repeated_time_starts_at_its_first_occurrence(change: Change):
    assert change.repeated is not None
    found = engine.compute_slots(_query(change, _every_day(change.repeated[0], time(4)), duration=30))
    first = datetime.combine(change.day, change.repeated[0], tzinfo=change.tz)  # fold=0: the first one
    assert found[0].start == first.astimezone(UTC)
    assert found[0].start.astimezone(change.tz).fold == 0
    assert any(s.start.astimezone(change.tz).fold == 1 for s in found)


@pytest.mark.parametrize("change", [c for c in CHANGES if c.gap], ids=[i for c, i in zip(CHANGES, IDS, strict=True)
                                                                      if c.gap])
def test_a_template_starting_in_the_gap_starts_as_far_after_the_change(change: Change):
    """02:00–04:00 on a spring-forward night in New York is 03:00–04:00 EDT: the range's start
    moves forward by the skipped time; its end stays."""
    assert change.gap is not None
    weekly = _every_day(change.gap[0], time(4))
    found = engine.compute_slots(_query(change, weekly, duration=30, step=30))
    skipped = datetime.combine(change.day, change.gap[1]) - datetime.combine(change.day, change.gap[0])
    assert _wall(found[0].start, change.tz) == (datetime.combine(change.day, change.gap[0]) + skipped).time()
    assert _wall(found[-1].end, change.tz) == time(4)
    ordinary = engine.compute_slots(_query(change, weekly, first_day=change.day + timedelta(days=7), duration=30))
    assert (found[-1].end - found[0].start) == (ordinary[-1].end - ordinary[0].start) - skipped


@pytest.mark.parametrize("change", CHANGES, ids=IDS)
def test_check_start_on_the_change_day(change: Change):
    query = _query(change, _every_day(time(0), time(6)), duration=60)
    midnight = datetime.combine(change.day, time(0), tzinfo=change.tz).astimezone(UTC)
    six = datetime.combine(change.day, time(6), tzinfo=change.tz).astimezone(UTC)
    # Every real half hour from local midnight fits as long as the hour ends by 06:00 local.
    start = midnight
    while start + timedelta(hours=1) <= six:
        assert engine.check_start(query, start) == (None, None), start.astimezone(change.tz)
        start += timedelta(minutes=30)
    assert engine.check_start(query, six - timedelta(minutes=59))[0] == engine.UNAVAILABLE
    assert engine.check_start(query, midnight + timedelta(minutes=7)) == (None, None)  # off the step is fine
    day_before = datetime.combine(change.day - timedelta(days=1), time(1), tzinfo=change.tz).astimezone(UTC)
    assert engine.check_start(query, day_before)[0] == engine.NOTICE  # in the template, before the asked day
    # The last hour that fits ends exactly at 06:00 local, whatever the day's length.
    assert engine.check_start(query, six - timedelta(hours=1)) == (None, None)
    assert engine.check_start(query, six - timedelta(minutes=30))[0] == engine.UNAVAILABLE
    # Sessions around the change: one an hour before the last start makes that start taken.
    busy = engine.SlotQuery(**{**query.__dict__, "busy": [Interval(six - timedelta(hours=2), six - timedelta(hours=1))]})
    assert engine.check_start(busy, six - timedelta(hours=1)) == (None, None)
    assert engine.check_start(busy, six - timedelta(minutes=90))[0] == engine.TAKEN


@pytest.mark.parametrize("change", CHANGES, ids=IDS)
def test_a_session_filling_the_whole_night_fits_the_template_exactly(change: Change):
    weekly = _every_day(time(0), time(6))
    midnight = datetime.combine(change.day, time(0), tzinfo=change.tz).astimezone(UTC)
    night = timedelta(hours=change.hours - 18)  # the real length of 00:00–06:00 local that day
    assert engine.fits_template(Interval(midnight, midnight + night), tz=change.tz, weekly=weekly, additions=[])
    assert not engine.fits_template(Interval(midnight, midnight + night + timedelta(minutes=15)), tz=change.tz,
                                    weekly=weekly, additions=[])
    # A session of six real hours fits only where the night has at least six.
    assert engine.fits_template(Interval(midnight, midnight + timedelta(hours=6)), tz=change.tz, weekly=weekly,
                                additions=[]) == (night >= timedelta(hours=6))


@pytest.mark.parametrize("change", CHANGES, ids=IDS)
def test_fits_template_keeps_the_wall_clock_on_the_change_day(change: Change):
    weekly = [WeeklyRange(change.day.weekday(), time(9), time(12))]
    nine = datetime.combine(change.day, time(9), tzinfo=change.tz).astimezone(UTC)
    assert engine.fits_template(Interval(nine, nine + timedelta(hours=3)), tz=change.tz, weekly=weekly, additions=[])
    assert not engine.fits_template(Interval(nine - timedelta(minutes=30), nine + timedelta(minutes=30)),
                                    tz=change.tz, weekly=weekly, additions=[])
    # 09:00 local a week before is a different UTC time, and fits that day's template range.
    before = change.day - timedelta(days=7)
    earlier = datetime.combine(before, time(9), tzinfo=change.tz).astimezone(UTC)
    assert earlier.time() != nine.time() or change.zone == "UTC"
    assert engine.fits_template(Interval(earlier, earlier + timedelta(hours=1)), tz=change.tz,
                                weekly=[WeeklyRange(before.weekday(), time(9), time(12))], additions=[])
    # An addition covers a session outside the template.
    evening = nine + timedelta(hours=10)
    assert not engine.fits_template(Interval(evening, evening + timedelta(hours=1)), tz=change.tz, weekly=weekly,
                                    additions=[])
    assert engine.fits_template(Interval(evening, evening + timedelta(hours=1)), tz=change.tz, weekly=weekly,
                                additions=[Interval(evening, evening + timedelta(hours=2))])


@pytest.mark.parametrize("change", CHANGES, ids=IDS)
def test_limits_count_the_local_day_of_the_change(change: Change):
    """A session at 23:30 local the evening before counts for that day, not the change day."""
    weekly = _every_day(time(0), time(23, 59))
    evening = datetime.combine(change.day - timedelta(days=1), time(23, 30), tzinfo=change.tz).astimezone(UTC)
    morning = datetime.combine(change.day, time(8), tzinfo=change.tz).astimezone(UTC)
    query = _query(change, weekly, max_per_day=1, busy=[Interval(evening, evening + timedelta(minutes=30))])
    found = engine.compute_slots(query)
    assert found and {s.start.astimezone(change.tz).date() for s in found} == {change.day}
    full = engine.SlotQuery(**{**query.__dict__, "busy": [*query.busy, Interval(morning, morning + timedelta(hours=1))]})
    assert engine.compute_slots(full) == []
