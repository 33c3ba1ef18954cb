"""The resource library at scale: 5,000 resources, 500 clients, 50,000 shares.

Printed (never asserted): the server time (median and p95, through Django's test client in this process)
and SQL queries of the coach's library list (API and page; first page, a later page, a search) and of a
client's library (API and portal page) — targets ≤ 50 ms in a constant number of queries; the scheduled
share job delivering 10,000 due shares — target ≤ 10 s; and a CSV export of 100,000 engagement rows,
streamed, with the process's peak RSS before and after and the export's own peak Python allocation.
"""

from __future__ import annotations

import resource as rlimit
import statistics
import time
import tracemalloc
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from coachos.accounts.models import User
from coachos.accounts.services import api_token_create
from coachos.clients.models import Client
from coachos.library.export import export_lines
from coachos.library.models import Collection, CollectionItem, Engagement, Grant, Resource, Share
from coachos.library.sharing import shares_run_due
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role
from coachos.tenancy.services import organization_create

RESOURCES, CLIENTS, SHARES, DUE, ROWS = 5_000, 500, 50_000, 10_000, 100_000
COUNT = 30


def _setup() -> dict[str, Any]:
    owner = User.objects.create_user(email="library-owner@bench.example", password=None, name="Owner Bench")
    org = organization_create(name="Library Bench Gym", owner=owner, timezone="America/Chicago")
    person = User.objects.create_user(email="library-client@bench.example", password=None, name="Client Bench")
    now = timezone.now()
    with scope(organization=org):
        Membership.objects.create(organization=org, user=person, role=Role.CLIENT)
        # No addresses: nothing is printed by the console email backend (the outbox still records each).
        Client.objects.bulk_create([Client(organization=org, first_name=f"Client{n}", last_name="Bench",
                                           user=person if n == 0 else None) for n in range(CLIENTS)])
        clients = list(Client.objects.order_by("pk").values_list("pk", flat=True))
        Resource.objects.bulk_create([
            Resource(organization=org, kind="link", media="web", title=f"Lesson {n}", description=f"Drill number {n}",
                     tags="mobility" if n % 7 == 0 else "strength", url=f"https://example.com/{n}",
                     created_at=now - timedelta(minutes=n)) for n in range(RESOURCES)], batch_size=2000)
        resources = list(Resource.objects.order_by("pk").values_list("pk", flat=True))
        collections = Collection.objects.bulk_create([Collection(organization=org, title=f"Course {n}",
                                                                 sequential=n % 2 == 0) for n in range(50)])
        CollectionItem.objects.bulk_create([CollectionItem(organization=org, collection=c, resource_id=resources[i * 10 + k],
                                                           position=k) for i, c in enumerate(collections)
                                            for k in range(10)])
        per_client = SHARES // CLIENTS
        shares = Share.objects.bulk_create([
            Share(organization=org, resource_id=resources[(c * 37 + k) % RESOURCES], audience="clients",
                  first_at=now - timedelta(days=1), status="sent", runs=1)
            for c in range(CLIENTS) for k in range(per_client)], batch_size=5000)
        through = Share.clients.through
        through.objects.bulk_create([through(share_id=s.pk, client_id=clients[i // per_client])
                                     for i, s in enumerate(shares)], batch_size=5000)
        Grant.objects.bulk_create([Grant(organization=org, client_id=clients[i // per_client], resource_id=s.resource_id,
                                         share=s, granted_at=now) for i, s in enumerate(shares)],
                                  batch_size=5000, ignore_conflicts=True)
        Grant.objects.bulk_create([Grant(organization=org, client_id=clients[0], collection=c, granted_at=now,
                                         released=None if n % 2 else 5) for n, c in enumerate(collections[:5])])
    return {"org": org, "owner": owner, "person": person, "clients": clients, "resources": resources, "now": now}


def _timed(label: str, run: Callable[[], Any], count: int = COUNT) -> list[tuple[str, str]]:
    run()
    samples, queries = [], set()
    for _ in range(count):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1000)
        queries.add(len(captured.captured_queries))
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return [(f"{label}: median ms", f"{statistics.median(samples):.1f}"), (f"{label}: p95 ms", f"{p95:.1f}"),
            (f"{label}: queries", "/".join(str(q) for q in sorted(queries)))]


def _get(http: HttpClient, path: str, **headers: str) -> Callable[[], Any]:
    def run() -> Any:
        response = http.get(path, **headers)
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        return response

    return run


def run() -> list[tuple[str, str]]:
    made = _setup()
    org, clients = made["org"], made["clients"]
    figures: list[tuple[str, str]] = [("resources / clients / shares", f"{RESOURCES} / {CLIENTS} / {SHARES}")]
    _token, raw = api_token_create(user=made["owner"], organization=org, name="bench")
    team = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    http = HttpClient(HTTP_HOST="127.0.0.1")
    first = http.get("/api/v1/resources", **team).json()
    cursor = first["next_cursor"]
    for _ in range(20):
        cursor = http.get(f"/api/v1/resources?cursor={cursor}", **team).json()["next_cursor"]
    figures += _timed("GET /api/v1/resources (first page)", _get(http, "/api/v1/resources", **team))
    figures += _timed("GET /api/v1/resources (page 22, cursor)", _get(http, f"/api/v1/resources?cursor={cursor}", **team))
    figures += _timed("GET /api/v1/resources?q=mobility", _get(http, "/api/v1/resources?q=mobility", **team))
    figures += _timed("GET /api/v1/clients/{id}/resources (100 items + 5 courses)",
                      _get(http, f"/api/v1/clients/{clients[0]}/resources", **team))
    browser = HttpClient(HTTP_HOST="127.0.0.1")
    browser.force_login(made["owner"])
    figures += _timed("team library page", _get(browser, f"/o/{org.slug}/library/"))
    figures += _timed("team library page (search)", _get(browser, f"/o/{org.slug}/library/?q=Lesson+42"))
    portal = HttpClient(HTTP_HOST="127.0.0.1")
    portal.force_login(made["person"])
    figures += _timed("portal library page", _get(portal, f"/portal/{org.slug}/library/"))

    now = timezone.now()
    with scope(organization=org):
        due = Share.objects.bulk_create([
            Share(organization=org, resource_id=made["resources"][(n * 13) % RESOURCES], audience="clients",
                  first_at=now - timedelta(minutes=1), next_run_at=now - timedelta(minutes=1), status="scheduled")
            for n in range(DUE)], batch_size=5000)
        through = Share.clients.through
        through.objects.bulk_create([through(share_id=s.pk, client_id=clients[n % CLIENTS]) for n, s in enumerate(due)],
                                    batch_size=5000)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        done = shares_run_due(now=now)
    figures.append((f"job: {DUE} due shares delivered (s)", f"{time.perf_counter() - started:.2f}"))
    figures.append(("job: shares / grants / queries", f"{done['shares']} / {done['grants']} / "
                                                      f"{len(captured.captured_queries)}"))

    with scope(organization=org):
        Engagement.objects.bulk_create([
            Engagement(organization=org, client_id=clients[n % CLIENTS], resource_id=made["resources"][n // CLIENTS],
                       opened_at=now, seconds=n % 600, completed_at=now if n % 3 else None, updated_at=now)
            for n in range(ROWS)], batch_size=5000, ignore_conflicts=True)
        before = rlimit.getrusage(rlimit.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        started = time.perf_counter()
        lines = size = 0
        for line in export_lines(organization=org):
            lines += 1
            size += len(line)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        after = rlimit.getrusage(rlimit.RUSAGE_SELF).ru_maxrss
    figures.append(("CSV export: rows / MB / s", f"{lines - 1} / {size / 1e6:.1f} / {elapsed:.1f}"))
    figures.append(("CSV export: peak Python allocation during export (MB)", f"{peak / 1e6:.1f}"))
    figures.append(("process peak RSS before / after export (MB)", f"{before / 1024:.0f} / {after / 1024:.0f}"))
    return figures
