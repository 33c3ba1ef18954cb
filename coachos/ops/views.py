"""/metrics for Prometheus: behind ``METRICS_TOKEN`` (``Authorization: Bearer …``) or ``METRICS_ALLOWED_IPS``."""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST

from coachos.common.problems import problem_response

from .metrics import exposition


def allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        kind, _, given = request.headers.get("Authorization", "").partition(" ")
        if kind.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    networks = getattr(settings, "METRICS_ALLOWED_IPS", [])
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return problem_response(403, "Forbidden", "Send the metrics token or scrape from an allowed address.")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
