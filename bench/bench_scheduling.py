"""Scheduling at size: open slots over 6 weeks, the daily recurring job for 10,000 recurring
bookings, and the calendar's week of sessions among 5,000.

Targets (printed, never asserted): slots for one coach over 6 weeks, pure engine ≤ 5 ms;
the daily extension of 10,000 recurring bookings ≤ 10 s.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as wall
from typing import Any

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import User
from coachos.clients.models import Client
from coachos.scheduling import selectors
from coachos.scheduling import slots as engine
from coachos.scheduling.models import (
    AvailabilityAddition,
    BlockedSlot,
    Booking,
    Coach,
    RecurringBooking,
    SessionType,
    TrainingSession,
    WeeklyAvailability,
)
from coachos.scheduling.services import recurring_extend_all
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role
from coachos.tenancy.services import organization_create

TZ_NAME = "America/Chicago"
SLOT_RUNS = 30
BUSINESSES, COACHES_PER_BUSINESS, RECURRING_PER_COACH = 200, 5, 10  # 10,000 recurring bookings
CALENDAR_SESSIONS = 5000


def _median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def _owner(email: str) -> User:
    return User.objects.create_user(email=email, password="bench-password-1", name="Bench Owner")


def _coach_of(org: Organization) -> Coach:
    with scope(organization=org):
        return Coach.objects.select_related("organization", "membership__user").get(organization=org)


# --- (a) slots over 6 weeks -------------------------------------------------------------------------

def _slots_figures() -> list[tuple[str, str]]:
    rng = random.Random(1)
    org = organization_create(name="Bench Slots", owner=_owner("slots@bench.example"), timezone=TZ_NAME)
    coach = _coach_of(org)
    tz = org.tzinfo
    today = timezone.now().astimezone(tz).date()
    first_day, last_day = today, today + timedelta(weeks=6, days=-1)
    with scope(organization=org):
        Coach.objects.filter(pk=coach.pk).update(min_notice_minutes=0, buffer_after_minutes=10)
        coach.refresh_from_db()
        session_type = SessionType.objects.create(organization=org, name="PT", duration_minutes=60)
        client = Client.objects.create(organization=org, first_name="Bench", email="bench-client@example.com")
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(organization=org, coach=coach, weekday=d, start_time=wall(6), end_time=wall(20))
            for d in range(6)
        )
        days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
        workdays = [d for d in days if d.weekday() < 6]

        def at(day: date, hour: int, minute: int = 0) -> datetime:
            return engine.local_to_utc(day, wall(hour, minute), tz)

        BlockedSlot.objects.bulk_create(
            BlockedSlot(organization=org, coach=coach, starts_at=(s := at(rng.choice(workdays), rng.randrange(6, 19),
                                                                            rng.choice((0, 30)))),
                        ends_at=s + timedelta(minutes=rng.choice((30, 60, 90))))
            for _ in range(100)
        )
        AvailabilityAddition.objects.bulk_create(
            AvailabilityAddition(organization=org, coach=coach, starts_at=(s := at(rng.choice(days), rng.choice((20, 7)))),
                                 ends_at=s + timedelta(hours=2))
            for _ in range(30)
        )
        # 300 sessions on distinct (day, hour) cells of the template, so none overlap.
        cells = rng.sample([(d, h) for d in workdays for h in range(6, 20)], 300)
        sessions = TrainingSession.objects.bulk_create(
            TrainingSession(organization=org, coach=coach, session_type=session_type, starts_at=at(d, h),
                            ends_at=at(d, h) + timedelta(minutes=50), capacity=1)
            for d, h in cells
        )
        Booking.objects.bulk_create(Booking(organization=org, session=s, client=client) for s in sessions)

        def db_and_engine() -> list[engine.Slot]:
            return selectors.slots_for(coach=coach, session_type=session_type, first_day=first_day, last_day=last_day)

        full_ms, found = _median_ms(db_and_engine, SLOT_RUNS)
        query = selectors.slot_query(coach=coach, session_type=session_type, first_day=first_day, last_day=last_day)
        engine_ms, _found = _median_ms(lambda: engine.compute_slots(query), SLOT_RUNS * 3)
        with CaptureQueriesContext(connection) as queries:
            db_and_engine()
    return [
        ("slots, 6 weeks, Mon-Sat 06-20, 100 blocked, 30 added, 300 sessions", f"{len(found)} slots"),
        ("  selectors.slots_for (database + engine): median ms", f"{full_ms:.2f}"),
        ("  selectors.slots_for: SQL queries", str(len(queries.captured_queries))),
        ("  engine.compute_slots alone: median ms (target <= 5)", f"{engine_ms:.2f}"),
    ]


# --- (b) the daily recurring job ---------------------------------------------------------------------

def _recurring_data() -> list[Organization]:
    """200 businesses × 5 coaches × 10 weekly bookings on every day of the week, from 07:00."""
    with scopes_disabled():
        orgs = Organization.objects.bulk_create(
            Organization(name=f"Recurring {n}", slug=f"recurring-{n}", timezone=TZ_NAME) for n in range(BUSINESSES)
        )
        users = User.objects.bulk_create(
            User(email=f"coach{n}@recurring.example", name=f"Coach {n}", password="!")
            for n in range(BUSINESSES * COACHES_PER_BUSINESS)
        )
        memberships = Membership.objects.bulk_create(
            Membership(organization=orgs[n // COACHES_PER_BUSINESS], user=user, role=Role.COACH)
            for n, user in enumerate(users)
        )
        coaches = Coach.objects.bulk_create(
            Coach(organization_id=m.organization_id, membership=m, min_notice_minutes=0) for m in memberships
        )
        types = {org.pk: t for org, t in zip(orgs, SessionType.objects.bulk_create(
            SessionType(organization=org, name="PT", duration_minutes=60) for org in orgs), strict=True)}
        clients = Client.objects.bulk_create(
            Client(organization=org, first_name=f"Client {n}", email=f"c{n}@example.com")
            for org in orgs for n in range(COACHES_PER_BUSINESS * RECURRING_PER_COACH)
        )
        by_org: dict[int, list[Client]] = {}
        for client in clients:
            by_org.setdefault(client.organization_id, []).append(client)
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(organization_id=c.organization_id, coach=c, weekday=d, start_time=wall(6),
                               end_time=wall(20))
            for c in coaches for d in range(7)
        )
        start = timezone.now().astimezone(orgs[0].tzinfo).date() - timedelta(days=14)
        recurring = []
        for index, coach in enumerate(coaches):
            org_clients = by_org[coach.organization_id]
            for k in range(RECURRING_PER_COACH):
                recurring.append(RecurringBooking(
                    organization_id=coach.organization_id, coach=coach,
                    client=org_clients[(index % COACHES_PER_BUSINESS) * RECURRING_PER_COACH + k],
                    session_type=types[coach.organization_id], weekday=k % 7, start_time=wall(7 + 3 * (k // 7)),
                    start_date=start, every_weeks=1,
                ))
        RecurringBooking.objects.bulk_create(recurring, batch_size=2000)
    return orgs


def _extend_all(orgs: list[Organization], now: datetime) -> tuple[float, dict[str, int]]:
    totals = {"created": 0, "skipped": 0, "coaches": 0}
    started = time.perf_counter()
    for org in orgs:
        with scope(organization=org):
            result = recurring_extend_all(organization=org, now=now)
        for key in totals:
            totals[key] += result[key]
    return time.perf_counter() - started, totals


def _recurring_figures() -> list[tuple[str, str]]:
    started = time.perf_counter()
    orgs = _recurring_data()
    setup_s = time.perf_counter() - started
    now = timezone.now()
    fill_s, fill = _extend_all(orgs, now)
    daily_s, daily = _extend_all(orgs, now + timedelta(days=1))
    again_s, again = _extend_all(orgs, now + timedelta(days=1))
    with scopes_disabled():
        total = RecurringBooking.objects.filter(status=RecurringBooking.Status.ACTIVE).count()
    return [
        (f"recurring: {total:,} active recurring bookings, {len(orgs)} businesses", f"setup {setup_s:.1f} s"),
        ("  first 6-week fill (recurring_extend_all, all businesses): s", f"{fill_s:.2f} ({fill['created']:,} sessions)"),
        ("  daily extension one day later: s (target <= 10)", f"{daily_s:.2f} ({daily['created']:,} sessions, "
                                                              f"{daily['coaches']} coaches)"),
        ("  the same run again (nothing due): s", f"{again_s:.2f} ({again['created']} sessions)"),
    ]


# --- (c) the calendar week ---------------------------------------------------------------------------

def _calendar_figures() -> list[tuple[str, str]]:
    rng = random.Random(3)
    owner = _owner("calendar@bench.example")
    org = organization_create(name="Bench Calendar", owner=owner, timezone=TZ_NAME)
    tz = org.tzinfo
    today = timezone.now().astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    with scope(organization=org):
        main = _coach_of(org)
        users = User.objects.bulk_create(User(email=f"cal{n}@bench.example", name=f"Cal {n}", password="!")
                                         for n in range(4))
        memberships = Membership.objects.bulk_create(Membership(organization=org, user=u, role=Role.COACH)
                                                     for u in users)
        coaches = [main, *Coach.objects.bulk_create(Coach(organization=org, membership=m) for m in memberships)]
        session_type = SessionType.objects.create(organization=org, name="PT", duration_minutes=60)
        clients = Client.objects.bulk_create(Client(organization=org, first_name=f"Cal {n}", email=f"cal{n}@example.com")
                                             for n in range(200))
        per_coach = CALENDAR_SESSIONS // len(coaches)
        sessions = []
        for coach in coaches:
            # Distinct hours over 20 weeks around this week: 1,000 per coach, none overlapping.
            cells = rng.sample([(monday + timedelta(days=d), h) for d in range(-70, 70) for h in range(6, 20)],
                               per_coach)
            for day, hour in cells:
                starts = engine.local_to_utc(day, wall(hour), tz)
                sessions.append(TrainingSession(organization=org, coach=coach, session_type=session_type,
                                                starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=1))
        sessions = TrainingSession.objects.bulk_create(sessions, batch_size=2000)
        Booking.objects.bulk_create((Booking(organization=org, session=s, client=rng.choice(clients))
                                     for s in sessions), batch_size=2000)
        start = engine.local_to_utc(monday, wall(0), tz)
        end = engine.local_to_utc(monday + timedelta(days=7), wall(0), tz)

        def week() -> list[tuple[str, str, list[str]]]:
            return [(s.session_type.name, s.coach.name, [b.client.first_name for b in s.bookings.all()])
                    for s in selectors.sessions_in_range(start=start, end=end, coach=main)]

        week_ms, shown = _median_ms(week, SLOT_RUNS)
        with CaptureQueriesContext(connection) as queries:
            week()
    figures = [
        (f"calendar: one coach's week among {len(sessions):,} sessions", f"{len(shown)} sessions"),
        ("  selectors.sessions_in_range + bookings and names: median ms", f"{week_ms:.2f}"),
        ("  selectors.sessions_in_range: SQL queries", str(len(queries.captured_queries))),
    ]
    try:
        path = reverse("calendar:events", kwargs={"org_slug": org.slug})
        http = HttpClient(HTTP_HOST="127.0.0.1")
        http.force_login(owner)
        params = {"start": f"{monday.isoformat()}T00:00:00", "end": f"{(monday + timedelta(days=7)).isoformat()}T00:00:00",
                  "coach": str(main.pk)}
        response = http.get(path, params)
        if response.status_code != 200:
            raise Resolver404(f"status {response.status_code}")
        events_ms, _response = _median_ms(lambda: http.get(path, params), SLOT_RUNS)
        with CaptureQueriesContext(connection) as queries:
            http.get(path, params)
        figures += [
            (f"  GET {path.replace(org.slug, '<slug>')} (week, one coach): median ms", f"{events_ms:.2f}"),
            ("  GET .../calendar/events: SQL queries", str(len(queries.captured_queries))),
        ]
    except (Resolver404, NoReverseMatch, ImportError) as exc:
        figures.append(("  calendar view not available", type(exc).__name__))
    return figures


def run() -> list[tuple[str, str]]:
    return [*_slots_figures(), *_recurring_figures(), *_calendar_figures()]
