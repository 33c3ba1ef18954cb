"""Reads shared by pages, the API and jobs."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from . import external_busy
from . import slots as engine
from .models import (
    AvailabilityAddition,
    BlockedSlot,
    Booking,
    Coach,
    Room,
    SessionType,
    SlotHold,
    TrainingSession,
    WeeklyAvailability,
)
from .spans import session_overlap


def coach_list(*, active_only: bool = False) -> QuerySet[Coach]:
    coaches = Coach.objects.select_related("membership__user")
    return coaches.filter(active=True) if active_only else coaches


def weekly_ranges(coach: Coach) -> list[engine.WeeklyRange]:
    return [
        engine.WeeklyRange(w.weekday, w.start_time, w.end_time, w.for_individual, w.for_group, w.room_id)
        for w in WeeklyAvailability.objects.filter(coach=coach)
    ]


def slot_query(
    *,
    coach: Coach,
    session_type: SessionType,
    first_day: date,
    last_day: date,
    now: datetime | None = None,
    exclude_hold: SlotHold | None = None,
    exclude_session: TrainingSession | None = None,
    ignore_notice: bool = False,
) -> engine.SlotQuery:
    """Everything the engine needs about one coach for a range of local days (a fixed number
    of queries, whatever the range)."""
    return slot_queries(requests=[(coach, session_type, first_day, last_day)], now=now, exclude_hold=exclude_hold,
                        exclude_session=exclude_session, ignore_notice=ignore_notice)[0]


SlotRequest = tuple[Coach, SessionType, date, date]
"""A coach, a session type, and the first and last local day."""


def _span(coach: Coach, first_day: date, last_day: date) -> tuple[datetime, datetime]:
    """Rows that matter overlap (lo, hi): the days, a week either side (the weekly limit), and
    the buffers plus a day of slack."""
    tz = coach.organization.tzinfo
    pad = timedelta(minutes=coach.buffer_before_minutes + coach.buffer_after_minutes + 24 * 60)
    return (engine.local_to_utc(first_day - timedelta(days=7), datetime.min.time(), tz) - pad,
            engine.local_to_utc(last_day + timedelta(days=8), datetime.min.time(), tz) + pad)


def _within(rows: list[Any], lo: datetime, hi: datetime) -> list[Any]:
    """The rows (with starts_at and ends_at, in order) that overlap (lo, hi): the same test as
    the SQL filter, for a request whose span is narrower than the batch's."""
    return [r for r in rows if r.starts_at < hi and r.ends_at > lo]


