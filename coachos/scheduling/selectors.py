"""Reads shared by pages, the API and jobs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

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
    organization = coach.organization
    tz = organization.tzinfo
    now = now or timezone.now()
    span_start = engine.local_to_utc(first_day - timedelta(days=7), datetime.min.time(), tz)
    span_end = engine.local_to_utc(last_day + timedelta(days=8), datetime.min.time(), tz)
    pad = timedelta(minutes=coach.buffer_before_minutes + coach.buffer_after_minutes + 24 * 60)
    window = Q(starts_at__lt=span_end + pad, ends_at__gt=span_start - pad)

    sessions = TrainingSession.objects.filter(window, coach=coach, status__in=TrainingSession.ACTIVE)
    if exclude_session is not None:
        sessions = sessions.exclude(pk=exclude_session.pk)
    holds = SlotHold.objects.filter(window, coach=coach, expires_at__gt=now)
    if exclude_hold is not None:
        holds = holds.exclude(pk=exclude_hold.pk)
    blocked = BlockedSlot.objects.filter(window, coach=coach)
    additions = list(AvailabilityAddition.objects.filter(window, coach=coach))
    weekly = weekly_ranges(coach)
    rooms = {r for r in [*(w.room for w in weekly), *(a.room_id for a in additions)] if r}
    room_busy: dict[int, list[engine.Interval]] = {room: [] for room in rooms}
    room_capacity: dict[int, int] = {}
    if rooms:
        room_capacity = dict(Room.objects.filter(pk__in=rooms).values_list("pk", "capacity"))
        room_sessions = TrainingSession.objects.filter(window, room_id__in=rooms, status__in=TrainingSession.ACTIVE)
        if exclude_session is not None:
            room_sessions = room_sessions.exclude(pk=exclude_session.pk)
        for room_id, starts_at, ends_at in room_sessions.values_list("room_id", "starts_at", "ends_at"):
            room_busy[room_id].append(engine.Interval(starts_at, ends_at))

    return engine.SlotQuery(
        tz=tz,
        first_day=first_day,
        last_day=last_day,
        duration=timedelta(minutes=session_type.duration_minutes),
        now=now,
        step=timedelta(minutes=coach.slot_step_minutes),
        buffer_before=timedelta(minutes=coach.buffer_before_minutes),
        buffer_after=timedelta(minutes=coach.buffer_after_minutes),
        min_notice=timedelta(0) if ignore_notice else timedelta(minutes=coach.min_notice_minutes),
        horizon=timedelta(days=3650) if ignore_notice else timedelta(days=coach.horizon_days),
        weekly=weekly,
        additions=[
            engine.Window(engine.Interval(a.starts_at, a.ends_at), a.room_id, a.for_individual, a.for_group)
            for a in additions
        ],
        blocked=[engine.Interval(b.starts_at, b.ends_at) for b in blocked],
        busy=[engine.Interval(s, e) for s, e in sessions.values_list("starts_at", "ends_at")],
        holds=[engine.Interval(h.starts_at, h.ends_at) for h in holds],
        room_busy=room_busy,
        room_capacity=room_capacity,
        max_per_day=coach.max_per_day,
        max_per_week=coach.max_per_week,
        kind=engine.GROUP if session_type.is_group else engine.INDIVIDUAL,
    )


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
    sessions = TrainingSession.objects.filter(starts_at__lt=end, ends_at__gt=start)
    if coach is not None:
        sessions = sessions.filter(coach=coach)
    if not include_cancelled:
        sessions = sessions.exclude(status=TrainingSession.Status.CANCELLED)
    return sessions.select_related("session_type", "coach__membership__user", "room").prefetch_related(
        Prefetch("bookings", queryset=Booking.objects.select_related("client").order_by("created_at"))
    )


def conflicts_for(*, coach: Coach, now: datetime | None = None) -> list[TrainingSession]:
    """Future active sessions that no longer fit the weekly template and no addition covers."""
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
    return [
        s for s in sessions
        if not engine.fits_template(engine.Interval(s.starts_at, s.ends_at), tz=tz, weekly=weekly, additions=additions)
    ]


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
