"""Unsubscribing from promotional email: /portal/<org_slug>/messages/unsubscribe/<token>/.

The link in a promotional email (and its ``List-Unsubscribe`` header) carries a signed token naming
the client; no login is needed. GET asks to confirm (a mail scanner that follows links must not
unsubscribe anyone); POST unsubscribes — from the page's button, or a mail app's RFC 8058 one-click
POST (``List-Unsubscribe=One-Click``), which comes without cookies, hence no CSRF check: the signed
token is the proof. A bad token, or another business's client, changes nothing and says so (404).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from coachos.clients.models import Client
from coachos.tenancy.access import public_org_view

from . import compose, emails


def _masked(email: str) -> str:
    """t•••@example.com: enough for the person to recognise, not enough to learn from a forwarded link."""
    local, _at, domain = email.partition("@")
    if not domain:
        return ""
    return f"{local[:1]}•••@{domain}"


@public_org_view
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    client_id = emails.unsubscribe_client_id(token)
    client = Client.objects.filter(pk=client_id).first() if client_id is not None else None
    if client is None:
        return render(request, "comms/unsubscribe_invalid.html", status=404)
    context = {"client": client, "email": _masked(client.email)}
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        compose.email_unsubscribe(client=client, how="one-click" if one_click else "link")
        return render(request, "comms/unsubscribe_done.html", context)
    return render(request, "comms/unsubscribe.html", {**context, "already": not client.email_consent})
