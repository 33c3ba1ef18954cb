"""Progress with five years of history: the progress API, the progress pages and the PDF report.

One client with five years of daily weights and weekly waist, hips, chest and body fat (~2,900
measurements), 500 sessions (most completed, some missed, a few ahead), three goals and two tasks ticked
for two years. Printed for each: the server time per request (median and p95, in this process through
Django's test client: what the view, the ORM and the database cost) and the number of SQL queries, which
must not grow with the history. Targets (issue 14): the progress API and page ≤ 100 ms in a constant
number of queries; the PDF report ≤ 1 s. Printed, never asserted.

The pages are built alongside this report (``progress:page`` for the team, ``portal_progress:index`` for
the client): a route that does not exist yet prints "not yet".
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_scopes import scope

from coachos.accounts.models import User
from coachos.accounts.services import api_token_create
from coachos.clients.models import Client
from coachos.progress import services
from coachos.progress.demo import write_series, write_sessions, write_ticks
from coachos.progress.periods import Repeat
from coachos.progress.report import progress_report_pdf
from coachos.progress.selectors.summary import progress_summary
from coachos.scheduling.models import Booking, SessionType
from coachos.scheduling.services import coach_ensure
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role
from coachos.tenancy.services import organization_create

YEARS = 5
SESSIONS = 500
FAST, SLOW = 40, 8  # requests per figure: pages and API; PDFs


def _history() -> dict[str, Any]:
    owner = User.objects.create_user(email="progress-owner@bench.example", password=None, name="Owner Bench")
    org = organization_create(name="Progress Bench Gym", owner=owner, timezone="America/Chicago")
    with scope(organization=org):
        membership = Membership.objects.get(organization=org, user=owner)
        coach = coach_ensure(membership=membership)
        session_type = SessionType.objects.create(organization=org, name="Personal training", duration_minutes=60,
                                                  price_minor=8000)
        person = User.objects.create_user(email="progress-client@bench.example", password=None, name="Client Bench")
        Membership.objects.create(organization=org, user=person, role=Role.CLIENT)
        # No email on the record: the attendance goal is achieved at once, and its congratulations would
        # print here through the console email backend.
        client = Client.objects.create(organization=org, user=person, first_name="Client", last_name="Bench")
        client = Client.objects.select_related("organization").get(pk=client.pk)
        today = timezone.now().astimezone(org.tzinfo).date()
        first = today - timedelta(days=365 * YEARS)

        def at(day: date, hour: int) -> datetime:
            return datetime.combine(day, clock(hour), tzinfo=org.tzinfo)

        days = (today - first).days + 1
        rows = write_series(client, "weight", "kg", [
            (at(first + timedelta(days=n), 7), Decimal(str(round(92 - 14 * n / days + (n % 9) * 0.1, 1))))
            for n in range(days)])
        for kind, unit, base, drift in (("waist", "cm", 98, -10), ("hips", "cm", 108, -6), ("chest", "cm", 104, 2),
                                        ("body_fat", "%", 30, -8)):
            weeks = days // 7
            rows += write_series(client, kind, unit, [
                (at(first + timedelta(days=7 * w), 18), Decimal(str(round(base + drift * w / weeks, 1))))
                for w in range(weeks)])
        step = (days - 30) / (SESSIONS - 20)
        plan = [(at(first + timedelta(days=int(i * step)), 16),
                 Booking.Status.NO_SHOW if i % 16 == 5 else Booking.Status.COMPLETED) for i in range(SESSIONS - 20)]
        plan += [(at(today + timedelta(days=2 + i), 9), Booking.Status.CONFIRMED) for i in range(20)]
        write_sessions(client, coach, session_type, plan)
        goal = services.goal_create(client=client, actor=None, title="Reach 70 kg", measurement_kind="weight",
                                    target_value=Decimal(70), target_unit="kg", start_date=first)
        for n in range(3):
            services.milestone_add(goal=goal, actor=None, title=f"Step {n + 1}")
        services.goal_create(client=client, actor=None, title="50 sessions this year", target_type="attendance",
                             target_value=Decimal(50), start_date=today - timedelta(days=300),
                             target_date=today + timedelta(days=65))
        services.goal_create(client=client, actor=None, title="Run 10 km")
        daily = services.task_create(client=client, actor=None, title="Log your meals", repeat=Repeat.DAILY,
                                     start_date=today - timedelta(days=730))
        write_ticks(daily, [today - timedelta(days=n) for n in range(1, 730) if n % 11])
        weekly = services.task_create(client=client, actor=None, title="Stretch", repeat=Repeat.WEEKLY,
                                      start_date=today - timedelta(days=730))
        write_ticks(weekly, [today - timedelta(days=today.weekday() + 7 * n) for n in range(1, 104)])
    return {"org": org, "owner": owner, "person": person, "client": client, "rows": rows, "first": first,
            "today": today}


def _timed(label: str, run: Callable[[], Any], count: int) -> list[tuple[str, str]]:
    """Median and p95 milliseconds of ``run``, and the queries of one run (checked the same each time)."""
    run()  # warm: templates, the first query plans
    samples, queries = [], set()
    for _ in range(count):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1000)
        queries.add(len(captured.captured_queries))
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    shown_queries = "/".join(str(q) for q in sorted(queries))
    return [(f"{label}: median ms", f"{statistics.median(samples):.1f}"), (f"{label}: p95 ms", f"{p95:.1f}"),
            (f"{label}: queries", shown_queries)]


def _get(http: HttpClient, path: str, **headers: str) -> Callable[[], Any]:
    def run() -> Any:
        response = http.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return response

    return run


def _page(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def run() -> list[tuple[str, str]]:
    made = _history()
    org, client, first, today = made["org"], made["client"], made["first"], made["today"]
    figures: list[tuple[str, str]] = [("measurements / sessions of the client", f"{made['rows']} / {SESSIONS}")]
    _token, raw = api_token_create(user=made["owner"], organization=org, name="bench")
    team = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    http = HttpClient(HTTP_HOST="127.0.0.1")
    api = f"/api/v1/clients/{client.pk}/progress"
    figures += _timed("GET …/progress (last 30 days)", _get(http, api, **team), FAST)
    figures += _timed("GET …/progress (five years)", _get(http, f"{api}?start={first.isoformat()}", **team), FAST)

    with scope(organization=org):
        figures += _timed("progress_summary selector (five years)",
                          lambda: progress_summary(client, start=first, end=today), FAST)

    browser = HttpClient(HTTP_HOST="127.0.0.1")
    browser.force_login(made["owner"])
    portal = HttpClient(HTTP_HOST="127.0.0.1")
    portal.force_login(made["person"])
    for label, path, who in (
            ("team progress page", _page("progress:page", org_slug=org.slug, client_id=client.pk), browser),
            ("team progress section", _page("progress:section", org_slug=org.slug, client_id=client.pk), browser),
            ("portal progress page", _page("portal_progress:index", org_slug=org.slug), portal)):
        if path is None:
            figures.append((f"{label}", "not yet"))
            continue
        figures += _timed(label, _get(who, path), FAST)

    pdf = f"{api}/report.pdf"
    figures += _timed("GET …/progress/report.pdf (last 90 days)", _get(http, pdf, **team), SLOW)
    figures += _timed("GET …/progress/report.pdf (one year)",
                      _get(http, f"{pdf}?start={(today - timedelta(days=364)).isoformat()}", **team), SLOW)
    figures += _timed("GET …/progress/report.pdf (five years)", _get(http, f"{pdf}?start={first.isoformat()}", **team),
                      SLOW)
    with scope(organization=org):
        size = len(progress_report_pdf(client=client, start=first, end=today, viewer=made["owner"]))
    figures.append(("PDF size, five years (KB)", f"{size / 1024:.0f}"))
    return figures
