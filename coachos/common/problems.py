"""RFC 9457 problem details."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

PROBLEM_TYPES = {
    400: "bad-request", 401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed",
    409: "conflict", 410: "gone", 413: "too-large", 415: "unsupported-media-type", 422: "invalid", 429: "rate-limited", 500: "server-error", 503: "unavailable",
}


def problem(status: int, title: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://coachos.dev/problems/{PROBLEM_TYPES.get(status, 'error')}",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    return body


def problem_response(status: int, title: str, detail: str = "", **extra: Any) -> HttpResponse:
    return HttpResponse(
        json.dumps(problem(status, title, detail, **extra)),
        status=status,
        content_type="application/problem+json",
    )
