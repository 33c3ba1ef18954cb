"""Logging without personal data: a request log that names routes, not paths or people,
and a filter that drops request objects other libraries attach to records."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger("coachos.request")


class RedactFilter(logging.Filter):
    """Remove attributes that would let a formatter print a request, its user or its session."""

    DROP = ("request", "user", "session", "scope")

    def filter(self, record: logging.LogRecord) -> bool:
        for attr in self.DROP:
            if attr in record.__dict__:
                delattr(record, attr)
        return True


_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class TextFormatter(logging.Formatter):
    """Readable lines for development, with the structured fields appended as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}
        if extras:
            line += " " + " ".join(f"{k}={v}" for k, v in extras.items())
        return line


class RequestLogMiddleware:
    """One line per request: method, route pattern (never the raw path, which may carry
    tokens or slugs of people), status and duration. No user, session, IP or query string."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match else getattr(request, "coachos_route", "<unresolved>")
        if not request.path_info.startswith("/static/"):
            logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "route": route,
                    "view": match.view_name if match else "",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        response["X-Request-ID"] = request_id
        return response
