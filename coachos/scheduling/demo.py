"""Demo scheduling for Northside Strength: session types, rooms, weekly hours, time off,
8 weeks of past sessions, 6 weeks ahead, recurring clients and a Saturday group class.

Idempotent: each thing is looked up before it is made, and a session is only booked where the
coach has none starting at that time. What happens on a calendar day is drawn from a random
generator seeded with that day, so a second run (even on another day) plans the same sessions
for the same dates. Everything upcoming goes through the services, as the pages would; the past
one-to-one sessions are written as the history they are (see _history).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from . import slots as engine
from .models import (
    BlockedSlot,
    Booking,
    Coach,
    RecurringBooking,
    Room,
    SessionType,
    TrainingSession,
    WeeklyAvailability,
)
from .services import (
    CLIENT,
    COACH,
    SchedulingError,
    blocked_slot_create,
    booking_cancel,
    booking_create,
    coach_update,
    recurring_create,
    room_create,
    session_complete,
    session_create,
    session_type_create,
    waitlist_join,
    weekly_availability_replace,
)

PAST_WEEKS, FUTURE_WEEKS = 8, 6
MAYA, JORDAN = "owner@northside.example", "coach@northside.example"

SESSION_TYPES = {
    "pt": {"name": "Personal training", "duration_minutes": 60, "price_minor": 8500, "color": "#1e88e5"},
    "intro": {"name": "Intro session", "duration_minutes": 30, "price_minor": 0, "color": "#00897b"},
    "group": {"name": "Small group strength", "duration_minutes": 60, "price_minor": 2500, "capacity": 6,
              "color": "#f4511e"},
    "mobility": {"name": "Mobility", "duration_minutes": 45, "price_minor": 6500, "color": "#8e24aa"},
}

Range = tuple[int, time, time, bool, bool, str | None]
"""weekday, from, until, one-to-one, group, room"""
_MAYA_HOURS: list[Range] = [(d, time(6), time(12), True, False, None) for d in (0, 2, 4)]
_MAYA_HOURS += [(d, time(16), time(20), True, False, None) for d in (1, 3)]
_JORDAN_HOURS: list[Range] = [(d, time(12), time(19), True, False, None) for d in range(5)]
_JORDAN_HOURS += [(5, time(8), time(9), True, False, None), (5, time(9), time(10), False, True, "Open floor"),
                  (5, time(10), time(12), True, False, None)]
TEMPLATES: dict[str, list[Range]] = {MAYA: _MAYA_HOURS, JORDAN: _JORDAN_HOURS}

# coach, client e-mail, weekday, time, every n weeks, session type, weeks since it started
RECURRING = [
    (MAYA, "liam.johnson@example.com", 0, time(7), 1, "pt", 8),
    (MAYA, "client@northside.example", 3, time(17), 1, "pt", 3),
    (JORDAN, "emma.williams@example.com", 2, time(13), 2, "pt", 8),
    (JORDAN, "noah.brown@example.com", 4, time(16), 1, "mobility", 6),
]

# Who else trains with whom (indexes into the demo's clients in the order they were made). The
# portal client (the first) only has her recurring Thursdays, so her credits tell a clear story.
REGULARS = {MAYA: range(1, 16), JORDAN: range(12, 30)}
GROUP_CLASS = (JORDAN, 5, time(9))  # Saturdays 09:00, in the group range
NOTES = [
    "Deadlift 3x5 @ 185 lb, clean reps. Next: 190.",
    "Worked on hip hinge; left knee fine today.",
    "Conditioning circuit, 4 rounds. Good energy.",
    "Bench 5x5 @ 95 lb. Add a pause rep next time.",
    "Mobility focus: thoracic rotation, ankles.",
]


def seed_scheduling(organization: Organization) -> None:
    now = timezone.now()
    with scope(organization=organization):
        coaches = {c.membership.user.email: c for c in Coach.objects.select_related("membership__user", "organization")}
        if MAYA not in coaches or JORDAN not in coaches:
            return
        actors = {email: coach.membership.user for email, coach in coaches.items()}
        types = _session_types(organization, actors[MAYA])
        rooms = _rooms(organization, actors[MAYA])
        _coach_settings(coaches, rooms, actors)
        _templates(coaches, rooms, actors)
        today = now.astimezone(organization.tzinfo).date()
        _time_off(coaches, actors, today)
        clients = list(Client.objects.order_by("pk"))
        if len(clients) < 30:
            return
        _recurring(coaches, actors, types, today, now)
        _sessions(coaches, actors, types, clients, today, now)
        _group_classes(coaches[JORDAN], actors[JORDAN], types["group"], rooms["Open floor"], clients, today, now)


def _session_types(organization: Organization, actor: Any) -> dict[str, SessionType]:
    found = {}
    for key, fields in SESSION_TYPES.items():
        session_type = SessionType.objects.filter(name=fields["name"]).first()
        found[key] = session_type or session_type_create(organization=organization, actor=actor, **fields)
    return found


def _rooms(organization: Organization, actor: Any) -> dict[str, Room]:
    found = {}
    for name, capacity in (("Studio A", 1), ("Open floor", 3)):
        found[name] = Room.objects.filter(name=name).first() or room_create(
            organization=organization, actor=actor, name=name, capacity=capacity)
    return found


def _coach_settings(coaches: dict[str, Coach], rooms: dict[str, Room], actors: dict[str, Any]) -> None:
    wanted = {
        MAYA: {"display_name": "Maya Thompson", "default_room": rooms["Studio A"],
               "bio": "Owner and head coach. Strength training for busy professionals, 12 years coaching."},
        JORDAN: {"display_name": "Jordan Reyes", "default_room": rooms["Open floor"],
                 "bio": "Mobility and small group strength. Former collegiate rower."},
    }
    for email, data in wanted.items():
        if not coaches[email].display_name:  # set once; the coach's own edits stay
            coaches[email] = coach_update(coach=coaches[email], actor=actors[email], data=data)


def _templates(coaches: dict[str, Coach], rooms: dict[str, Room], actors: dict[str, Any]) -> None:
    for email, ranges in TEMPLATES.items():
        coach = coaches[email]
        if WeeklyAvailability.objects.filter(coach=coach).exists():
            continue
        weekly_availability_replace(coach=coach, actor=actors[email], ranges=[
            {"weekday": d, "start_time": s, "end_time": e, "for_individual": one, "for_group": group,
             "room": rooms[room] if room else None}
            for d, s, e, one, group, room in ranges
        ])


def _local(coach: Coach, day: date, wall: time) -> datetime:
    return engine.local_to_utc(day, wall, coach.organization.tzinfo)


def _time_off(coaches: dict[str, Coach], actors: dict[str, Any], today: date) -> None:
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    holiday = next_month + timedelta(days=(7 - next_month.weekday()) % 7)  # its first Monday
    dentist = today + timedelta(days=7 + (2 - today.weekday()) % 7)  # Wednesday of next week
    for email, day, start, end, reason in (
        (JORDAN, holiday, time(0), None, "Vacation"),
        (MAYA, dentist, time(6), time(9), "Dentist"),
    ):
        coach = coaches[email]
        starts_at = _local(coach, day, start)
        ends_at = _local(coach, day + timedelta(days=7), time(0)) if end is None else _local(coach, day, end)
        if not BlockedSlot.objects.filter(coach=coach, starts_at=starts_at, reason=reason).exists():
            blocked_slot_create(coach=coach, actor=actors[email], starts_at=starts_at, ends_at=ends_at, reason=reason)


def _recurring(coaches: dict[str, Coach], actors: dict[str, Any], types: dict[str, SessionType], today: date,
               now: datetime) -> None:
    for email, client_email, weekday, wall, every, kind, since in RECURRING:
        coach = coaches[email]
        client = Client.objects.filter(email=client_email).first()
        if client is None or RecurringBooking.objects.filter(coach=coach, client=client, weekday=weekday,
                                                             start_time=wall).exists():
            continue
        recurring_create(coach=coach, client=client, session_type=types[kind], weekday=weekday, start_time=wall,
                         start_date=today - timedelta(weeks=since), end_date=None, every_weeks=every,
                         actor=actors[email], now=now)


def _cells(ranges: list[WeeklyAvailability], day: date) -> list[time]:
    """The whole hours that fit in a day's one-to-one ranges."""
    cells = []
    for w in ranges:
        if w.weekday != day.weekday() or not w.for_individual:
            continue
        hour = w.start_time.hour + (1 if w.start_time.minute else 0)
        while hour < 24 and hour * 60 + 60 <= w.end_time.hour * 60 + w.end_time.minute:
            cells.append(time(hour))
            hour += 1
    return cells