def slot_queries(
    *,
    requests: list[SlotRequest],
    now: datetime | None = None,
    exclude_hold: SlotHold | None = None,
    exclude_session: TrainingSession | None = None,
    ignore_notice: bool = False,
) -> list[engine.SlotQuery]:
    """slot_query for several coaches (and session types) at once, in the same fixed number of
    queries: the recurring job reads a batch of coaches this way."""
    now = now or timezone.now()
    spans = [_span(coach, first, last) for coach, _type, first, last in requests]
    lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
    coach_ids = {coach.pk for coach, *_rest in requests}
    window = Q(starts_at__lt=hi, ends_at__gt=lo)  # time off and extra time: few rows, of any length
    bounded = session_overlap(lo, hi)  # sessions and holds: flat however long the coach's history

    def by_coach(rows: Any) -> dict[int, list[Any]]:
        grouped: dict[int, list[Any]] = {pk: [] for pk in coach_ids}
        for row in rows:
            grouped[row.coach_id].append(row)
        return grouped

    sessions = TrainingSession.objects.filter(bounded, coach_id__in=coach_ids, status__in=TrainingSession.ACTIVE)
    if exclude_session is not None:
        sessions = sessions.exclude(pk=exclude_session.pk)
    holds = SlotHold.objects.filter(bounded, coach_id__in=coach_ids, expires_at__gt=now)
    if exclude_hold is not None:
        holds = holds.exclude(pk=exclude_hold.pk)
    session_rows = by_coach(sessions.values_list("coach_id", "starts_at", "ends_at", named=True))
    hold_rows = by_coach(holds.values_list("coach_id", "starts_at", "ends_at", named=True))
    blocked_rows = by_coach(BlockedSlot.objects.filter(window, coach_id__in=coach_ids)
                            .values_list("coach_id", "starts_at", "ends_at", named=True))
    external_rows = external_busy.busy_for(coach_ids, lo, hi)  # connected calendars (integrations)
    addition_rows = by_coach(AvailabilityAddition.objects.filter(window, coach_id__in=coach_ids).values_list(
        "coach_id", "starts_at", "ends_at", "room_id", "for_individual", "for_group", named=True))
    weekly_rows = by_coach(WeeklyAvailability.objects.filter(coach_id__in=coach_ids).values_list(
        "coach_id", "weekday", "start_time", "end_time", "for_individual", "for_group", "room_id", named=True))

    wanted_rooms: list[set[int]] = []
    for (coach, _type, _first, _last), (span_lo, span_hi) in zip(requests, spans, strict=True):
        rooms = {w.room_id for w in weekly_rows[coach.pk]} | {a.room_id for a in _within(addition_rows[coach.pk],
                                                                                        span_lo, span_hi)}
        wanted_rooms.append({r for r in rooms if r})
    all_rooms = set().union(*wanted_rooms)
    room_capacity: dict[int, int] = {}
    room_rows: dict[int, list[Any]] = {room: [] for room in all_rooms}
    if all_rooms:
        room_capacity = dict(Room.objects.filter(pk__in=all_rooms).values_list("pk", "capacity"))
        room_sessions = TrainingSession.objects.filter(bounded, room_id__in=all_rooms,
                                                       status__in=TrainingSession.ACTIVE)
        if exclude_session is not None:
            room_sessions = room_sessions.exclude(pk=exclude_session.pk)
        for row in room_sessions.values_list("room_id", "starts_at", "ends_at", named=True):
            room_rows[row.room_id].append(row)

    queries = []
    for (coach, session_type, first_day, last_day), (span_lo, span_hi), rooms in zip(requests, spans, wanted_rooms,
                                                                                       strict=True):
        additions = _within(addition_rows[coach.pk], span_lo, span_hi)
        queries.append(engine.SlotQuery(
            tz=coach.organization.tzinfo,
            first_day=first_day,
            last_day=last_day,
            duration=timedelta(minutes=session_type.duration_minutes),
            now=now,
            step=timedelta(minutes=coach.slot_step_minutes),
            buffer_before=timedelta(minutes=coach.buffer_before_minutes),
            buffer_after=timedelta(minutes=coach.buffer_after_minutes),
            min_notice=timedelta(0) if ignore_notice else timedelta(minutes=coach.min_notice_minutes),
            horizon=timedelta(days=3650) if ignore_notice else timedelta(days=coach.horizon_days),
            weekly=[engine.WeeklyRange(w.weekday, w.start_time, w.end_time, w.for_individual, w.for_group, w.room_id)
                    for w in weekly_rows[coach.pk]],
            additions=[
                engine.Window(engine.Interval(a.starts_at, a.ends_at), a.room_id, a.for_individual, a.for_group)
                for a in additions
            ],
            blocked=[engine.Interval(b.starts_at, b.ends_at) for b in _within(blocked_rows[coach.pk], span_lo, span_hi)],
            busy=[engine.Interval(s.starts_at, s.ends_at) for s in _within(session_rows[coach.pk], span_lo, span_hi)],
            holds=[engine.Interval(h.starts_at, h.ends_at) for h in _within(hold_rows[coach.pk], span_lo, span_hi)],
            external=[engine.Interval(a, b) for a, b in external_rows.get(coach.pk, ()) if a < span_hi and b > span_lo],
            room_busy={room: [engine.Interval(s.starts_at, s.ends_at) for s in _within(room_rows[room], span_lo, span_hi)]
                       for room in rooms},
            room_capacity={room: room_capacity[room] for room in rooms if room in room_capacity},
            max_per_day=coach.max_per_day,
            max_per_week=coach.max_per_week,
            kind=engine.GROUP if session_type.is_group else engine.INDIVIDUAL,
        ))
    return queries


def slots_for(
    *,
    coach: Coach,
    session_type: SessionType,
    first_day: date,
    last_day: date,
    now: datetime | None = None,
    exclude_hold: SlotHold | None = None,
) -> list[engine.Slot]:
    """Open start times for a session type with a coach, between two local dates inclusive.

    For a group type, the scheduled group sessions of that type with places left come first
    (joining them is what a client expects), followed by new times in group availability.
    """
    query = slot_query(coach=coach, session_type=session_type, first_day=first_day, last_day=last_day, now=now,
                       exclude_hold=exclude_hold)
    found = engine.compute_slots(query)
    if session_type.is_group:
        joinable = [
            engine.Slot(s.starts_at, s.ends_at, s.room_id)
            for s in group_sessions_with_places(coach=coach, session_type=session_type, query=query)
        ]
        taken = {s.start for s in joinable}
        found = sorted([*joinable, *(s for s in found if s.start not in taken)])
    return found


def group_sessions_with_places(
    *, coach: Coach, session_type: SessionType, query: engine.SlotQuery
) -> list[TrainingSession]:
    start = max(engine.local_to_utc(query.first_day, datetime.min.time(), query.tz), query.now + query.min_notice)
    end = min(engine.local_to_utc(query.last_day + timedelta(days=1), datetime.min.time(), query.tz),
              query.now + query.horizon)
    sessions = (
        TrainingSession.objects.filter(coach=coach, session_type=session_type, status=TrainingSession.Status.SCHEDULED,
                                       starts_at__gte=start, starts_at__lt=end)
        .annotate(taken=Count("bookings", filter=Q(bookings__status__in=Booking.ACTIVE)))
    )
    return [s for s in sessions if s.taken < s.capacity]


