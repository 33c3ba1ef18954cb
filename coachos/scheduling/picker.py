"""The slot picker behind the public booking pages and the portal's reschedule page.

Reads only. A week is seven days in the *viewer's* zone; the engine works in the business's
local days, so the business days that overlap the week are asked for and the slots are cut
back to the week's instants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from coachos.common import moments

from . import slots as engine
from .models import (
    AvailabilityAddition,
    Booking,
    Coach,
    SessionType,
    TrainingSession,
    WaitlistEntry,
    WeeklyAvailability,
)
from .selectors import coach_list, slot_query, slots_for

DAYS_SHOWN = 7


@dataclass(frozen=True)
class Offer:
    """One time a client can pick (or, for a full class, join the waitlist of)."""

    coach: Coach
    start: datetime
    end: datetime
    places_left: int | None = None
    """For group types: places still free (the type's capacity for a class not yet on the calendar)."""
    session_id: int | None = None

    @property
    def full(self) -> bool:
        return self.places_left is not None and self.places_left <= 0

    @property
    def value(self) -> str:
        return encode_slot(self.coach.pk, self.start)


@dataclass
class Week:
    first_day: date
    last_day: date
    days: list[tuple[date, list[Offer]]] = field(default_factory=list)
    prev_day: date | None = None
    next_day: date | None = None
    first_open: Offer | None = None

    @property
    def has_offers(self) -> bool:
        return any(offers for _day, offers in self.days)

    @property
    def open_count(self) -> int:
        return sum(1 for _day, offers in self.days for o in offers if not o.full)


# --- small helpers -------------------------------------------------------------------------------

def valid_zone(name: str | None) -> str | None:
    return name if moments.is_zone(name) else None


def encode_slot(coach_id: int, start: datetime) -> str:
    return f"{coach_id}@{int(start.timestamp())}"


def decode_slot(value: str) -> tuple[int, datetime] | None:
    """A slot value from a form (``<coach id>@<epoch seconds>``), or None for anything else, a
    time far outside any calendar included (moments bounds it, so nothing after overflows)."""
    coach_part, _sep, seconds = (value or "").partition("@")
    if not (coach_part.isascii() and coach_part.isdigit() and len(coach_part) < 19):
        return None
    starts_at = moments.instant_from_epoch(seconds)
    return (int(coach_part), starts_at) if starts_at is not None else None


def parse_day(value: str | None) -> date | None:
    return moments.day_from(value)


def bookable_types() -> QuerySet[SessionType]:
    return SessionType.objects.filter(active=True, bookable_online=True)


def bookable_coaches(*, now: datetime) -> QuerySet[Coach]:
    """Active coaches who have hours to book: a weekly range, a future addition or an open class."""
    return coach_list(active_only=True).filter(
        Exists(WeeklyAvailability.objects.filter(coach=OuterRef("pk")))
        | Exists(AvailabilityAddition.objects.filter(coach=OuterRef("pk"), ends_at__gt=now))
        | Exists(TrainingSession.objects.filter(coach=OuterRef("pk"), starts_at__gt=now,
                                                status=TrainingSession.Status.SCHEDULED,
                                                session_type__capacity__gt=1))
    )


# --- offers ---------------------------------------------------------------------------------------

def _business_days(coach: Coach, start: datetime, end: datetime) -> tuple[date, date]:
    tz = coach.organization.tzinfo
    return start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()


def _group_sessions(*, coach: Coach, session_type: SessionType, start: datetime, end: datetime,
                    now: datetime) -> dict[datetime, tuple[TrainingSession, int]]:
    """Scheduled classes starting in the range, by start, with their places left (booked places
    and standing waitlist offers both count, as in the booking service)."""
    earliest = max(start, now + timedelta(minutes=coach.min_notice_minutes))
    latest = min(end, now + timedelta(days=coach.horizon_days))
    sessions = (
        TrainingSession.objects.filter(coach=coach, session_type=session_type,
                                       status=TrainingSession.Status.SCHEDULED,
                                       starts_at__gte=earliest, starts_at__lt=latest)
        .annotate(
            taken=Count("bookings", filter=Q(bookings__status__in=Booking.ACTIVE), distinct=True),
            offered=Count("waitlist", filter=Q(waitlist__status=WaitlistEntry.Status.OFFERED,
                                               waitlist__offer_expires_at__gt=now), distinct=True),
        )
    )
    return {s.starts_at: (s, s.capacity - s.taken - s.offered) for s in sessions}  # type: ignore[attr-defined]


def offers_for_coach(*, coach: Coach, session_type: SessionType, start: datetime, end: datetime, now: datetime,
                     exclude_session: TrainingSession | None = None) -> list[Offer]:
    """Open times with one coach whose start lies in [start, end), plus full classes."""
    first_day, last_day = _business_days(coach, start, end)
    if exclude_session is not None and not session_type.is_group:
        # Moving a one-to-one session: its own time does not count as busy.
        query = slot_query(coach=coach, session_type=session_type, first_day=first_day, last_day=last_day,
                           now=now, exclude_session=exclude_session)
        found = engine.compute_slots(query)
    else:
        found = slots_for(coach=coach, session_type=session_type, first_day=first_day, last_day=last_day, now=now)
    found = [s for s in found if start <= s.start < end]
    if exclude_session is not None:  # moving a booking: its own time is not a new time
        found = [s for s in found if s.start != exclude_session.starts_at]
    if not session_type.is_group:
        return [Offer(coach, s.start, s.end) for s in found]

    sessions = _group_sessions(coach=coach, session_type=session_type, start=start, end=end, now=now)
    if exclude_session is not None:
        sessions.pop(exclude_session.starts_at, None)
    offers = []
    for slot in found:
        existing = sessions.pop(slot.start, None)
        if existing is None:
            offers.append(Offer(coach, slot.start, slot.end, session_type.capacity))
        else:
            offers.append(Offer(coach, slot.start, slot.end, existing[1], existing[0].pk))
    # What is left are classes with no place: offered as "join the waitlist".
    offers.extend(Offer(coach, s.starts_at, s.ends_at, 0, s.pk) for s, _places in sessions.values())
    return offers


def offers_between(*, coaches: list[Coach], session_type: SessionType, start: datetime, end: datetime,
                   now: datetime, exclude_session: TrainingSession | None = None) -> list[Offer]:
    """Times with any of the coaches. One-to-one: one offer per start (the first coach free then);
    group: every class, since each is a different class with its own places."""
    merged: dict[tuple[datetime, int], Offer] = {}
    for coach in coaches:
        for offer in offers_for_coach(coach=coach, session_type=session_type, start=start, end=end, now=now,
                                      exclude_session=exclude_session):
            key = (offer.start, coach.pk if session_type.is_group else 0)
            if key not in merged:
                merged[key] = offer
    return sorted(merged.values(), key=lambda o: (o.start, o.full, o.coach.name))


def first_open(*, coaches: list[Coach], session_type: SessionType, after: datetime, now: datetime,
               exclude_session: TrainingSession | None = None) -> Offer | None:
    """The first open time after ``after``, searching up to each coach's horizon."""
    best: Offer | None = None
    for coach in coaches:
        until = now + timedelta(days=coach.horizon_days, minutes=1)
        if after >= until:
            continue
        offers = offers_for_coach(coach=coach, session_type=session_type, start=after, end=until, now=now,
                                  exclude_session=exclude_session)
        candidate = next((o for o in sorted(offers, key=lambda o: o.start) if not o.full), None)
        if candidate is not None and (best is None or candidate.start < best.start):
            best = candidate
    return best


def week(*, coaches: list[Coach], session_type: SessionType, tz: ZoneInfo, first_day: date | None, now: datetime,
         exclude_session: TrainingSession | None = None) -> Week:
    """Seven days from ``first_day`` (never before today) in the viewer's zone."""
    today = now.astimezone(tz).date()
    first = max(first_day or today, today)
    last_bookable = max((now + timedelta(days=c.horizon_days) for c in coaches), default=now).astimezone(tz).date()
    first = min(first, max(last_bookable - timedelta(days=DAYS_SHOWN - 1), today))
    last = first + timedelta(days=DAYS_SHOWN - 1)
    start = engine.local_to_utc(first, time(0), tz)
    end = engine.local_to_utc(last + timedelta(days=1), time(0), tz)
    offers = offers_between(coaches=coaches, session_type=session_type, start=start, end=end, now=now,
                            exclude_session=exclude_session)
    by_day: dict[date, list[Offer]] = {first + timedelta(days=i): [] for i in range(DAYS_SHOWN)}
    for offer in offers:
        by_day.setdefault(offer.start.astimezone(tz).date(), []).append(offer)
    result = Week(first_day=first, last_day=last, days=sorted(by_day.items()))
    if first > today:
        result.prev_day = max(first - timedelta(days=DAYS_SHOWN), today)
    if last < last_bookable:
        result.next_day = last + timedelta(days=1)
    if result.open_count == 0 and result.next_day is not None:
        result.first_open = first_open(coaches=coaches, session_type=session_type, after=end, now=now,
                                       exclude_session=exclude_session)
    return result
