from django.http import HttpRequest, JsonResponse

from . import health


def healthz(request: HttpRequest) -> JsonResponse:
    """Each dependency's state (database, Redis, broker, job lag); 503 when a required one is down."""
    healthy, body = health.report()
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response
