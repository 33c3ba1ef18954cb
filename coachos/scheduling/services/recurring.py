"""Recurring bookings ("every Tuesday 10:00") and the daily job that keeps 6 weeks ahead.

Each occurrence keeps its local time across DST changes (the wall-clock time is converted
for each date). Every occurrence is checked; those on blocked time or that clash are skipped
and reported, never double-booked. The unique (recurring booking, start) constraint and the
coach lock make extension idempotent, even from two workers at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common import events
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from .. import slots as engine
from ..models import Booking, Coach, RecurringBooking, SessionType, SkippedOccurrence, TrainingSession
from ..selectors import SlotRequest, slot_queries
from .errors import SchedulingError

WEEKS_AHEAD = 6
JOB_LOCAL_HOUR = 2
COACHES_PER_TRANSACTION = 50
"""The daily job reads and writes this many coaches at a time (a fixed number of queries per
batch), holding their locks for one batch only."""

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
    step = timedelta(weeks=rb.every_weeks)
    day = first
    if after is not None and after >= first:
        day = first + ((after - first) // step + 1) * step  # the first occurrence after ``after``
    while day <= last:
        yield day
        day += step


def _horizon(coach: Coach, now: datetime) -> date:
    local_now = now.astimezone(coach.organization.tzinfo)
    return local_now.date() + timedelta(weeks=WEEKS_AHEAD)


def _extend(batch: Sequence[tuple[Coach, Sequence[RecurringBooking]]], *, until: date,
            now: datetime) -> dict[int, Extension]:
    """Materialize the missing occurrences of some coaches' recurring bookings, up to ``until``.
    Called with those coaches' rows locked. A fixed number of queries, whatever the number of
    coaches and bookings."""
    results = {rb.pk: Extension() for _coach, rbs in batch for rb in rbs}
    plans: list[tuple[Coach, Sequence[RecurringBooking], list[tuple[datetime, date, RecurringBooking]]]] = []
    for coach, rbs in batch:
        tz = coach.organization.tzinfo
        wanted: list[tuple[datetime, date, RecurringBooking]] = []
        for rb in rbs:
            for day in occurrences(rb, after=rb.generated_until, until=until):
                starts_at = engine.local_to_utc(day, rb.start_time, tz)
                if starts_at > now:
                    wanted.append((starts_at, day, rb))
        if wanted:
            wanted.sort(key=lambda w: w[0])
            plans.append((coach, rbs, wanted))
    if plans:
        _materialize(plans, results, now=now)
    _mark_generated([rb for _coach, rbs in batch for rb in rbs], until)  # looked at, even with nothing due
    return results


def _materialize(plans: Sequence[tuple[Coach, Sequence[RecurringBooking], list[tuple[datetime, date, RecurringBooking]]]],
                 results: dict[int, Extension], *, now: datetime) -> None:
    existing = set(
        TrainingSession.objects.filter(recurring_booking__in=[rb for _c, rbs, _w in plans for rb in rbs],
                                       starts_at__gte=min(wanted[0][0] for _c, _r, wanted in plans))
        .values_list("recurring_booking_id", "starts_at"))
    plan_types = [{rb.session_type_id: rb.session_type for rb in rbs} for _coach, rbs, _wanted in plans]
    requests: list[SlotRequest] = [
        (coach, session_type, wanted[0][1], wanted[-1][1])
        for (coach, _rbs, wanted), types in zip(plans, plan_types, strict=True) for session_type in types.values()
    ]
    queries = iter(slot_queries(requests=requests, now=now, ignore_notice=True))
    # One checker per coach and session type (in the order of the requests). A session accepted
    # earlier in this run counts as busy for its coach's later occurrences, and fills its room
    # for every coach of the batch, exactly as if each coach had been done (and committed) one
    # after the other.
    all_checkers = [{type_id: engine.StartChecker(next(queries)) for type_id in types} for types in plan_types]
    new_sessions: list[tuple[TrainingSession, RecurringBooking]] = []
    for (coach, _rbs, wanted), types, checkers in zip(plans, plan_types, all_checkers, strict=True):
        tz = coach.organization.tzinfo
        blocked = engine.merge(next(iter(checkers.values())).query.blocked)
        for starts_at, day, rb in wanted:
            if (rb.pk, starts_at) in existing:
                continue
            session_type = types[rb.session_type_id]
            ends_at = starts_at + timedelta(minutes=session_type.duration_minutes)
            slot = engine.Interval(starts_at, ends_at)
            local = starts_at.astimezone(tz)
            if any(b.overlaps(slot) for b in blocked):
                results[rb.pk].skipped.append({"date": day.isoformat(), "starts_at": local.isoformat(),
                                               "reason": "blocked", "message": str(REASONS["blocked"])})
                continue
            problem, room = checkers[rb.session_type_id].check(starts_at)
            if problem is not None:
                results[rb.pk].skipped.append({"date": day.isoformat(), "starts_at": local.isoformat(),
                                               "reason": problem,
                                               "message": str(REASONS.get(problem, REASONS[engine.TAKEN]))})
                continue
            for checker in checkers.values():
                checker.add_busy(slot)
            room_id = room or coach.default_room_id
            if room_id is not None:
                for others in all_checkers:
                    for checker in others.values():
                        checker.add_room_busy(room_id, slot)
            new_sessions.append((TrainingSession(
                organization=coach.organization, coach=coach, session_type=session_type,
                room_id=room_id, starts_at=starts_at, ends_at=ends_at,
                capacity=session_type.capacity, recurring_booking=rb,
            ), rb))
    created = TrainingSession.objects.bulk_create([s for s, _rb in new_sessions])
    Booking.objects.bulk_create(
        Booking(organization=session.organization, session=session, client_id=rb.client_id)
        for session, (_s, rb) in zip(created, new_sessions, strict=True)
    )
    for session, (_s, rb) in zip(created, new_sessions, strict=True):
        results[rb.pk].created.append(session)


def _mark_generated(rbs: Sequence[RecurringBooking], until: date) -> None:
    """generated_until = max(generated_until, until), in one UPDATE (the rows are locked or new)."""
    behind = [rb.pk for rb in rbs if rb.generated_until is None or rb.generated_until < until]
    if behind:
        RecurringBooking.objects.filter(pk__in=behind).update(generated_until=until)
    for rb in rbs:
        rb.generated_until = max(until, rb.generated_until or until)


def _record_skipped(organization: Organization, rbs: Sequence[RecurringBooking],
                    results: dict[int, Extension]) -> list[SkippedOccurrence]:
    """The job's skipped occurrences become rows the coach decides on, each announced once
    (``recurring.occurrence_skipped``: comms tells the client and rings the coach's bell).
    Runs in the job's transaction with the coaches locked; the unique (recurring booking, start)
    and the check for rows already there make a second run record and announce nothing.
    A fixed number of queries per batch, plus one audit row and one event per new skip."""
    by_pk = {rb.pk: rb for rb in rbs}
    wanted: list[SkippedOccurrence] = []
    for rb_pk, result in results.items():
        rb = by_pk.get(rb_pk)
        if rb is None:
            continue
        for skip in result.skipped:
            starts_at = datetime.fromisoformat(skip["starts_at"]).astimezone(UTC)
            wanted.append(SkippedOccurrence(
                organization=organization, recurring_booking=rb, client_id=rb.client_id,
                coach_id=rb.coach_id, starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=rb.session_type.duration_minutes),
                reason=(SkippedOccurrence.Reason.BLOCKED if skip["reason"] == "blocked"
                        else SkippedOccurrence.Reason.CLASH),
                detail=skip["reason"],
            ))
    if not wanted:
        return []
    already = set(SkippedOccurrence.objects.filter(
        recurring_booking_id__in={w.recurring_booking_id for w in wanted},
        starts_at__in={w.starts_at for w in wanted}).values_list("recurring_booking_id", "starts_at"))
    new = [w for w in wanted if (w.recurring_booking_id, w.starts_at) not in already]
    created = SkippedOccurrence.objects.bulk_create(new)
    for row in created:
        rb = by_pk[row.recurring_booking_id]
        audit.log(organization=organization, actor=None, action="recurring_booking.occurrence_skipped", obj=rb,
                  data={"starts_at": row.starts_at.isoformat(), "reason": row.detail, "skipped_id": row.pk})
        events.emit("recurring.occurrence_skipped", organization=organization, client=rb.client_id, obj=rb,
                    data={"starts_at": row.starts_at, "reason": row.reason, "skipped_id": row.pk},
                    key=f"recurring.occurrence_skipped:{row.pk}")
    return created


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
    result = _extend([(coach, [rb])], until=_horizon(coach, now), now=now)[rb.pk]
    audit.log(organization=coach.organization, actor=actor, action="recurring_booking.created", obj=rb,
              data={"sessions_created": len(result.created), "skipped": result.skipped})
    events.emit("recurring.created", organization=coach.organization, client=client, obj=rb,
                data={"by": "client", "actor_id": getattr(actor, "pk", None)})  # comms: one confirmation
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
    # updated_at too: the calendar notices changes by it.
    Booking.objects.filter(session_id__in=ids, status=Booking.Status.CONFIRMED).update(
        status=Booking.Status.CANCELLED_BY_COACH, cancelled_at=now, updated_at=timezone.now())
    future.update(status=TrainingSession.Status.CANCELLED, cancelled_at=now, updated_at=timezone.now())
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
    coach_ids = sorted(set(due))
    for index in range(0, len(coach_ids), COACHES_PER_TRANSACTION):
        chunk = coach_ids[index:index + COACHES_PER_TRANSACTION]
        with transaction.atomic():
            # The coaches in id order, then the business: the order in which a booking locks
            # them (its coach with the business), so that no two writers wait on each other.
            coaches = {c.pk: c for c in Coach.objects.select_for_update(of=("self",)).select_related("organization")
                       .filter(pk__in=chunk).order_by("pk")}
            list(Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk", flat=True))
            rbs = list(RecurringBooking.objects.select_for_update().select_related("session_type")
                       .filter(coach_id__in=chunk, status=RecurringBooking.Status.ACTIVE)
                       .exclude(generated_until__gte=until).order_by("coach_id", "weekday", "start_time", "pk"))
            if not rbs:
                continue  # another worker did it while we waited for the lock
            by_coach: dict[int, list[RecurringBooking]] = {}
            for rb in rbs:
                by_coach.setdefault(rb.coach_id, []).append(rb)
            results = _extend([(coaches[pk], coach_rbs) for pk, coach_rbs in by_coach.items()], until=until, now=now)
            _record_skipped(organization, rbs, results)
            totals["coaches"] += len(by_coach)
            for result in results.values():
                totals["created"] += len(result.created)
                totals["skipped"] += len(result.skipped)
    return totals
