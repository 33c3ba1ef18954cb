"""A cache that keeps working when Redis does not: the default cache with ``REDIS_URL``.

Every call goes to the primary cache (Redis); when Redis cannot be reached the same call goes to the
fallback (the database cache) and Redis is left alone for ``RETRY_SECONDS`` before it is tried again,
so a dead Redis costs one failed connection per process every few seconds, not one per call. What the
cache holds (rate-limit counters, the booking page's e-mail codes, allauth's counters) is short-lived:
while Redis is down the processes share the database cache instead, and logins, password resets,
pages and bookings go on working.

Settings::

    CACHES = {
        "default": {"BACKEND": "coachos.common.cache.FallbackCache",
                    "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database", "RETRY_SECONDS": 5}},
        "redis": {...RedisCache...}, "database": {...DatabaseCache...},
    }
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache

logger = logging.getLogger("coachos.cache")

_down_until: dict[str, float] = {}
_lock = threading.Lock()


def primary_down(alias: str) -> bool:
    return _down_until.get(alias, 0.0) > time.monotonic()


def _mark_down(alias: str, seconds: float) -> None:
    with _lock:
        first = not primary_down(alias)
        _down_until[alias] = time.monotonic() + seconds
    if first:
        logger.warning("cache unreachable; using the fallback cache", extra={"cache": alias})


def reset() -> None:
    """Forget that a primary was down (tests)."""
    _down_until.clear()


class FallbackCache(BaseCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.primary_alias = options.pop("PRIMARY")
        self.fallback_alias = options.pop("FALLBACK")
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        super().__init__({**params, "OPTIONS": options})

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if not primary_down(self.primary_alias):
            try:
                return getattr(caches[self.primary_alias], method)(*args, **kwargs)
            except (ValueError, TypeError, KeyError):
                raise  # the caller's mistake (incr of a missing key, a bad value), not the cache's
            except Exception:
                _mark_down(self.primary_alias, self.retry_seconds)
        return getattr(caches[self.fallback_alias], method)(*args, **kwargs)

    def _method(name: str) -> Callable[..., Any]:  # type: ignore[misc]
        def call(self: FallbackCache, *args: Any, **kwargs: Any) -> Any:
            return self._call(name, *args, **kwargs)

        call.__name__ = name
        return call

    add = _method("add")
    get = _method("get")
    set = _method("set")
    touch = _method("touch")
    delete = _method("delete")
    get_many = _method("get_many")
    set_many = _method("set_many")
    delete_many = _method("delete_many")
    has_key = _method("has_key")
    incr = _method("incr")
    decr = _method("decr")
    get_or_set = _method("get_or_set")
    clear = _method("clear")
    del _method

    def close(self, **kwargs: Any) -> None:
        for alias in (self.primary_alias, self.fallback_alias):
            try:
                caches[alias].close(**kwargs)
            except Exception:  # closing a dead connection: nothing to do, but say which cache
                logger.debug("cache close failed", extra={"cache": alias})
