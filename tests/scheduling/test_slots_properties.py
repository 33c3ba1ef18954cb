"""Properties of the pure slot engine (no database), checked against a brute-force oracle.

The oracle restates the engine's documented rules (half-open UTC intervals, the template
expanded per local day with ``datetime.combine(day, wall, tzinfo=zone)``, buffers as zones
``[start - before, end + after)`` that may not overlap, step from each free window's start,
limits per local day and ISO week) one candidate at a time, with none of the engine's
shortcuts (no bisecting, no saturation sweep; windows of a room are joined minute by minute).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coachos.scheduling import slots as engine
from coachos.scheduling.slots import GROUP, INDIVIDUAL, Interval, SlotQuery, WeeklyRange, Window

ZONES = [
    "America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "America/Chicago", "UTC",
    "Pacific/Chatham",
]
# Days with a DST change in one of the zones above (2025 and 2026), so that many examples cross one.
CHANGE_DAYS = [
    date(2025, 3, 9), date(2025, 11, 2), date(2025, 3, 30), date(2025, 10, 26), date(2025, 4, 6),
    date(2025, 10, 5), date(2025, 9, 28), date(2026, 3, 8), date(2026, 11, 1), date(2026, 3, 29),
    date(2026, 10, 25), date(2026, 4, 5), date(2026, 10, 4), date(2026, 9, 27),
]
ROOMS = (1, 2)
GRID = timedelta(minutes=5)  # every boundary in these examples lies on it (offsets too)

PROPERTY_SETTINGS = settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- strategies ---------------------------------------------------------------------------------

def _minutes(lo: int, hi: int, multiple: int = 5) -> st.SearchStrategy[int]:
    return st.integers(lo // multiple, hi // multiple).map(lambda n: n * multiple)


@st.composite
def weekly_ranges(draw: st.DrawFn) -> list[WeeklyRange]:
    ranges = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(_minutes(0, 23 * 60, 15))
        end = draw(st.integers(start // 15 + 1, 24 * 4 - 1).map(lambda n: n * 15))
        ranges.append(WeeklyRange(
            weekday=draw(st.integers(0, 6)),
            start_time=time(start // 60, start % 60),
            end_time=time(end // 60, end % 60) if end < 24 * 60 else time(23, 59),
            individual=draw(st.booleans()),
            group=draw(st.booleans()),
            room=draw(st.sampled_from([None, *ROOMS])),
        ))
    return ranges


@st.composite
def intervals(draw: st.DrawFn, base: datetime, span_minutes: int, max_size: int, longest: int) -> list[Interval]:
    found = []
    for _ in range(draw(st.integers(0, max_size))):
        start = base + timedelta(minutes=draw(_minutes(0, span_minutes)))
        found.append(Interval(start, start + timedelta(minutes=draw(_minutes(5, longest)))))
    return found


@st.composite
def queries(draw: st.DrawFn) -> SlotQuery:
    tz = ZoneInfo(draw(st.sampled_from(ZONES)))
    first_day = draw(st.one_of(
        st.tuples(st.sampled_from(CHANGE_DAYS), st.integers(0, 2)).map(lambda t: t[0] - timedelta(days=t[1])),
        st.dates(date(2024, 1, 1), date(2027, 12, 31)),
    ))
    last_day = first_day + timedelta(days=draw(st.integers(0, 3)))
    # Everything happens from the day before the first day to the day after the last one.
    base = datetime.combine(first_day - timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    span = ((last_day - first_day).days + 3) * 24 * 60
    additions = [
        Window(i, draw(st.sampled_from([None, *ROOMS])), draw(st.booleans()), draw(st.booleans()))
        for i in draw(intervals(base, span, 3, 600))
    ]
    room_busy = {room: draw(intervals(base, span, 4, 180)) for room in draw(st.sets(st.sampled_from(ROOMS)))}
    return SlotQuery(
        tz=tz,
        first_day=first_day,
        last_day=last_day,
        duration=timedelta(minutes=draw(st.sampled_from([15, 30, 45, 50, 60, 90, 120]))),
        now=base + timedelta(minutes=draw(_minutes(0, span // 2, 1))),
        step=timedelta(minutes=draw(st.sampled_from([5, 10, 15, 20, 30, 45, 60, 90]))),
        buffer_before=timedelta(minutes=draw(st.sampled_from([0, 0, 5, 15, 30]))),
        buffer_after=timedelta(minutes=draw(st.sampled_from([0, 0, 10, 15, 45]))),
        min_notice=timedelta(minutes=draw(st.sampled_from([0, 0, 30, 120, 24 * 60]))),
        horizon=timedelta(minutes=draw(st.sampled_from([12 * 60, 2 * 24 * 60, 60 * 24 * 60]))),
        weekly=draw(weekly_ranges()),
        additions=additions,
        blocked=draw(intervals(base, span, 4, 240)),
        busy=draw(intervals(base, span, 6, 120)),
        holds=draw(intervals(base, span, 3, 90)),
        room_busy=room_busy,
        room_capacity={room: draw(st.integers(1, 3)) for room in room_busy},
        max_per_day=draw(st.one_of(st.none(), st.integers(1, 4))),
        max_per_week=draw(st.one_of(st.none(), st.integers(1, 8))),
        kind=draw(st.sampled_from([INDIVIDUAL, GROUP])),
    )


# --- the oracle ---------------------------------------------------------------------------------

def _utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, wall.hour, wall.minute, tzinfo=tz).astimezone(UTC)


def raw_windows(query: SlotQuery) -> list[tuple[datetime, datetime, int | None]]:
    """Template ranges per local day plus additions, of the query's kind, before blocking."""
    group = query.kind == GROUP
    found = []
    day = query.first_day - timedelta(days=1)
    while day <= query.last_day + timedelta(days=1):
        for rng in query.weekly:
            if rng.weekday == day.weekday() and (rng.group if group else rng.individual):
                start, end = _utc(day, rng.start_time, query.tz), _utc(day, rng.end_time, query.tz)
                if end > start:
                    found.append((start, end, rng.room))
        day += timedelta(days=1)
    for addition in query.additions:
        if addition.group if group else addition.individual:
            found.append((addition.interval.start, addition.interval.end, addition.room))
    return found


