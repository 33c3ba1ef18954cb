"""Insights with five years of history: one business with 2,000 clients, 100,000 sessions (8 coaches),
20,000 payments; and the weekly digest for many businesses.

Printed: the server time per request of the Insights API and page (median and p95 through Django's test
client: view, ORM and database), with the number of SQL queries; and the time to write the weekly digest
for N businesses. Targets (issue 18): page and API ≤ 300 ms; the digest for 10,000 businesses ≤ 60 s.
Printed, never asserted.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as clock
from typing import Any

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import User
from coachos.accounts.services import api_token_create
from coachos.books.models import MoneyEvent
from coachos.clients.models import Client
from coachos.credits.models import ClientPackage
from coachos.insights import digest
from coachos.insights.models import InsightsSettings
from coachos.scheduling.models import Booking, SessionType, TrainingSession, WeeklyAvailability
from coachos.scheduling.services import coach_ensure
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role
from coachos.tenancy.services import organization_create

YEARS = 5
CLIENTS, SESSIONS, PAYMENTS, COACHES = 2_000, 100_000, 20_000, 8
DIGEST_BUSINESSES = int(os.environ.get("BENCH_DIGEST_BUSINESSES", "10000"))
RUNS = 15


def _history() -> dict[str, Any]:
    rng = random.Random(18)
    owner = User.objects.create_user(email="insights-owner@bench.example", password=None, name="Owner Bench")
    org = organization_create(name="Insights Bench Gym", owner=owner, timezone="America/Chicago")
    tz = org.tzinfo
    with scope(organization=org):
        coaches = [coach_ensure(membership=Membership.objects.get(organization=org, user=owner))]
        for n in range(COACHES - 1):
            user = User.objects.create_user(email=f"coach{n}@bench.example", password=None, name=f"Coach {n}")
            coaches.append(coach_ensure(membership=Membership.objects.create(organization=org, user=user,
                                                                             role=Role.COACH)))
        WeeklyAvailability.objects.bulk_create([
            WeeklyAvailability(organization=org, coach=c, weekday=d, start_time=clock(7), end_time=clock(19))
            for c in coaches for d in range(5)])
        kind = SessionType.objects.create(organization=org, name="Personal training", price_minor=8000)
        clients = Client.objects.bulk_create([Client(organization=org, first_name=f"Client{n}", last_name="Bench")
                                              for n in range(CLIENTS)])
        today = timezone.now().astimezone(tz).date()
        first = today - timedelta(days=365 * YEARS)
        slots = [(c, day, hour) for day in (first + timedelta(days=n) for n in range((today - first).days + 21))
                 if day.weekday() < 5 for hour in range(7, 19) for c in coaches]
        chosen = rng.sample(slots, SESSIONS)
        now = timezone.now()
        sessions, statuses = [], []
        for coach, day, hour in chosen:
            starts = datetime.combine(day, clock(hour), tzinfo=tz)
            if starts > now:
                status = "scheduled"
            else:
                status = rng.choices(["completed", "no_show", "cancelled"], [90, 6, 4])[0]
            statuses.append(status)
            sessions.append(TrainingSession(organization=org, coach=coach, session_type=kind, starts_at=starts,
                                            ends_at=starts + timedelta(hours=1), status=status))
        TrainingSession.objects.bulk_create(sessions, batch_size=5000)
        booking_status = {"scheduled": "confirmed", "completed": "completed", "no_show": "no_show",
                          "cancelled": "cancelled_by_client"}
        Booking.objects.bulk_create([
            Booking(organization=org, session=s, client=clients[rng.randrange(CLIENTS)], status=booking_status[st],
                    late_cancellation=st == "cancelled" and rng.random() < 0.5)
            for s, st in zip(sessions, statuses, strict=True)], batch_size=5000)
        MoneyEvent.objects.bulk_create([
            MoneyEvent(organization=org, kind=rng.choice(["sale", "manual_payment"]), amount_minor=rng.choice(
                [8000, 16000, 60000]), currency=org.currency, client=clients[rng.randrange(CLIENTS)],
                occurred_at=now - timedelta(minutes=rng.randrange(60 * 24 * 365 * YEARS)))
            for _ in range(PAYMENTS)], batch_size=5000)
        ClientPackage.objects.bulk_create([
            ClientPackage(organization=org, client=clients[n], name="10 sessions", total=10, remaining=rng.randrange(11),
                          source="sold", expires_at=now + timedelta(days=rng.randrange(-400, 90)))
            for n in range(0, CLIENTS, 2)], batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"org": org, "owner": owner, "today": today, "first": first}


def _timed(label: str, call: Callable[[], Any], runs: int = RUNS) -> list[tuple[str, str]]:
    call()  # warm
    times = []
    with CaptureQueriesContext(connection) as queries:
        call()
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return [(label, f"median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, {len(queries)} queries "
                    f"(target ≤ 300 ms)")]


def _get(client: HttpClient, path: str, **headers: str) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code)
        return response
    return call


def _digest_businesses(n: int) -> None:
    with scopes_disabled():
        users = User.objects.bulk_create([User(email=f"digest{i}@bench.example", name=f"Owner {i}")
                                          for i in range(n)], batch_size=2000)
        orgs = Organization.objects.bulk_create([Organization(name=f"Digest {i}", slug=f"digest-bench-{i}",
                                                              timezone="Europe/London") for i in range(n)],
                                                batch_size=2000)
        Membership.objects.bulk_create([Membership(organization=o, user=u, role=Role.OWNER)
                                        for o, u in zip(orgs, users, strict=True)], batch_size=2000)
        due = timezone.now() - timedelta(minutes=1)
        InsightsSettings.objects.bulk_create([InsightsSettings(organization=o, digest_next_at=due) for o in orgs],
                                             batch_size=2000)


def run() -> list[tuple[str, str]]:
    made = _history()
    org, today, first = made["org"], made["today"], made["first"]
    figures: list[tuple[str, str]] = [("clients / sessions / payments", f"{CLIENTS} / {SESSIONS} / {PAYMENTS}")]
    _token, raw = api_token_create(user=made["owner"], organization=org, name="bench")
    team = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    http = HttpClient(HTTP_HOST="127.0.0.1")
    month_start = today.replace(day=1)
    for label, start, end in (("this month", month_start, today), ("last 90 days", today - timedelta(days=89), today),
                              ("one year", today - timedelta(days=364), today), ("five years", first, today)):
        figures += _timed(f"GET /api/v1/insights ({label})",
                          _get(http, f"/api/v1/insights?start={start}&end={end}", **team))
    browser = HttpClient(HTTP_HOST="127.0.0.1")
    browser.force_login(made["owner"])
    figures += _timed("Insights page (this month)", _get(browser, f"/o/{org.slug}/insights/"))
    figures += _timed("Insights page (one year)", _get(
        browser, f"/o/{org.slug}/insights/?preset=custom&start={today - timedelta(days=364)}&end={today}"))

    _digest_businesses(DIGEST_BUSINESSES)
    started = time.perf_counter()
    sent = digest.send_due()
    elapsed = time.perf_counter() - started
    figures.append((f"weekly digest, {DIGEST_BUSINESSES} businesses", f"{elapsed:.1f} s for {sent} digests "
                                                                        "(target ≤ 60 s)"))
    return figures


