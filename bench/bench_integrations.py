"""Connected calendars at size: open slots for a coach with 2 connected calendars holding 2,000 busy
events in the range, against the same query without them (issue 20: within 2×). The slots are read
through the API (``GET /api/v1/slots``, 31 days) and through the selector alone; the calendars' busy
times come from their cached copy (fresh, so no calendar is called). Printed, never asserted.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from datetime import time as wall
from typing import Any

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from coachos.accounts.models import User
from coachos.accounts.services import api_token_create
from coachos.integrations.models import BusyBlock, CalendarConnection
from coachos.scheduling import selectors
from coachos.scheduling.models import Coach, SessionType, WeeklyAvailability
from coachos.tenancy.services import organization_create

RUNS = 30
EVENTS_PER_CALENDAR = 1000
DAYS = 31


def _median_ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def run() -> list[tuple[str, str]]:
    rng = random.Random(20)
    owner = User.objects.create_user(email="calendars@bench.example", password=None, name="Bench Owner")
    org = organization_create(name="Bench Calendars", owner=owner, timezone="America/Chicago")
    tz = org.tzinfo
    _token, raw = api_token_create(user=owner, organization=org, name="bench")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    http = HttpClient(HTTP_HOST="127.0.0.1")
    today = timezone.now().astimezone(tz).date()
    first, last = today + timedelta(days=1), today + timedelta(days=DAYS)
    with scope(organization=org):
        coach = Coach.objects.select_related("organization").get(organization=org)
        Coach.objects.filter(pk=coach.pk).update(min_notice_minutes=0, slot_step_minutes=15)
        coach.refresh_from_db()
        session_type = SessionType.objects.create(organization=org, name="PT", duration_minutes=60)
        WeeklyAvailability.objects.bulk_create([
            WeeklyAvailability(organization=org, coach=coach, weekday=d, start_time=wall(6), end_time=wall(21))
            for d in range(7)])
    params = {"coach": coach.pk, "session_type": session_type.pk, "start": first.isoformat(), "end": last.isoformat()}

    def api() -> int:
        response = http.get("/api/v1/slots", params, **headers)
        assert response.status_code == 200, response.content[:300]
        return len(response.json()["slots"])

    def selector() -> int:
        with scope(organization=org):
            return len(selectors.slots_for(coach=coach, session_type=session_type, first_day=first, last_day=last))

    api()
    without_api, open_without = _median_ms(api)
    without_sel, _ = _median_ms(selector)
    with CaptureQueriesContext(connection) as plain:
        api()

    now = timezone.now()
    with scope(organization=org):
        for name in ("Work", "Family"):
            calendar = CalendarConnection.objects.create(
                organization=org, coach=coach, provider=CalendarConnection.Provider.CALDAV, name=name,
                url="https://caldav.example.org/", calendar_id="https://caldav.example.org/cal/", busy_source=True,
                last_synced_at=now, last_attempt_at=now)
            blocks = []
            for _ in range(EVENTS_PER_CALENDAR):
                day = first + timedelta(days=rng.randrange(DAYS))
                start = datetime.combine(day, wall(rng.randrange(0, 24), rng.choice((0, 15, 30, 45))), tzinfo=tz)
                blocks.append(BusyBlock(organization=org, connection=calendar, coach=coach, starts_at=start,
                                        ends_at=start + timedelta(minutes=rng.choice((15, 30, 45, 60)))))
            BusyBlock.objects.bulk_create(blocks)
    api()
    with_api, open_with = _median_ms(api)
    with_sel, _ = _median_ms(selector)
    with CaptureQueriesContext(connection) as busy:
        api()
    return [
        ("GET /api/v1/slots, 31 days, no calendars (median)", f"{without_api:.1f} ms, {open_without} slots"),
        ("GET /api/v1/slots, 2 calendars × 1,000 events (median)", f"{with_api:.1f} ms, {open_with} slots"),
        ("  ratio with / without (target ≤ 2×)", f"{with_api / without_api:.2f}×"),
        ("  SQL queries without / with", f"{len(plain.captured_queries)} / {len(busy.captured_queries)}"),
        ("slots_for selector alone, without / with (median)", f"{without_sel:.1f} ms / {with_sel:.1f} ms"),
        ("  ratio (selector)", f"{with_sel / without_sel:.2f}×"),
    ]
