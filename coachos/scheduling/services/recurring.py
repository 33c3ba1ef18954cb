"""Recurring bookings ("every Tuesday 10:00") and the daily job that keeps 6 weeks ahead.

Each occurrence keeps its local time across DST changes (the wall-clock time is converted
for each date). Every occurrence is checked; those on blocked time or that clash are skipped
and reported, never double-booked. The unique (recurring booking, start) constraint and the
coach lock make extension idempotent, even from two workers at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.tenancy import audit

from .. import slots as engine
from ..models import Booking, Coach, RecurringBooking, SessionType, TrainingSession
from ..selectors import slot_query
from .errors import SchedulingError

WEEKS_AHEAD = 6
JOB_LOCAL_HOUR = 2

REASONS = {
    "blocked": _("the coach is away"),
    engine.TAKEN: _("the time is taken"),
    engine.HELD: _("the time is taken"),
    engine.ROOM_FULL: _("the room is taken"),
    engine.LIMIT: _("the coach is fully booked that day or week"),
    engine.UNAVAILABLE: _("outside the coach's hours"),
}


@dataclass
class Extension:
    created: list[TrainingSession] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)


def occurrences(rb: RecurringBooking, *, after: date | None, until: date) -> Iterable[date]:
    first = rb.start_date + timedelta(days=(rb.weekday - rb.start_date.weekday()) % 7)
    last = min(until, rb.end_date) if rb.end_date else until
    day = first
    while day <= last:
        if after is None or day > after:
            yield day
        day += timedelta(weeks=rb.every_weeks)


def _horizon(coach: Coach, now: datetime) -> date:
    local_now = now.astimezone(coach.organization.tzinfo)
    return local_now.date() + timedelta(weeks=WEEKS_AHEAD)


def _extend_for_coach(coach: Coach, rbs: Sequence[RecurringBooking], *, until: date, now: datetime) -> dict[int, Extension]:
    """Materialize the missing occurrences of one coach's recurring bookings, up to ``until``.
    Called with the coach's row locked. A fixed number of queries per coach."""
    tz = coach.organization.tzinfo
    results = {rb.pk: Extension() for rb in rbs}
    wanted: list[tuple[datetime, date, RecurringBooking]] = []
    for rb in rbs:
        for day in occurrences(rb, after=rb.generated_until, until=until):
            starts_at = engine.local_to_utc(day, rb.start_time, tz)
            if starts_at > now:
                wanted.append((starts_at, day, rb))
    if not wanted:
        _mark_generated(rbs, until)  # nothing due in the range, but it has been looked at
        return results
    wanted.sort(key=lambda w: w[0])
    existing = set(TrainingSession.objects.filter(recurring_booking__in=rbs, starts_at__gte=wanted[0][0])
                   .values_list("recurring_booking_id", "starts_at"))
    types = {rb.session_type_id: rb.session_type for rb in rbs}
    queries = {
        type_id: slot_query(coach=coach, session_type=session_type, first_day=wanted[0][1], last_day=wanted[-1][1],
                            now=now, ignore_notice=True)
        for type_id, session_type in types.items()
    }
    blocked = engine.merge(next(iter(queries.values())).blocked)
    # One checker per session type, built once; sessions accepted earlier in this run are
    # added to every checker, so they count as busy for the ones after them.
    checkers = {type_id: engine.StartChecker(query) for type_id, query in queries.items()}
    new_sessions: list[tuple[TrainingSession, RecurringBooking]] = []
    for starts_at, day, rb in wanted:
        if (rb.pk, starts_at) in existing:
            continue
        session_type = types[rb.session_type_id]
        ends_at = starts_at + timedelta(minutes=session_type.duration_minutes)
        slot = engine.Interval(starts_at, ends_at)
        local = starts_at.astimezone(tz)
        if any(b.overlaps(slot) for b in blocked):
            results[rb.pk].skipped.append({"date": day.isoformat(), "starts_at": local.isoformat(), "reason": "blocked",
                                           "message": str(REASONS["blocked"])})
            continue
        problem, room = checkers[rb.session_type_id].check(starts_at)
        if problem is not None:
            results[rb.pk].skipped.append({"date": day.isoformat(), "starts_at": local.isoformat(), "reason": problem,
                                           "message": str(REASONS.get(problem, REASONS[engine.TAKEN]))})
            continue
        for checker in checkers.values():
            checker.add_busy(slot)
        new_sessions.append((TrainingSession(
            organization=coach.organization, coach=coach, session_type=session_type, room_id=room or coach.default_room_id,
            starts_at=starts_at, ends_at=ends_at, capacity=session_type.capacity, recurring_booking=rb,
        ), rb))
    created = TrainingSession.objects.bulk_create([s for s, _rb in new_sessions])
    Booking.objects.bulk_create(
        Booking(organization=coach.organization, session=session, client_id=rb.client_id)
        for session, (_s, rb) in zip(created, new_sessions, strict=True)
    )
    for session, (_s, rb) in zip(created, new_sessions, strict=True):
        results[rb.pk].created.append(session)
    _mark_generated(rbs, until)
    return results


