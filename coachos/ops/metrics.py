"""Prometheus metrics: request rates and latencies per route pattern, database queries, websocket
connections (counted in each process), and the outbox and job lag (read from the database at scrape).

Several processes: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder shared by the web processes of
one machine (cleared at each start) and /metrics sums them (prometheus-client's multiprocess mode);
without it each process answers for itself, so scrape each process (or run one web process per
container). The database figures are the same from any process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter("coachos_http_requests_total", "HTTP requests by route pattern and status.",
                   ["method", "route", "status"])
LATENCY = Histogram("coachos_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern.",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
QUERIES = Counter("coachos_db_queries_total", "Database queries run while answering requests, by route pattern.",
                  ["route"])
QUERIES_PER_REQUEST = Histogram("coachos_http_request_db_queries", "Database queries per request, by route pattern.",
                                ["route"], buckets=(0, 1, 2, 5, 10, 20, 50, 100, 250))
WEBSOCKETS = Gauge("coachos_websocket_connections", "Open websocket connections (chat, live calendar).",
                   multiprocess_mode="livesum")


def _route(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None and match.route:
        return str(match.route)
    return getattr(request, "coachos_route", "") or "<unresolved>"


class MetricsMiddleware:
    """Counts each request under its route pattern (never the raw path: it may hold tokens and slugs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(("/static/", "/metrics")):
            return self.get_response(request)
        queries = 0

        def count(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        route, method = _route(request), request.method or ""
        REQUESTS.labels(method, route, str(response.status_code)).inc()
        LATENCY.labels(method, route).observe(elapsed)
        QUERIES.labels(route).inc(queries)
        QUERIES_PER_REQUEST.labels(route).observe(queries)
        return response


class DatabaseCollector(Collector):
    """Figures read from the database when scraped: the outbox and the job lag."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from . import lag

        try:
            outbox = lag.outbox_state()
            job_lag = lag.job_lag_seconds()
        except Exception:  # the database is down: /healthz says so; the other metrics still answer
            return
        yield GaugeMetricFamily("coachos_outbox_queued", "Messages waiting to be sent (queued or deferred).",
                                value=outbox["depth"])
        yield GaugeMetricFamily("coachos_outbox_oldest_due_age_seconds",
                                "Age of the oldest message that is due and not sent.",
                                value=outbox["oldest_age_seconds"])
        yield GaugeMetricFamily("coachos_job_lag_seconds",
                                "Seconds since the most overdue periodic job was due (0: none overdue).",
                                value=job_lag)


_database = CollectorRegistry(auto_describe=False)
_database.register(DatabaseCollector())


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry: Any = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_database)
