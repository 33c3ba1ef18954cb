"""What ``/healthz`` checks: each dependency, whether the configuration requires it, and how it is.

Built in: the database, Redis (when ``REDIS_URL`` is set) and the job broker. Higher apps register
more (``register``: the job lag is registered by ``coachos.ops``). A check returns ``(ok, detail)``;
it must be quick (short timeouts) and never raise.

Required: the database always; Redis and a Redis broker when configured (``HEALTHZ_REQUIRED``
overrides the list, e.g. ``database`` only, so that a load balancer keeps serving while Redis is
down — pages, logins and bookings work without it, see ``coachos/common/cache.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection

Check = Callable[[], tuple[bool, dict[str, Any]]]


@dataclass(frozen=True)
class Dependency:
    name: str
    check: Check
    configured: Callable[[], bool]


_registry: dict[str, Dependency] = {}


def register(name: str, check: Check, *, configured: Callable[[], bool] = lambda: True) -> None:
    _registry[name] = Dependency(name=name, check=check, configured=configured)


def _database() -> tuple[bool, dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return True, {}


def _redis_url() -> str:
    return getattr(settings, "REDIS_URL", "") or ""


def ping_redis(url: str) -> tuple[bool, dict[str, Any]]:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=1.0)
    try:
        client.ping()
    finally:
        client.close()
    return True, {}


def _redis() -> tuple[bool, dict[str, Any]]:
    return ping_redis(_redis_url())


def _broker_url() -> str:
    return getattr(settings, "CELERY_BROKER_URL", "") or ""


def _broker() -> tuple[bool, dict[str, Any]]:
    url = _broker_url()
    if url.startswith(("redis://", "rediss://")):
        return ping_redis(url)
    if url.startswith("filesystem://"):
        folder = (getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}).get("data_folder_in", "")
        import os

        return bool(folder) and os.path.isdir(folder), {"transport": "filesystem"}
    from kombu import Connection

    with Connection(url, connect_timeout=1) as conn:
        conn.ensure_connection(max_retries=1)
    return True, {}


register("database", _database)
register("redis", _redis, configured=lambda: bool(_redis_url()))
register("broker", _broker, configured=lambda: bool(_broker_url()))


def required_names() -> set[str]:
    explicit = getattr(settings, "HEALTHZ_REQUIRED", None)
    if explicit is not None:
        return set(explicit)
    names = {"database"}
    if _redis_url():
        names.add("redis")
    if _broker_url().startswith(("redis://", "rediss://", "amqp://", "amqps://")):
        names.add("broker")
    return names


def report() -> tuple[bool, dict[str, Any]]:
    """``(healthy, body)``: every configured dependency's state; healthy unless a required one is down."""
    required = required_names()
    checks: dict[str, Any] = {}
    healthy = True
    for dependency in _registry.values():
        if not dependency.configured():
            checks[dependency.name] = {"status": "not configured", "required": False}
            continue
        started = time.perf_counter()
        try:
            ok, detail = dependency.check()
        except Exception as exc:  # a dependency down: its kind of error, never its message (may hold hosts)
            ok, detail = False, {"error": type(exc).__name__}
        entry = {"status": "ok" if ok else "down", "required": dependency.name in required,
                 "ms": round((time.perf_counter() - started) * 1000, 1), **detail}
        checks[dependency.name] = entry
        if not ok and entry["required"]:
            healthy = False
    return healthy, {"status": "ok" if healthy else "unavailable", "checks": checks}