def _mark_generated(rbs: Sequence[RecurringBooking], until: date) -> None:
    for rb in rbs:
        rb.generated_until = max(until, rb.generated_until or until)
    RecurringBooking.objects.bulk_update(rbs, ["generated_until"])


@transaction.atomic
def recurring_create(
    *, coach: Coach, client: Client, session_type: SessionType, weekday: int, start_time: time, start_date: date,
    end_date: date | None, every_weeks: int, actor: Any, now: datetime | None = None,
) -> tuple[RecurringBooking, Extension]:
    """Create a recurring booking and materialize its next 6 weeks at once."""
    now = now or timezone.now()
    if every_weeks not in (1, 2):
        raise SchedulingError(_("Choose every week or every two weeks."))
    if not 0 <= weekday <= 6:
        raise SchedulingError(_("Unknown day of the week."))
    if end_date is not None and end_date < start_date:
        raise SchedulingError(_("The last date must be on or after the first date."))
    if session_type.organization_id != coach.organization_id or client.organization_id != coach.organization_id:
        raise SchedulingError(_("Coach, session type and client must belong to the same business."))
    coach = Coach.objects.select_for_update().select_related("organization").get(pk=coach.pk)
    rb = RecurringBooking.objects.create(
        organization=coach.organization, coach=coach, client=client, session_type=session_type, weekday=weekday,
        start_time=start_time, start_date=start_date, end_date=end_date, every_weeks=every_weeks,
    )
    result = _extend_for_coach(coach, [rb], until=_horizon(coach, now), now=now)[rb.pk]
    audit.log(organization=coach.organization, actor=actor, action="recurring_booking.created", obj=rb,
              data={"sessions_created": len(result.created), "skipped": result.skipped})
    return rb, result


@transaction.atomic
def recurring_cancel(*, rb: RecurringBooking, actor: Any, now: datetime | None = None) -> int:
    """Stop a recurring booking and cancel its future sessions. Returns how many were cancelled."""
    now = now or timezone.now()
    rb = RecurringBooking.objects.select_for_update().get(pk=rb.pk)
    rb.status = RecurringBooking.Status.CANCELLED
    rb.save(update_fields=["status"])
    future = TrainingSession.objects.filter(recurring_booking=rb, starts_at__gt=now,
                                            status=TrainingSession.Status.SCHEDULED)
    ids = list(future.values_list("pk", flat=True))
    Booking.objects.filter(session_id__in=ids, status=Booking.Status.CONFIRMED).update(
        status=Booking.Status.CANCELLED_BY_COACH, cancelled_at=now)
    future.update(status=TrainingSession.Status.CANCELLED, cancelled_at=now)
    audit.log(organization=rb.organization, actor=actor, action="recurring_booking.cancelled", obj=rb,
              data={"sessions_cancelled": len(ids)})
    return len(ids)


def recurring_extend_all(*, organization: Any, now: datetime | None = None) -> dict[str, int]:
    """The daily job for one business: from 02:00 local, every active recurring booking is
    materialized 6 weeks ahead. Safe to run any number of times, from any number of workers."""
    now = now or timezone.now()
    local_now = now.astimezone(organization.tzinfo)
    until = local_now.date() + timedelta(weeks=WEEKS_AHEAD)
    if local_now.hour < JOB_LOCAL_HOUR:
        until -= timedelta(days=1)
    totals = {"created": 0, "skipped": 0, "coaches": 0}
    RecurringBooking.objects.filter(status=RecurringBooking.Status.ACTIVE, end_date__lt=local_now.date()).update(
        status=RecurringBooking.Status.ENDED)
    due = (RecurringBooking.objects.filter(status=RecurringBooking.Status.ACTIVE)
           .exclude(generated_until__gte=until).values_list("coach_id", flat=True).distinct())
    for coach_id in sorted(set(due)):
        with transaction.atomic():
            coach = Coach.objects.select_for_update().select_related("organization").get(pk=coach_id)
            rbs = list(RecurringBooking.objects.select_for_update().select_related("session_type")
                       .filter(coach=coach, status=RecurringBooking.Status.ACTIVE)
                       .exclude(generated_until__gte=until))
            if not rbs:
                continue  # another worker did it while we waited for the lock
            results = _extend_for_coach(coach, rbs, until=until, now=now)
            totals["coaches"] += 1
            for result in results.values():
                totals["created"] += len(result.created)
                totals["skipped"] += len(result.skipped)
    return totals
