"""The slot engine: which start times a coach can be booked at. Pure Python, no Django.

Works on half-open UTC intervals. The weekly template is expanded day by day in the
business's zone; then additions are added, blocked time removed, and each candidate start
(every ``step`` of real time from the start of a free window) is kept if:

- the whole slot ``[start, start + duration)`` lies inside one free window;
- the slot with its own buffers does not overlap any busy interval with its buffers
  (so the gap between two sessions is at least ``buffer_after + buffer_before``);
- it is not held by someone else, its room is not full, it respects the minimum notice and
  the horizon, and the coach's day and week (local, Monday to Sunday) are under their limits.

Every computation is in real (UTC) time, so a slot lasts exactly its length even across a DST
change, and its local start always exists (it is a UTC instant shown in the zone).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

INDIVIDUAL = "individual"
GROUP = "group"


@dataclass(frozen=True, order=True)
class Interval:
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("Interval bounds must be timezone-aware.")

    def overlaps(self, other: Interval) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class WeeklyRange:
    """A range of the weekly template: ``weekday`` 0 = Monday; wall-clock times in the zone."""

    weekday: int
    start_time: time
    end_time: time
    individual: bool = True
    group: bool = False
    room: int | None = None


@dataclass(frozen=True)
class Window:
    """Free time in which sessions may start and end, optionally in a room."""

    interval: Interval
    room: int | None = None
    individual: bool = True
    group: bool = True


@dataclass(frozen=True)
class SlotQuery:
    tz: ZoneInfo
    first_day: date
    last_day: date
    duration: timedelta
    now: datetime
    step: timedelta = timedelta(minutes=30)
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    min_notice: timedelta = timedelta(0)
    horizon: timedelta = timedelta(days=60)
    weekly: Sequence[WeeklyRange] = ()
    additions: Sequence[Window] = ()
    blocked: Sequence[Interval] = ()
    busy: Sequence[Interval] = ()
    """The coach's active sessions (they count toward the limits)."""
    holds: Sequence[Interval] = ()
    """Other people's unexpired holds (busy, but not sessions)."""
    external: Sequence[Interval] = ()
    """Busy times in the coach's connected calendars (taken, with buffers; not sessions, so not counted)."""
    room_busy: Mapping[int, Sequence[Interval]] = field(default_factory=dict)
    room_capacity: Mapping[int, int] = field(default_factory=dict)
    max_per_day: int | None = None
    max_per_week: int | None = None
    kind: str = INDIVIDUAL


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime
    end: datetime
    room: int | None = None


# --- interval helpers ---------------------------------------------------------------------------

def _bounds(interval: Interval) -> tuple[datetime, datetime]:
    return interval.start, interval.end


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, disjoint intervals covering the same time (touching intervals are joined)."""
    result: list[Interval] = []
    for interval in sorted(intervals, key=_bounds):  # the dataclass order, without its slow __lt__
        if result and interval.start <= result[-1].end:
            if interval.end > result[-1].end:
                result[-1] = Interval(result[-1].start, interval.end)
        else:
            result.append(interval)
    return result


def subtract(interval: Interval, holes: Sequence[Interval], ends: Sequence[datetime] | None = None) -> list[Interval]:
    """``interval`` minus the merged, sorted ``holes`` (``ends``: their ends, when the caller
    subtracts the same holes many times)."""
    pieces: list[Interval] = []
    cursor = interval.start
    index = bisect_right(ends if ends is not None else [h.end for h in holes], interval.start)
    for hole in holes[index:]:
        if hole.start >= interval.end:
            break
        if hole.start > cursor:
            pieces.append(Interval(cursor, hole.start))
        cursor = max(cursor, hole.end)
    if cursor < interval.end:
        pieces.append(Interval(cursor, interval.end))
    return pieces


def saturated(intervals: Sequence[Interval], capacity: int) -> list[Interval]:
    """The times at which at least ``capacity`` of the intervals overlap (a full room)."""
    events: list[tuple[datetime, int]] = []
    for interval in intervals:
        events.append((interval.start, 1))
        events.append((interval.end, -1))
    events.sort(key=lambda e: (e[0], e[1]))  # ends before starts at the same instant
    full: list[Interval] = []
    depth, since = 0, None
    for instant, delta in events:
        depth += delta
        if delta > 0 and depth == capacity:
            since = instant
        elif delta < 0 and depth == capacity - 1 and since is not None:
            if instant > since:
                full.append(Interval(since, instant))
            since = None
    return merge(full)


class _Busy:
    """Disjoint sorted intervals with a fast overlap test."""

    def __init__(self, intervals: Iterable[Interval]) -> None:
        self.intervals = merge(intervals)
        self.starts = [i.start for i in self.intervals]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        index = bisect_left(self.starts, end)  # intervals starting before `end`
        return index > 0 and self.intervals[index - 1].end > start


# --- time zone helpers --------------------------------------------------------------------------

def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The instant a wall-clock time happens on a day. A time skipped by a DST change maps to
    the same distance after the change (02:30 on a spring-forward night → 03:30); an ambiguous
    one to its first occurrence."""
    return datetime.combine(day, wall, tzinfo=tz).astimezone(UTC)