def _sessions(coaches: dict[str, Coach], actors: dict[str, Any], types: dict[str, SessionType],
              clients: list[Client], today: date, now: datetime) -> None:
    first, last = today - timedelta(weeks=PAST_WEEKS), today + timedelta(weeks=FUTURE_WEEKS)
    recurring = {(coaches[e].pk, d, w): (e2, k, n) for e, e2, d, w, n, k, _since in RECURRING}
    # The first occurrence of each recurring booking: the past ones start there and keep its rhythm.
    anchors = {(rb.coach_id, rb.weekday, rb.start_time): rb.start_date + timedelta(
        days=(rb.weekday - rb.start_date.weekday()) % 7) for rb in RecurringBooking.objects.all()}
    by_email = {c.email: c for c in clients}
    for email, coach in coaches.items():
        if email not in REGULARS:
            continue
        existing = TrainingSession.objects.filter(coach=coach, ends_at__gt=_local(coach, first, time(0)))
        taken = set(existing.values_list("starts_at", flat=True))
        busy = [engine.Interval(s, e) for s, e in existing.exclude(status=TrainingSession.Status.CANCELLED)
                .values_list("starts_at", "ends_at")]
        busy += [engine.Interval(b.starts_at, b.ends_at) for b in BlockedSlot.objects.filter(coach=coach)]
        regulars = [clients[i] for i in REGULARS[email]]
        ranges = list(WeeklyAvailability.objects.filter(coach=coach))
        history: list[tuple[engine.Interval, SessionType, Client, float]] = []
        day = first
        while day <= last:
            rng = random.Random(f"northside:{email}:{day.isoformat()}")
            weeks_out = max((day - today).days, 0) / 7
            density = 0.55 if day < today else max(0.5 - 0.06 * weeks_out, 0.2)
            for wall in _cells(ranges, day):
                starts_at = _local(coach, day, wall)
                draw, pick, kind_draw, outcome = rng.random(), rng.choice(regulars), rng.random(), rng.random()
                standing = recurring.get((coach.pk, day.weekday(), wall))
                if standing is not None:
                    client, kind, every = by_email.get(standing[0]), standing[1], standing[2]
                    anchor = anchors.get((coach.pk, day.weekday(), wall), first)
                    if day >= today or day < anchor or client is None or (day - anchor).days // 7 % every:
                        continue  # recurring_create made the future ones; fortnightly ones skip a week
                elif draw < density:
                    client, kind = pick, "intro" if kind_draw < 0.06 else "mobility" if kind_draw < 0.2 else "pt"
                else:
                    continue
                slot = engine.Interval(starts_at, starts_at + timedelta(minutes=types[kind].duration_minutes))
                if starts_at in taken or any(b.overlaps(slot) for b in busy):
                    continue
                if slot.end <= now:
                    history.append((slot, types[kind], client, outcome))
                elif starts_at >= now + timedelta(hours=2):  # what is about to start stays open
                    _book(coach, actors[email], types[kind], client, starts_at, outcome, now)
            day += timedelta(days=1)
        _history(coach, history)


