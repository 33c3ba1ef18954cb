"""The security audit log: one way to write it, and the patterns it flags.

``record(kind, user=…)`` writes a ``SecurityEvent`` with the address, browser and country of the
request being served (``SecurityContextMiddleware`` keeps them for the duration of the request, so
services that have no request — a role change, a token created — are recorded with them too).

Flags (``SecurityEvent.flag``, listed for platform staff in the admin):

- ``many_failures``: the ``SECURITY_FAILURES_FLAG``-th failed sign-in within
  ``SECURITY_FAILURES_WINDOW_MINUTES`` for one account (or, for unknown emails, one address);
- ``new_country``: a sign-in from a country the account has not signed in from before (known only
  when a proxy or CDN in front sets a country header, ``SECURITY_COUNTRY_HEADER``, e.g.
  Cloudflare's ``CF-IPCountry``; without one no country is recorded and nothing is flagged).

Nothing here is logged: the rows hold the address and browser because that is their purpose.
"""

from __future__ import annotations

import contextvars
import ipaddress
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import Organization, SecurityEvent

Kind = SecurityEvent.Kind
_context: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("coachos_security", default=None)


def request_context(request: HttpRequest | None) -> dict[str, str]:
    if request is None or not hasattr(request, "META"):
        return _context.get() or {}
    ip = request.META.get("REMOTE_ADDR") or ""
    try:
        ip = str(ipaddress.ip_address(ip))
    except ValueError:
        ip = ""
    header = getattr(settings, "SECURITY_COUNTRY_HEADER", "HTTP_CF_IPCOUNTRY")
    country = (request.META.get(header) or "").strip().upper()
    # Cloudflare says XX (unknown) and T1 (Tor); only real two-letter codes count.
    if len(country) != 2 or not country.isalpha() or country in {"XX", "T1"}:
        country = ""
    return {"ip": ip, "user_agent": (request.META.get("HTTP_USER_AGENT") or "")[:300], "country": country}


class SecurityContextMiddleware:
    """Keeps the request's address, browser and country for ``record`` during the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _context.set(request_context(request))
        try:
            response = self.get_response(request)
            _record_export(request, response)
            return response
        finally:
            _context.reset(token)


def _record_export(request: HttpRequest, response: HttpResponse) -> None:
    """Every successful download from a view named ``*export*`` (clients CSV, reports, …) is an export."""
    match = getattr(request, "resolver_match", None)
    if (match is None or response.status_code != 200 or "export" not in (match.url_name or "")
            or not getattr(request.user, "is_authenticated", False)):
        return
    record(Kind.EXPORT, user=request.user, actor=request.user, business=getattr(request, "organization", None),
           request=request, data={"what": match.view_name})


def _flag(kind: str, *, user: Any, ip: str, country: str) -> str:
    if kind == Kind.LOGIN_FAILED:
        since = timezone.now() - timedelta(minutes=int(getattr(settings, "SECURITY_FAILURES_WINDOW_MINUTES", 15)))
        failures = SecurityEvent.objects.filter(kind=Kind.LOGIN_FAILED, created_at__gte=since)
        failures = failures.filter(user=user) if user is not None else failures.filter(user=None, ip=ip or None)
        if failures.count() + 1 >= int(getattr(settings, "SECURITY_FAILURES_FLAG", 5)):
            return SecurityEvent.Flag.MANY_FAILURES
    if kind == Kind.LOGIN and user is not None and country:
        known = set(SecurityEvent.objects.filter(user=user, kind=Kind.LOGIN).exclude(country="")
                    .values_list("country", flat=True).distinct()[:50])
        if known and country not in known:
            return SecurityEvent.Flag.NEW_COUNTRY
    return ""


def record(kind: str, *, user: Any = None, actor: Any = None, business: Organization | None = None,
           request: HttpRequest | None = None, data: dict[str, Any] | None = None) -> SecurityEvent:
    """Write one security event for ``user``'s account (``actor``: who did it, when someone else)."""
    context = request_context(request)
    user = user if getattr(user, "pk", None) is not None else None
    actor = actor if getattr(actor, "is_authenticated", False) else None
    ip, country = context.get("ip", ""), context.get("country", "")
    return SecurityEvent.objects.create(
        user=user, actor=actor, business=business, kind=kind, ip=ip or None,
        user_agent=context.get("user_agent", ""), country=country,
        flag=_flag(kind, user=user, ip=ip, country=country), data=data or {},
    )


def recent_for(user: Any, *, limit: int = 100) -> list[SecurityEvent]:
    """The person's own recent activity, newest first."""
    return list(SecurityEvent.objects.filter(user=user).select_related("business", "actor")[:limit])