def free_pieces(query: SlotQuery) -> list[tuple[datetime, datetime, int | None]]:
    """Per room, the union of its raw windows (touching or overlapping windows are one stretch)
    minus blocked time, five minutes at a time (slow and obviously right)."""
    covered: dict[int | None, set[datetime]] = {}
    for start, end, room in raw_windows(query):
        t = start
        while t < end:
            covered.setdefault(room, set()).add(t)
            t += GRID
    pieces = []
    for room, minutes in covered.items():
        free = sorted(t for t in minutes if not any(b.start <= t < b.end for b in query.blocked))
        piece_start = None
        for index, t in enumerate(free):
            if piece_start is None:
                piece_start = t
            if index + 1 == len(free) or free[index + 1] != t + GRID:
                pieces.append((piece_start, t + GRID, room))
                piece_start = None
    return pieces


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def _zone_clash(query: SlotQuery, start: datetime, end: datetime, others: Sequence[Interval]) -> bool:
    before, after = query.buffer_before, query.buffer_after
    return any(_overlap(start - before, end + after, o.start - before, o.end + after) for o in others)


def _room_depth(busy: Sequence[Interval], start: datetime, end: datetime) -> int:
    """The most room sessions in progress at any instant of [start, end)."""
    instants = {start, *(b.start for b in busy if start <= b.start < end)}
    return max(sum(1 for b in busy if b.start <= t < b.end) for t in instants)


def _week(day: date) -> tuple[int, int]:
    return day.isocalendar()[0], day.isocalendar()[1]


def day_count(query: SlotQuery, day: date) -> int:
    return sum(1 for b in query.busy if b.start.astimezone(query.tz).date() == day)


def week_count(query: SlotQuery, day: date) -> int:
    return sum(1 for b in query.busy if _week(b.start.astimezone(query.tz).date()) == _week(day))


def bookable(query: SlotQuery, start: datetime, room: int | None) -> bool:
    end = start + query.duration
    local_day = start.astimezone(query.tz).date()
    if not query.first_day <= local_day <= query.last_day:
        return False
    if start < query.now + query.min_notice or start > query.now + query.horizon:
        return False
    if _zone_clash(query, start, end, query.busy) or _zone_clash(query, start, end, query.holds):
        return False
    if room in query.room_busy and _room_depth(query.room_busy[room], start, end) >= query.room_capacity.get(room, 1):
        return False
    if query.max_per_day is not None and day_count(query, local_day) >= query.max_per_day:
        return False
    return not (query.max_per_week is not None and week_count(query, local_day) >= query.max_per_week)


def oracle_starts(query: SlotQuery) -> set[datetime]:
    starts = set()
    for piece_start, piece_end, room in free_pieces(query):
        start = piece_start
        while start + query.duration <= piece_end:
            if bookable(query, start, room):
                starts.add(start)
            start += query.step
    return starts


