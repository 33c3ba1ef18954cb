"""Twilio's webhooks: texts clients send to a business's number, and delivery reports.

No login and no organization in the URL: Twilio signs every request with the account's auth token
(``X-Twilio-Signature`` over ``PUBLIC_BASE_URL`` + path + the form fields), and that signature is the
only thing that admits a request. The business is then found from the number the text was sent to.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from coachos.common.problems import problem_response

from . import inbound

logger = logging.getLogger("coachos.comms")

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _twiml() -> HttpResponse:
    """Twilio's "nothing to say": any reply goes through the outbox, so it is recorded."""
    return HttpResponse(EMPTY_TWIML, content_type="text/xml; charset=utf-8")


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """A response refusing the request, or None when Twilio signed it."""
    token = settings.TWILIO_AUTH_TOKEN
    if not token:
        logger.error("twilio webhook called but TWILIO_AUTH_TOKEN is not set", extra={"path": request.path})
        return problem_response(503, _("Texts cannot be received yet."),
                                _("This server has no TWILIO_AUTH_TOKEN, so it cannot check that requests come "
                                  "from Twilio."))
    signature = request.headers.get("X-Twilio-Signature", "")
    url = settings.PUBLIC_BASE_URL + request.get_full_path()
    if not signature or not RequestValidator(token).validate(url, request.POST, signature):
        logger.warning("twilio webhook signature rejected", extra={"path": request.path})
        return problem_response(403, _("Not signed by Twilio."),
                                _("The X-Twilio-Signature header is missing or does not match this request."))
    return None


@csrf_exempt
@require_POST
def sms(request: HttpRequest) -> HttpResponse:
    """A text to one of the businesses' numbers."""
    refused = _refusal(request)
    if refused is not None:
        return refused
    try:
        inbound.sms_receive(params=request.POST)
    except inbound.InboundError as exc:
        return problem_response(400, _("This is not a text Twilio forwarded."), str(exc))
    return _twiml()


@csrf_exempt
@require_POST
def status(request: HttpRequest) -> HttpResponse:
    """A delivery report for a text we sent (the status callback given with each text)."""
    refused = _refusal(request)
    if refused is not None:
        return refused
    try:
        inbound.sms_status(params=request.POST)
    except inbound.InboundError as exc:
        return problem_response(400, _("This is not a delivery report."), str(exc))
    return _twiml()
