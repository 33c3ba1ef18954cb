"""Turning push notifications on and off for a device: /o/<org_slug>/notifications/push/… (team) and
/portal/<org_slug>/notifications/push/… (clients).

``subscribe`` and ``unsubscribe`` take the JSON the browser's ``PushSubscription.toJSON()`` gives
(page script: static/coachos/pwa.js) and answer in JSON (problem details on error); ``remove`` is the
settings page's button for one device in the list. A person only ever reaches their own devices in
this business: anyone else's (or another business's) is a 404. With push off on this server (no
VAPID keys) every one of them is a 404.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.common.problems import problem_response
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import notifications, push, push_devices
from .outbox import CommsError

MAX_BODY = 4096


def _require_push() -> None:
    if not push.enabled():
        raise Http404


def _json(request: HttpRequest) -> dict[str, Any] | HttpResponse:
    if len(request.body) > MAX_BODY:
        return problem_response(400, _("Too large"), _("The subscription is larger than a browser sends."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return problem_response(400, _("Not JSON"), _("Send the subscription as JSON."))
    if not isinstance(data, dict):
        return problem_response(400, _("Not JSON"), _("Send the subscription as a JSON object."))
    return data


def _text(value: Any) -> str:
    return value if isinstance(value, str) and "\x00" not in value else ""


def _subscribe(request: HttpRequest) -> HttpResponse:
    _require_push()
    data = _json(request)
    if isinstance(data, HttpResponse):
        return data
    found = data.get("keys")
    keys: dict[str, Any] = found if isinstance(found, dict) else {}
    try:
        subscription, created = push_devices.push_subscribe(
            organization=request.organization, user=request.user,  # type: ignore[attr-defined]
            endpoint=_text(data.get("endpoint")), p256dh=_text(keys.get("p256dh")), auth=_text(keys.get("auth")),
            label=_text(data.get("label")))
    except CommsError as exc:
        return problem_response(422, _("This subscription cannot be used"), str(exc))
    return JsonResponse({"id": subscription.pk, "label": subscription.label, "created": created},
                        status=201 if created else 200)


def _unsubscribe(request: HttpRequest) -> HttpResponse:
    _require_push()
    data = _json(request)
    if isinstance(data, HttpResponse):
        return data
    endpoint = _text(data.get("endpoint"))
    if not endpoint:
        return problem_response(422, _("No endpoint"), _("Say which subscription to turn off (its endpoint)."))
    push_devices.push_unsubscribe(organization=request.organization, user=request.user,  # type: ignore[attr-defined]
                                  endpoint=endpoint)
    return HttpResponse(status=204)


def _remove(request: HttpRequest, namespace: str, push_subscription_id: int) -> HttpResponse:
    _require_push()
    subscription = get_object_or_404(push_devices.push_subscriptions_of(
        organization=request.organization, user=request.user), pk=push_subscription_id)  # type: ignore[attr-defined]
    push_devices.push_subscription_remove(subscription=subscription, actor=request.user)
    messages.success(request, _("That device will no longer get push notifications."))
    return redirect(reverse(f"{namespace}:preferences", kwargs={"org_slug": request.organization.slug}))  # type: ignore[attr-defined]


def panel_context(request: HttpRequest, audience: str) -> dict[str, Any] | None:
    """What the notification settings page needs for its push section (None: push is off)."""
    if not push.enabled():
        return None
    namespace = "notifications" if audience == notifications.TEAM else "portal_notifications"
    slug = request.organization.slug  # type: ignore[attr-defined]
    devices = list(push_devices.push_subscriptions_of(organization=request.organization, user=request.user))  # type: ignore[attr-defined]
    return {
        "public_key": push.public_key(),
        "subscribe_url": reverse(f"{namespace}:push_subscribe", kwargs={"org_slug": slug}),
        "unsubscribe_url": reverse(f"{namespace}:push_unsubscribe", kwargs={"org_slug": slug}),
        "devices": [{"device": d, "remove_url": reverse(f"{namespace}:push_remove", kwargs={
            "org_slug": slug, "push_subscription_id": d.pk})} for d in devices],
    }


# --- the back office (team) ------------------------------------------------------------------

@org_view(Perm.BACKOFFICE)
@require_POST
def subscribe(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _subscribe(request)


@org_view(Perm.BACKOFFICE)
@require_POST
def unsubscribe(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _unsubscribe(request)


@org_view(Perm.BACKOFFICE)
@require_POST
def remove(request: HttpRequest, org_slug: str, push_subscription_id: int) -> HttpResponse:
    return _remove(request, "notifications", push_subscription_id)


# --- the client portal -----------------------------------------------------------------------

@org_view(Perm.PORTAL)
@require_POST
def portal_subscribe(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _subscribe(request)


@org_view(Perm.PORTAL)
@require_POST
def portal_unsubscribe(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _unsubscribe(request)


@org_view(Perm.PORTAL)
@require_POST
def portal_remove(request: HttpRequest, org_slug: str, push_subscription_id: int) -> HttpResponse:
    return _remove(request, "portal_notifications", push_subscription_id)