# --- properties ---------------------------------------------------------------------------------

@PROPERTY_SETTINGS
@given(queries())
def test_results_are_sorted_unique_and_exactly_duration_long(query: SlotQuery) -> None:
    found = engine.compute_slots(query)
    starts = [s.start for s in found]
    assert starts == sorted(set(starts))
    for slot in found:
        assert slot.start.utcoffset() == timedelta(0)
        assert slot.end.astimezone(UTC) - slot.start.astimezone(UTC) == query.duration


@PROPERTY_SETTINGS
@given(queries())
def test_no_slot_outside_availability(query: SlotQuery) -> None:
    """Every minute of each slot lies inside a template range or an addition of its room and
    kind (it may straddle two that touch), and it touches no blocked time."""
    windows = raw_windows(query)
    for slot in engine.compute_slots(query):
        t = slot.start
        while t < slot.end:
            assert any(s <= t < e and room == slot.room for s, e, room in windows), (slot, t)
            t += GRID
        assert not any(_overlap(slot.start, slot.end, b.start, b.end) for b in query.blocked), slot


@PROPERTY_SETTINGS
@given(queries())
def test_slots_are_on_the_step_from_their_free_windows_start(query: SlotQuery) -> None:
    pieces = free_pieces(query)
    for slot in engine.compute_slots(query):
        assert any(
            s <= slot.start and slot.end <= e and room == slot.room and (slot.start - s) % query.step == timedelta(0)
            for s, e, room in pieces
        ), slot


@PROPERTY_SETTINGS
@given(queries())
def test_no_slot_overlaps_a_session_or_a_hold_with_buffers(query: SlotQuery) -> None:
    for slot in engine.compute_slots(query):
        assert not _zone_clash(query, slot.start, slot.end, query.busy), slot
        assert not _zone_clash(query, slot.start, slot.end, query.holds), slot
        # The plain form of the same promise: the gap to each session is at least the buffers.
        for busy in query.busy:
            assert busy.end + query.buffer_after + query.buffer_before <= slot.start or \
                slot.end + query.buffer_after + query.buffer_before <= busy.start


@PROPERTY_SETTINGS
@given(queries())
def test_starts_respect_notice_horizon_and_requested_local_days(query: SlotQuery) -> None:
    for slot in engine.compute_slots(query):
        assert slot.start >= query.now + query.min_notice
        assert slot.start <= query.now + query.horizon
        assert query.first_day <= slot.start.astimezone(query.tz).date() <= query.last_day


@PROPERTY_SETTINGS
@given(queries())
def test_booking_any_offered_slot_keeps_day_and_week_within_limits(query: SlotQuery) -> None:
    for slot in engine.compute_slots(query):
        local_day = slot.start.astimezone(query.tz).date()
        if query.max_per_day is not None:
            assert day_count(query, local_day) + 1 <= query.max_per_day
        if query.max_per_week is not None:
            assert week_count(query, local_day) + 1 <= query.max_per_week


@PROPERTY_SETTINGS
@given(queries())
def test_a_room_is_never_booked_past_its_capacity(query: SlotQuery) -> None:
    for slot in engine.compute_slots(query):
        if slot.room in query.room_busy:
            depth = _room_depth([*query.room_busy[slot.room], Interval(slot.start, slot.end)], slot.start, slot.end)
            assert depth <= query.room_capacity.get(slot.room, 1)


@settings(PROPERTY_SETTINGS, max_examples=150)
@given(queries())
def test_every_bookable_start_is_offered(query: SlotQuery) -> None:
    """Nothing is lost: the engine offers exactly the stepped starts the oracle finds bookable."""
    assert {s.start for s in engine.compute_slots(query)} == oracle_starts(query)


@PROPERTY_SETTINGS
@given(queries(), st.data())
def test_check_start_agrees_with_the_oracle_on_any_start(query: SlotQuery, data: st.DataObject) -> None:
    """Offered starts pass check_start; any start, on the step or not, passes exactly when some
    free window holds the whole slot and the slot is bookable with that window's room."""
    found = engine.compute_slots(query)
    if found:
        slot = data.draw(st.sampled_from(found))
        problem, room = engine.check_start(query, slot.start)
        assert problem is None
        assert bookable(query, slot.start, room)
    pieces = free_pieces(query)
    base = datetime.combine(query.first_day - timedelta(days=1), time(0), tzinfo=query.tz).astimezone(UTC)
    for offset in data.draw(st.lists(_minutes(0, ((query.last_day - query.first_day).days + 3) * 24 * 60), max_size=8)):
        start = base + timedelta(minutes=offset)
        end = start + query.duration
        expected = any(s <= start and end <= e and bookable(query, start, room) for s, e, room in pieces)
        problem, _room = engine.check_start(query, start)
        assert (problem is None) == expected, (start, problem)
        if not any(s <= start and end <= e for s, e, _r in pieces):
            assert problem == engine.UNAVAILABLE