def _history(coach: Coach, history: list[tuple[engine.Interval, SessionType, Client, float]]) -> None:
    """The past, as it ended: written at once (hundreds of sessions through the booking services
    would make the demo slow to load, and their outcomes would all be dated today)."""
    sessions, bookings = [], []
    for slot, session_type, client, outcome in history:
        status, booking_status = TrainingSession.Status.COMPLETED, Booking.Status.COMPLETED
        cancelled_at = None
        if outcome < 0.08:  # a few cancellations: most by the client two days ahead, some by the coach
            status = TrainingSession.Status.CANCELLED
            by_client = outcome < 0.05
            booking_status = Booking.Status.CANCELLED_BY_CLIENT if by_client else Booking.Status.CANCELLED_BY_COACH
            cancelled_at = slot.start - (timedelta(days=2) if by_client else timedelta(hours=5))
        elif outcome < 0.14:
            status, booking_status = TrainingSession.Status.NO_SHOW, Booking.Status.NO_SHOW
        completed = status == TrainingSession.Status.COMPLETED
        sessions.append(TrainingSession(
            organization=coach.organization, coach=coach, session_type=session_type, room=coach.default_room,
            starts_at=slot.start, ends_at=slot.end, capacity=session_type.capacity, status=status,
            completed_at=slot.end if completed else None, cancelled_at=cancelled_at,
            notes=NOTES[int(outcome * 1000) % len(NOTES)] if completed and outcome > 0.8 else "",
        ))
        bookings.append((client, booking_status, cancelled_at))
    created = TrainingSession.objects.bulk_create(sessions)
    Booking.objects.bulk_create(
        Booking(organization=coach.organization, session=session, client=client, status=booking_status,
                cancelled_at=cancelled_at)
        for session, (client, booking_status, cancelled_at) in zip(created, bookings, strict=True)
    )