def days(first: date, last: date) -> Iterable[date]:
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


# --- the engine ---------------------------------------------------------------------------------

def windows_for(query: SlotQuery) -> list[Window]:
    """The weekly template expanded in the zone, plus additions, minus blocked time: per room,
    touching or overlapping windows merged into one (slots may straddle their boundary)."""
    wants_group = query.kind == GROUP
    raw: list[Window] = []
    for day in days(query.first_day - timedelta(days=1), query.last_day + timedelta(days=1)):
        for rng in query.weekly:
            if rng.weekday != day.weekday() or not (rng.group if wants_group else rng.individual):
                continue
            start, end = local_to_utc(day, rng.start_time, query.tz), local_to_utc(day, rng.end_time, query.tz)
            if end > start:
                raw.append(Window(Interval(start, end), rng.room))
    raw.extend(w for w in query.additions if (w.group if wants_group else w.individual))
    # Touching or overlapping windows of the same room are one stretch of free time (hours until
    # 20:00 and extra time from 20:00 let a slot start at 19:30): merge them before cutting slots.
    by_room: dict[int | None, list[Interval]] = {}
    for window in raw:
        by_room.setdefault(window.room, []).append(window.interval)
    blocked = merge(query.blocked)
    blocked_ends = [b.end for b in blocked]
    windows: list[Window] = []
    for room, room_intervals in by_room.items():
        for stretch in merge(room_intervals):
            windows.extend(Window(piece, room) for piece in subtract(stretch, blocked, blocked_ends))
    return windows


