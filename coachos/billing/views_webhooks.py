"""/webhooks/stripe: platform and Connect events. Verified, stored, then acted on once (webhooks.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .webhooks import receive


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    outcome = receive(request.body, request.headers.get("Stripe-Signature"))
    return JsonResponse({"result": outcome.result}, status=outcome.status)