def _book(coach: Coach, actor: Any, session_type: SessionType, client: Client, starts_at: datetime,
          outcome: float, now: datetime) -> None:
    """An upcoming session, booked through the service the calendar uses; now and then a client
    cancels one well ahead."""
    try:
        booking = booking_create(coach=coach, session_type=session_type, client=client, starts_at=starts_at,
                                 actor=actor, mode=COACH, now=now)
    except SchedulingError:
        return  # something else is there (another demo, or the coach's own edits)
    if outcome < 0.04 and starts_at - now > timedelta(hours=coach.cancellation_window_hours):
        booking_cancel(booking=booking, actor=None, by=CLIENT, reason="Schedule clash", now=now)


def _group_classes(coach: Coach, actor: Any, group: SessionType, room: Room, clients: list[Client], today: date,
                   now: datetime) -> None:
    _email, weekday, wall = GROUP_CLASS
    members = clients[4:14]
    first = today - timedelta(weeks=PAST_WEEKS)
    day = first + timedelta(days=(weekday - first.weekday()) % 7)
    while day <= today + timedelta(weeks=FUTURE_WEEKS):
        starts_at = _local(coach, day, wall)
        ends_at = starts_at + timedelta(minutes=group.duration_minutes)
        day += timedelta(weeks=1)
        if TrainingSession.objects.filter(coach=coach, starts_at=starts_at).exists():
            continue
        if BlockedSlot.objects.filter(coach=coach, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            continue
        if not (ends_at <= now or starts_at >= now + timedelta(hours=2)):
            continue
        rng = random.Random(f"northside:class:{starts_at.isoformat()}")
        try:
            session = session_create(coach=coach, session_type=group, starts_at=starts_at, actor=actor, room=room)
        except SchedulingError:
            continue
        size = rng.randint(3, 6) if ends_at <= now else rng.randint(2, 6)
        for client in rng.sample(members, size):
            booking_create(coach=coach, session_type=group, client=client, starts_at=starts_at, actor=actor, mode=COACH,
                           now=starts_at - timedelta(days=3) if ends_at <= now else now)
        if ends_at <= now:
            session_complete(session=session, actor=actor, now=ends_at)
        elif size == group.capacity:
            waiting = [c for c in members if not Booking.objects.filter(session=session, client=c).exists()]
            waitlist_join(session=session, client=waiting[0], actor=None)