@PROPERTY_SETTINGS
@given(queries())
def test_the_free_windows_are_the_oracles(query: SlotQuery) -> None:
    """windows_for = template ∪ additions − blocked (compared five minutes at a time, per room), and
    no two windows of a room touch or overlap (they were merged before slots were cut)."""
    def covered(pieces: Sequence[tuple[datetime, datetime, int | None]]) -> set[tuple[datetime, int | None]]:
        minutes = set()
        for start, end, room in pieces:
            t = start
            while t < end:
                minutes.add((t, room))
                t += GRID
        return minutes

    windows = engine.windows_for(query)
    engine_pieces = [(w.interval.start, w.interval.end, w.room) for w in windows]
    assert covered(engine_pieces) == covered(free_pieces(query))
    for room in {w.room for w in windows}:
        own = sorted(w.interval for w in windows if w.room == room)
        assert all(a.end < b.start for a, b in zip(own, own[1:], strict=False)), own


@PROPERTY_SETTINGS
@given(
    st.sampled_from(ZONES),
    st.one_of(st.sampled_from(CHANGE_DAYS), st.dates(date(2024, 1, 1), date(2027, 12, 31))),
    _minutes(60, 22 * 60, 15),
    st.sampled_from([45, 60, 90]),  # longer than the step: some start on the step straddles T
    st.sampled_from([5, 15, 30]),
    st.sampled_from([None, *ROOMS]),
    st.booleans(),
)
def test_a_slot_straddles_the_end_of_the_hours_and_an_addition_that_touches_it(
    zone: str, day: date, end_minutes: int, duration: int, step: int, room: int | None, overlapping: bool,
) -> None:
    """Hours until T and extra time from T (or from before T) are one stretch: a slot that starts
    before T and ends after it is offered, as for hours 06:00–20:00 plus 20:00–22:00 at 19:30."""
    tz = ZoneInfo(zone)
    end = time(end_minutes // 60, end_minutes % 60)
    boundary = _utc(day, end, tz)
    addition_start = boundary - timedelta(minutes=30) if overlapping else boundary
    q = SlotQuery(
        tz=tz, first_day=day, last_day=day, duration=timedelta(minutes=duration), step=timedelta(minutes=step),
        now=boundary - timedelta(days=3), horizon=timedelta(days=10),
        weekly=[WeeklyRange(day.weekday(), time(0), end, room=room)],
        additions=[Window(Interval(addition_start, boundary + timedelta(hours=2)), room)],
    )
    windows = engine.windows_for(q)
    straddling = [s.start for s in engine.compute_slots(q) if s.start < boundary < s.end]
    assert straddling, [(w.interval.start, w.interval.end) for w in windows]
    assert {s.start for s in engine.compute_slots(q)} == oracle_starts(q)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(_minutes(0, 600), _minutes(5, 180)), max_size=8),
    st.integers(1, 4),
)
def test_saturated_is_where_the_room_is_full(raw: list[tuple[int, int]], capacity: int) -> None:
    base = datetime(2025, 3, 9, tzinfo=UTC)
    busy = [Interval(base + timedelta(minutes=s), base + timedelta(minutes=s + d)) for s, d in raw]
    full = engine.saturated(busy, capacity)
    for t in (base + timedelta(minutes=m) for m in range(0, 800, 5)):
        depth = sum(1 for b in busy if b.start <= t < b.end)
        assert any(f.start <= t < f.end for f in full) == (depth >= capacity), t
    assert full == engine.merge(full)  # sorted, disjoint, not touching


@settings(max_examples=50, deadline=None)
@given(queries())
def test_the_result_does_not_depend_on_the_order_of_the_inputs(query: SlotQuery) -> None:
    shuffled = replace(
        query, weekly=list(reversed(query.weekly)), additions=list(reversed(query.additions)),
        blocked=list(reversed(query.blocked)), busy=list(reversed(query.busy)), holds=list(reversed(query.holds)),
    )
    assert [s.start for s in engine.compute_slots(shuffled)] == [s.start for s in engine.compute_slots(query)]