def _week_key(day: date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso[0], iso[1]


class _Checker:
    """Everything about a query that does not depend on the candidate start."""

    def __init__(self, query: SlotQuery) -> None:
        if query.duration <= timedelta(0) or query.step <= timedelta(0):
            raise ValueError("duration and step must be positive")
        self.query = query
        tz = query.tz
        self.range_start = local_to_utc(query.first_day, time(0), tz)
        self.range_end = local_to_utc(query.last_day + timedelta(days=1), time(0), tz)
        self.earliest = max(self.range_start, query.now + query.min_notice)
        self.latest_start = query.now + query.horizon
        self.pad_before, self.pad_after = query.buffer_before, query.buffer_after
        # A session's zone is [start - before, end + after); zones may not overlap.
        self.busy = _Busy(Interval(b.start - self.pad_before, b.end + self.pad_after)
                          for b in (*query.busy, *query.external))
        self.holds = _Busy(Interval(h.start - self.pad_before, h.end + self.pad_after) for h in query.holds)
        self.room_busy = {room: list(intervals) for room, intervals in query.room_busy.items()}
        self.full_rooms = {
            room: _Busy(saturated(intervals, query.room_capacity.get(room, 1)))
            for room, intervals in self.room_busy.items()
        }
        self.per_day: Counter[date] = Counter()
        self.per_week: Counter[tuple[int, int]] = Counter()
        self.limited = query.max_per_day is not None or query.max_per_week is not None
        if self.limited:
            for session in query.busy:
                self._count(session)
        self.windows = windows_for(query)

    def _count(self, session: Interval) -> None:
        local_day = session.start.astimezone(self.query.tz).date()
        self.per_day[local_day] += 1
        self.per_week[_week_key(local_day)] += 1

    def add_busy(self, session: Interval) -> None:
        """A session accepted after the query was made: busy, and counted toward the limits."""
        self.busy = _Busy([*self.busy.intervals, Interval(session.start - self.pad_before, session.end + self.pad_after)])
        if self.limited:
            self._count(session)

    def add_room_busy(self, room: int, session: Interval) -> None:
        """A session accepted in a room after the query was made (another coach's, say)."""
        if room in self.room_busy:
            self.room_busy[room].append(session)
            self.full_rooms[room] = _Busy(saturated(self.room_busy[room], self.query.room_capacity.get(room, 1)))

    def problem(self, start: datetime, room: int | None) -> str | None:
        """Why a slot starting here (in a window of ``room``) cannot be booked, or None."""
        query = self.query
        end = start + query.duration
        if start < self.earliest:
            return NOTICE
        if start > self.latest_start or start >= self.range_end:
            return HORIZON
        if self.busy.overlaps(start - self.pad_before, end + self.pad_after):
            return TAKEN
        if self.holds.overlaps(start - self.pad_before, end + self.pad_after):
            return HELD
        room_full = self.full_rooms.get(room) if room is not None else None
        if room_full and room_full.overlaps(start, end):
            return ROOM_FULL
        if not self.limited:
            return None
        local_day = start.astimezone(query.tz).date()
        if query.max_per_day is not None and self.per_day[local_day] >= query.max_per_day:
            return LIMIT
        if query.max_per_week is not None and self.per_week[_week_key(local_day)] >= query.max_per_week:
            return LIMIT
        return None


NOTICE, HORIZON, TAKEN, HELD, ROOM_FULL, LIMIT, UNAVAILABLE = (
    "notice", "horizon", "taken", "held", "room_full", "limit", "unavailable",
)


def compute_slots(query: SlotQuery) -> list[Slot]:
    checker = _Checker(query)
    found: dict[datetime, Slot] = {}
    for window in checker.windows:
        start = window.interval.start
        if start < checker.earliest:
            # Jump to the first start on this window's step that is not too early (the ones
            # before it would all fail the notice).
            start += -((start - checker.earliest) // query.step) * query.step
        while start + query.duration <= window.interval.end:
            if start >= checker.range_end or start > checker.latest_start:
                break
            if start not in found and checker.problem(start, window.room) is None:
                found[start] = Slot(start, start + query.duration, window.room)
            start += query.step
    return sorted(found.values(), key=_slot_start)  # starts are unique: the dataclass order


def _slot_start(slot: Slot) -> datetime:
    return slot.start


def check_start(query: SlotQuery, start: datetime) -> tuple[str | None, int | None]:
    """Whether one start (not necessarily on the step) can be booked: ``(problem, room)``.

    ``problem`` is None when it can, else one of the reason codes above; ``unavailable``
    means no free window holds the whole slot.
    """
    return StartChecker(query).check(start)


class StartChecker:
    """``check_start`` for many starts of one query, with sessions added as they are accepted
    (the recurring job checks each occurrence against the ones accepted before it)."""

    def __init__(self, query: SlotQuery) -> None:
        self.query = query
        self._checker = _Checker(query)

    def add_busy(self, session: Interval) -> None:
        self._checker.add_busy(session)

    def add_room_busy(self, room: int, session: Interval) -> None:
        self._checker.add_room_busy(room, session)

    def check(self, start: datetime) -> tuple[str | None, int | None]:
        return _check(self._checker, start)


def _check(checker: _Checker, start: datetime) -> tuple[str | None, int | None]:
    end = start + checker.query.duration
    rooms = [w.room for w in checker.windows if w.interval.start <= start and end <= w.interval.end]
    if not rooms:
        return UNAVAILABLE, None
    problem: str | None = UNAVAILABLE
    for room in rooms:
        problem = checker.problem(start, room)
        if problem is None:
            return None, room
    return problem, rooms[0]


def fits_template(
    interval: Interval, *, tz: ZoneInfo, weekly: Sequence[WeeklyRange], additions: Sequence[Interval],
    blocked: Sequence[Interval] = (),
) -> bool:
    """Whether a session lies inside the weekly template and the additions, merged (a session
    may straddle the end of the hours and the start of an addition), and touches no blocked
    time (used to find sessions that conflict with changed hours or new time off)."""
    if any(b.overlaps(interval) for b in blocked):
        return False
    local_day = interval.start.astimezone(tz).date()
    # Only pieces overlapping the session can make up the stretch that holds it.
    free: list[Interval] = [a for a in additions if a.overlaps(interval)]
    for day in days(local_day - timedelta(days=1), interval.end.astimezone(tz).date()):
        for rng in weekly:
            if rng.weekday != day.weekday():
                continue
            start, end = local_to_utc(day, rng.start_time, tz), local_to_utc(day, rng.end_time, tz)
            if end > start:
                free.append(Interval(start, end))
    return any(f.start <= interval.start and interval.end <= f.end for f in merge(free))
