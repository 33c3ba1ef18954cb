"""Error tracking with sentry-sdk when ``SENTRY_DSN`` is set; off otherwise.

What is sent: the error's type, its stack (without local variables), the route, the release and
environment tags, the user's id and role in the business. What is not: exception messages (they may
quote a name), names, emails, phone numbers, cookies, headers, query strings, bodies, IP addresses — ``send_default_pii`` stays off and ``scrub`` (the
``before_send`` hook) removes what could still carry them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def _clean(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    return _PHONE.sub("[number]", _EMAIL.sub("[email]", text))


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """``before_send``: keep the user's id only; drop request details, exception messages and log arguments;
    blank addresses and numbers in what remains (log templates, breadcrumbs)."""
    user = event.get("user") or {}
    event["user"] = {"id": str(user["id"])} if user.get("id") is not None else {}
    request = event.get("request")
    if isinstance(request, dict):
        event["request"] = {key: request[key] for key in ("method",) if key in request}
        url = request.get("url")
        if isinstance(url, str):  # the route pattern is a tag; the path may hold slugs and tokens
            event["request"]["url"] = ""
    event.pop("extra", None)
    for exception in (event.get("exception") or {}).get("values", []) or []:
        # An exception's message may quote what it failed on (a name, an address): only its type and
        # stack go out; the message stays in our own logs' error id trail.
        exception["value"] = ""
        for frame in (exception.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)
    if "logentry" in event and isinstance(event["logentry"], dict):
        # The log call's template only ("Internal Server Error: %s"), never its arguments.
        event["logentry"] = {"message": _clean(event["logentry"].get("message"))}
    if isinstance(event.get("message"), str):
        event["message"] = ""
    breadcrumbs = event.get("breadcrumbs")
    values = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else []
    for crumb in values:
        crumb["message"] = _clean(crumb.get("message"))
        crumb.pop("data", None)
    event.pop("server_name", None)
    return event


def init_from_settings() -> bool:
    dsn = getattr(settings, "SENTRY_DSN", "")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        release=getattr(settings, "SENTRY_RELEASE", "") or None,
        environment=getattr(settings, "SENTRY_ENVIRONMENT", "") or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=float(getattr(settings, "SENTRY_TRACES_SAMPLE_RATE", 0.0)),
        before_send=scrub,  # type: ignore[arg-type]
        integrations=[DjangoIntegration(transaction_style="url"), CeleryIntegration()],
    )
    return True


class SentryUserMiddleware:
    """Tags the error with the user's id and role (after the tenancy middleware resolved the membership)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        import sentry_sdk

        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            sentry_sdk.set_user({"id": str(user.pk)})
            membership = getattr(request, "membership", None)
            sentry_sdk.set_tag("role", getattr(membership, "role", "") or ("staff" if user.is_staff else "none"))
        return self.get_response(request)
