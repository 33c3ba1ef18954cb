"""The bounded PostgreSQL connection pool (settings DATABASES OPTIONS["pool"], psycopg_pool).

Load beyond the pool waits in its queue instead of opening connections until PostgreSQL refuses
("too many clients"); under ASGI every request gives its connection back when it ends (no leak).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.asgi import get_asgi_application
from django.db import connections
from django.test import Client as DjangoClient

from coachos.accounts.services import api_token_create

from ..concurrency import run_concurrently
from ..factories import OrganizationFactory, member

ROOT = Path(__file__).resolve().parents[2]
POOL_MAX = 4
REQUESTS = 200

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("concurrency")]


def _settings_for(env: dict[str, str]) -> dict[str, Any]:
    """The database settings a process started with ``env`` would use (nothing connects)."""
    code = ("import json, django; from django.conf import settings; django.setup(); "
            "d = settings.DATABASES['default']; "
            "print(json.dumps({'engine': d['ENGINE'], 'max_age': d['CONN_MAX_AGE'], "
            "'pool': d.get('OPTIONS', {}).get('pool')}))")
    base = {k: v for k, v in os.environ.items() if not k.startswith("DB_")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**base, "DJANGO_SETTINGS_MODULE": "coachos.settings", **env},
                         capture_output=True, text=True, check=True, timeout=60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_pool_is_sized_from_the_environment_and_replaces_persistent_connections(tmp_path: Path) -> None:
    pg = _settings_for({"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "DB_CONN_MAX_AGE": "600",
                        "DB_POOL_MIN_SIZE": "3", "DB_POOL_MAX_SIZE": "7", "DB_POOL_TIMEOUT": "2.5"})
    assert pg["pool"] == {"min_size": 3, "max_size": 7, "timeout": 2.5}
    assert pg["max_age"] == 0  # Django refuses a pool with persistent connections

    off = _settings_for({"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "DB_POOL": "0", "DB_CONN_MAX_AGE": "60"})
    assert off["pool"] is None and off["max_age"] == 60

    sqlite = _settings_for({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "VAR_DIR": str(tmp_path)})
    assert sqlite["engine"] == "django.db.backends.sqlite3" and sqlite["pool"] is None


@pytest.fixture
def small_pool(transactional_db: None) -> Iterator[Any]:
    """This process's pool, replaced for the test by one of at most POOL_MAX connections."""
    conn = connections["default"]
    if conn.vendor != "postgresql":
        pytest.skip("the connection pool is PostgreSQL's")
    options = conn.settings_dict["OPTIONS"]
    saved = options.get("pool")
    conn.close()
    conn.close_pool()
    options["pool"] = {"min_size": 1, "max_size": POOL_MAX, "timeout": 60}
    try:
        yield conn.pool
    finally:
        conn.close()
        conn.close_pool()
        if saved is None:
            options.pop("pool", None)
        else:
            options["pool"] = saved


@pytest.fixture
def token_header(transactional_db: None) -> dict[str, str]:
    org = OrganizationFactory(slug="pool-test")
    owner = member(org, email="pool-owner@example.com")
    _token, raw = api_token_create(user=owner, organization=org, name="pool")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _backends(conn: Any) -> int:
    with conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def test_200_concurrent_requests_queue_for_a_small_pool_instead_of_failing(small_pool: Any,
                                                                            token_header: dict[str, str]) -> None:
    connections["default"].close()  # the test's own connection back in the pool: the threads get all four
    small_pool.pop_stats()

    def request(_i: int) -> int:
        return DjangoClient().get("/api/v1/me", **token_header).status_code

    results = run_concurrently(request, REQUESTS, timeout=120)

    assert results.values == [200] * REQUESTS
    stats = small_pool.get_stats()
    assert stats["requests_num"] >= REQUESTS
    assert stats["requests_queued"] > 0  # more requests than connections: some waited their turn
    assert stats.get("requests_errors", 0) == 0  # and none timed out
    assert stats["pool_size"] <= POOL_MAX
    assert stats["pool_size"] == stats["pool_available"]  # every connection came back
    # PostgreSQL saw at most the pool's connections (plus the one counting them, from the pool too).
    assert _backends(connections["default"]) <= POOL_MAX


def test_asgi_requests_give_their_connection_back(small_pool: Any, token_header: dict[str, str]) -> None:
    """Django's ASGI handler runs each request's sync code in a thread of its own context; with the
    pool the connection goes back when the request ends, where a persistent one stayed in the thread."""
    connections["default"].close()
    application = get_asgi_application()
    auth = token_header["HTTP_AUTHORIZATION"].encode()

    async def one() -> int:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": "/api/v1/me", "raw_path": b"/api/v1/me", "query_string": b"",
                 "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"authorization", auth)],
                 "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000)}
        sent: list[dict[str, Any]] = []
        body_sent = False

        async def receive() -> dict[str, Any]:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.sleep(3600)  # the client stays connected until the handler is done
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await application(scope, receive, send)
        return int(next(m["status"] for m in sent if m["type"] == "http.response.start"))

    async def many() -> list[int]:
        return await asyncio.gather(*(one() for _ in range(50)))

    statuses = asyncio.run(many())

    assert statuses == [200] * 50
    stats = small_pool.get_stats()
    assert 0 < stats["pool_size"] <= POOL_MAX
    assert stats["pool_available"] == stats["pool_size"]  # nothing kept by the handler's threads


def test_a_forked_celery_worker_forgets_its_parents_pool() -> None:
    from celery.signals import worker_process_init
    from django.db.backends.postgresql.base import DatabaseWrapper

    pools = DatabaseWrapper._connection_pools
    saved = dict(pools)  # this test process's own pool is put back afterwards
    pools["inherited-test"] = object()
    try:
        worker_process_init.send(sender=None)
        assert pools == {}
    finally:
        pools.clear()
        pools.update(saved)
