"""Speed under load (issue #21): slots as a coach's history grows, and a short `make load`.

Figures (printed, never asserted):
- ``slots_for`` over one week for a coach with 30,000 past sessions against one with 300 (target: within
  10%; the overlap queries are bounded below by the longest session, coachos/scheduling/spans.py);
- the same three reads as `make load` (scripts/load.py) — uvicorn with 2 workers on this database — at 1
  and 8 concurrent, a couple of seconds each (`make load` runs the full ramp). Targets on a quiet 2-core
  machine: slots ≥ 130 req/s, /api/v1/me ≥ 250 req/s, booking page ≥ 150 req/s, p95 ≤ 100 ms at 8.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as wall
from pathlib import Path

from django.db import connection
from django.utils import timezone
from django_scopes import scope

from coachos.accounts.models import User
from coachos.scheduling import selectors
from coachos.scheduling.models import Coach, SessionType, TrainingSession, WeeklyAvailability
from coachos.scheduling.spans import session_overlap
from coachos.tenancy.services import organization_create

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SMALL, LARGE = 300, 30_000
RUNS = 40


def _coach_with_history(past: int, n: int) -> tuple[Coach, SessionType]:
    owner = User.objects.create_user(email=f"history{n}@bench.example", password="bench-password-1", name="Bench")
    org = organization_create(name=f"History {n}", owner=owner, timezone="America/Chicago")
    with scope(organization=org):
        coach = Coach.objects.select_related("organization").get(organization=org)
        session_type = SessionType.objects.create(organization=org, name="PT", duration_minutes=60)
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(organization=org, coach=coach, weekday=day, start_time=wall(7), end_time=wall(19))
            for day in range(7))
        start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
        TrainingSession.objects.bulk_create(
            (TrainingSession(organization=org, coach=coach, session_type=session_type, status="completed",
                             starts_at=start - timedelta(hours=2 * i), ends_at=start - timedelta(hours=2 * i - 1))
             for i in range(past)), batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_trainingsession")
    return coach, session_type


def _timings(coach: Coach, session_type: SessionType) -> tuple[float, float, float]:
    """(fastest, median, CPU median) in ms: on a shared machine the fastest run is the least disturbed."""
    today = timezone.now().astimezone(coach.organization.tzinfo).date()
    wall_ms, cpu_ms = [], []
    with scope(organization=coach.organization):
        for _ in range(RUNS):
            began, cpu = time.perf_counter(), time.process_time()
            selectors.slots_for(coach=coach, session_type=session_type, first_day=today,
                                last_day=today + timedelta(days=6))
            wall_ms.append((time.perf_counter() - began) * 1000)
            cpu_ms.append((time.process_time() - cpu) * 1000)
    return min(wall_ms), statistics.median(wall_ms), statistics.median(cpu_ms)


def _rows_read(coach: Coach) -> int:
    """Rows PostgreSQL reads for the week's sessions query (EXPLAIN ANALYZE: returned + filtered out)."""
    now = timezone.now()
    with scope(organization=coach.organization):
        plan = (TrainingSession.objects.filter(session_overlap(now - timedelta(days=8), now + timedelta(days=16)),
                                               coach=coach, status__in=TrainingSession.ACTIVE)
                .values_list("starts_at", "ends_at").explain(analyze=True))
    rows = re.findall(r"actual time=\S+ rows=(\d+)", plan)[:1] + re.findall(r"Rows Removed by Filter: (\d+)", plan)
    return sum(int(n) for n in rows)


def _history_figures() -> list[tuple[str, str]]:
    small = _coach_with_history(SMALL, 1)
    large = _coach_with_history(LARGE, 2)
    _timings(*small), _timings(*large)  # warm
    (small_min, small_med, small_cpu), (large_min, large_med, large_cpu) = _timings(*small), _timings(*large)
    ratio = large_min / small_min if small_min else 0.0
    verdict = "met" if ratio <= 1.10 else "NOT MET"
    return [
        (f"slots_for, one week, coach with {SMALL:,} past sessions", f"{small_min:.2f} ms fastest, {small_med:.2f} "
                                                                     f"median, {small_cpu:.2f} ms CPU; sessions "
                                                                     f"query reads {_rows_read(small[0]):,} rows"),
        (f"slots_for, one week, coach with {LARGE:,} past sessions", f"{large_min:.2f} ms fastest, {large_med:.2f} "
                                                                     f"median, {large_cpu:.2f} ms CPU; sessions "
                                                                     f"query reads {_rows_read(large[0]):,} rows"),
        ("  30,000 against 300 (fastest runs; target ≤ 1.10×)", f"{ratio:.2f}× — {verdict}"),
    ]


def _load_figures() -> list[tuple[str, str]]:
    from scripts import load

    seconds = float(os.environ.get("BENCH_LOAD_SECONDS", "2"))
    url = os.environ["DATABASE_URL"]
    started = datetime.now()  # noqa: DTZ005 - a duration only
    rows = load.run_load(database_url=url, levels=[1, 8], seconds=seconds)
    took = (datetime.now() - started).total_seconds()  # noqa: DTZ005
    return [(label, value) for label, value in rows] + [("load run (start servers, warm up, drive)", f"{took:.0f} s")]


def run() -> list[tuple[str, str]]:
    return _history_figures() + _load_figures()