def sessions_in_range(*, start: datetime, end: datetime, coach: Coach | None = None,
                      include_cancelled: bool = False) -> QuerySet[TrainingSession]:
    """Sessions overlapping [start, end) with what the calendar shows, in a fixed number of queries."""
    sessions = TrainingSession.objects.filter(session_overlap(start, end))
    if coach is not None:
        sessions = sessions.filter(coach=coach)
    if not include_cancelled:
        sessions = sessions.exclude(status=TrainingSession.Status.CANCELLED)
    return sessions.select_related("session_type", "coach__membership__user", "room").prefetch_related(
        Prefetch("bookings", queryset=Booking.objects.select_related("client").order_by("created_at"))
    )


def calendar_version(*, start: datetime, end: datetime, coach: Coach | None = None,
                     include_cancelled: bool = False) -> str:
    """A fingerprint of what ``sessions_in_range`` shows for these parameters, in one query.

    It changes when a session or booking in the range is added, changed or leaves it (every write
    bumps ``updated_at``; a session moved away lowers the count), or a booked client is renamed."""
    sessions = TrainingSession.objects.filter(session_overlap(start, end))
    if coach is not None:
        sessions = sessions.filter(coach=coach)
    if not include_cancelled:
        sessions = sessions.exclude(status=TrainingSession.Status.CANCELLED)
    row = sessions.aggregate(
        session_count=Count("id", distinct=True), booking_count=Count("bookings", distinct=True),
        session_changed=Max("updated_at"), booking_changed=Max("bookings__updated_at"),
        client_changed=Max("bookings__client__updated_at"),
    )
    parts = [row["session_count"], row["booking_count"], row["session_changed"], row["booking_changed"],
             row["client_changed"]]
    raw = "|".join(value.isoformat() if isinstance(value, datetime) else str(value) for value in parts)
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


CONFLICT_TIME_OFF, CONFLICT_HOURS = "time_off", "hours"


def conflicts_for(*, coach: Coach, now: datetime | None = None) -> list[TrainingSession]:
    """Future scheduled sessions that no longer fit the weekly template and additions (merged),
    or that lie in time off added after they were booked. Each gets ``conflict_reason``:
    ``time_off`` or ``hours``."""
    now = now or timezone.now()
    tz = coach.organization.tzinfo
    weekly = weekly_ranges(coach)
    sessions = list(
        sessions_in_range(start=now, end=now + timedelta(days=3650), coach=coach).filter(
            status=TrainingSession.Status.SCHEDULED
        )
    )
    if not sessions:
        return []
    additions = [
        engine.Interval(a.starts_at, a.ends_at)
        for a in AvailabilityAddition.objects.filter(coach=coach, ends_at__gt=now)
    ]
    blocked = engine.merge(engine.Interval(b.starts_at, b.ends_at)
                           for b in BlockedSlot.objects.filter(coach=coach, ends_at__gt=now))
    found = []
    for s in sessions:
        interval = engine.Interval(s.starts_at, s.ends_at)
        if any(b.overlaps(interval) for b in blocked):
            s.conflict_reason = CONFLICT_TIME_OFF  # type: ignore[attr-defined]
        elif not engine.fits_template(interval, tz=tz, weekly=weekly, additions=additions):
            s.conflict_reason = CONFLICT_HOURS  # type: ignore[attr-defined]
        else:
            continue
        found.append(s)
    return found


def within_hours(*, coach: Coach, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether [starts_at, ends_at) lies in the coach's working hours: the weekly template and
    extra time (merged), and no time off (three queries)."""
    span = Q(coach=coach, starts_at__lt=ends_at, ends_at__gt=starts_at)
    return engine.fits_template(
        engine.Interval(starts_at, ends_at), tz=coach.organization.tzinfo, weekly=weekly_ranges(coach),
        additions=[engine.Interval(a, b) for a, b in AvailabilityAddition.objects.filter(span)
                   .values_list("starts_at", "ends_at")],
        blocked=[engine.Interval(a, b) for a, b in BlockedSlot.objects.filter(span).values_list("starts_at", "ends_at")],
    )


def spots_left(session: TrainingSession) -> int:
    taken = sum(1 for b in session.bookings.all() if b.status in Booking.ACTIVE)
    return max(session.capacity - taken, 0)


def bookings_for_client(*, client: Any, upcoming: bool | None = None) -> QuerySet[Booking]:
    bookings = Booking.objects.filter(client=client).select_related("session__session_type", "session__coach__membership__user")
    now = timezone.now()
    if upcoming is True:
        bookings = bookings.filter(session__ends_at__gt=now).order_by("session__starts_at")
    elif upcoming is False:
        bookings = bookings.filter(session__ends_at__lte=now).order_by("-session__starts_at")
    return bookings
