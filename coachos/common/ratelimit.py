"""Rate limits on the shared cache: one fixed-window counter per (limit, key).

Limits are settings (``RATE_LIMITS``: name → ``"count/period"``, period ``s``, ``m``, ``h``, ``d`` with an
optional number, e.g. ``"5/10m"``); an empty value turns a limit off. The counters live in the
default cache (Redis when ``REDIS_URL`` is set, else the database cache), so every web process
shares them. When the cache cannot be reached a limit lets the request through (fails open): a
limit protects the service, it must never take it down.

A refused request answers 429 with ``Retry-After``: problem details on the API, a page elsewhere.
Keys are hashed before they reach the cache, so no IP address or token is stored in clear.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .problems import problem_response

logger = logging.getLogger("coachos.ratelimit")

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


class RateLimited(Exception):
    """Raised by ``enforce``; the middleware (or the API's handler) answers 429."""

    def __init__(self, name: str, retry_after: int) -> None:
        super().__init__(name)
        self.name = name
        self.retry_after = retry_after


def parse_rate(value: str) -> Rate | None:
    """``"5/10m"`` → 5 per 600 seconds; "" → None (no limit). A malformed value raises ValueError."""
    if not value:
        return None
    match = _RATE.match(value)
    if match is None:
        raise ValueError(f"Not a rate: {value!r} (expected e.g. '5/10m').")
    count, number, unit = match.groups()
    return Rate(count=int(count), seconds=int(number or 1) * _UNITS[unit])


def rate_for(name: str) -> Rate | None:
    if not getattr(settings, "RATE_LIMITS_ENABLED", True):
        return None
    return parse_rate(getattr(settings, "RATE_LIMITS", {}).get(name, ""))


def _cache_key(name: str, key: str, rate: Rate, now: float) -> tuple[str, int]:
    window = int(now // rate.seconds)
    digest = hashlib.blake2b(key.encode(), digest_size=12, key=b"coachos-ratelimit").hexdigest()
    retry_after = max(1, int((window + 1) * rate.seconds - now))
    return f"rl:{name}:{digest}:{rate.seconds}:{window}", retry_after


def hit(name: str, key: str) -> int | None:
    """Count one request against ``name`` for ``key``: None if allowed, else the seconds to wait."""
    rate = rate_for(name)
    if rate is None or not key:
        return None
    cache_key, retry_after = _cache_key(name, key, rate, time.time())
    try:
        cache = caches["default"]
        cache.add(cache_key, 0, timeout=rate.seconds + 1)
        count = cache.incr(cache_key)
    except Exception:  # cache unreachable: fail open (the limit name only; never the key)
        logger.warning("rate limit counter unavailable", extra={"limit": name})
        return None
    return retry_after if count > rate.count else None


def exceeded(name: str, key: str) -> int | None:
    """Whether ``key`` is already over ``name`` (without counting this request): seconds to wait or None."""
    rate = rate_for(name)
    if rate is None or not key:
        return None
    cache_key, retry_after = _cache_key(name, key, rate, time.time())
    try:
        count = caches["default"].get(cache_key, 0)
    except Exception:
        logger.warning("rate limit counter unavailable", extra={"limit": name})
        return None
    return retry_after if count >= rate.count else None


def enforce(name: str, key: str) -> None:
    """Count this request; raise ``RateLimited`` when it is over the limit."""
    retry_after = hit(name, key)
    if retry_after is not None:
        raise RateLimited(name, retry_after)


def client_ip(request: HttpRequest) -> str:
    """The client's address as the server saw it (behind a proxy, the deployment sets REMOTE_ADDR from
    X-Forwarded-For, e.g. uvicorn's ``--proxy-headers`` with ``--forwarded-allow-ips``)."""
    return request.META.get("REMOTE_ADDR") or ""


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.path_info.startswith("/api/") or ("json" in accept and "html" not in accept)


def too_many(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429 with ``Retry-After``: problem details for the API, a page for people."""
    if wants_json(request):
        response = problem_response(
            429, _("Too many requests"),
            _("Too many requests. Try again in %(seconds)s seconds.") % {"seconds": retry_after},
            retry_after=retry_after,
        )
    else:
        response = HttpResponse(
            render_to_string("429.html", {"retry_after": retry_after, "minutes": max(1, (retry_after + 59) // 60)},
                             request=request),
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    """Turns ``RateLimited`` raised by a view into the 429 answer."""

    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RateLimited):
            return too_many(request, exception.retry_after)
        return None
