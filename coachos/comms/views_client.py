"""The "Messages" section of a client's page (see coachos/clients/sections.py): every message to and
from the client, newest first, and a form to send them a text or an email.

Like the other sections it loads on its own; if it fails it answers its own error fragment with a
Retry button (status 500) so the rest of the page still works. The client is looked up before
that guard, so another business's client is a plain 404.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import compose, selectors
from .forms import SendForm
from .models import Channel, OutboundMessage
from .views import message_row

logger = logging.getLogger(__name__)

PER_PAGE = 15


def _guarded(request: HttpRequest, client: Client, build: Callable[[], HttpResponse]) -> HttpResponse:
    try:
        with transaction.atomic():  # a failed query rolls back to here; the connection stays usable
            return build()
    except Exception:
        logger.exception("client section failed",
                         extra={"section": "messages", "client_id": client.pk,
                                "organization_id": client.organization_id})
        html = render_to_string("clients/backoffice/sections/_error.html", {"url": request.path})
        return HttpResponse(html, status=500)


def _context(request: HttpRequest, client: Client, form: SendForm | None = None, **extra: Any) -> dict[str, Any]:
    organization = request.organization  # type: ignore[attr-defined]
    blockers = selectors.send_blockers(organization=organization, client=client)
    page = Paginator(selectors.client_thread(client=client), PER_PAGE).get_page(request.GET.get("page"))
    items = []
    for item in selectors.thread_items(list(page.object_list)):
        row = message_row(item.message, organization) if item.direction == "out" else {"message": item.message}
        items.append({"direction": item.direction, "at": item.at, **row})
    return {
        "client": client, "page": page, "items": items, "form": form or SendForm(blockers=blockers),
        "blockers": [(Channel(c).label, reason) for c, reason in blockers.items() if reason], **extra,
    }


def _section(request: HttpRequest, client: Client, context: dict[str, Any]) -> HttpResponse:
    if request.method == "POST" and not request.htmx:  # type: ignore[attr-defined]
        if context.get("error"):
            messages.error(request, context["error"])
        elif context.get("notice"):
            messages.success(request, context["notice"])
        return redirect("clients:detail", org_slug=request.organization.slug,  # type: ignore[attr-defined]
                        client_id=client.pk)
    return render(request, "comms/_client_section.html", context)


@require_GET
@org_view(Perm.BACKOFFICE)
def client_section(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = get_object_or_404(clients_visible_to(request.membership), pk=client_id)  # type: ignore[attr-defined]
    return _guarded(request, client, lambda: _section(request, client, _context(request, client)))


@require_POST
@org_view(Perm.BACKOFFICE)
def client_send(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    client = get_object_or_404(clients_visible_to(request.membership), pk=client_id)  # type: ignore[attr-defined]
    form = SendForm(request.POST, blockers=selectors.send_blockers(organization=organization, client=client))
    if not form.is_valid():
        return _section(request, client, _context(request, client, form))
    data = form.cleaned_data
    try:
        message = compose.message_send(organization=organization, actor=request.user, client=client,
                                       channel=data["channel"], body=data["body"], subject=data.get("subject", ""))
    except compose.CommsError as exc:
        form.add_error("body", str(exc))
        return _section(request, client, _context(request, client, form, error=str(exc)))
    if message.status == OutboundMessage.Status.SUPPRESSED:
        notice, error = "", _("Not sent: %(reason)s") % {"reason": message.last_error}
    elif message.status == OutboundMessage.Status.DEFERRED:
        notice, error = selectors.reason_for(message, organization), ""
    elif message.channel == Channel.SMS:
        notice, error = _("Text to %(name)s queued.") % {"name": client.first_name}, ""
    else:
        notice, error = _("Email to %(name)s queued.") % {"name": client.first_name}, ""
    return _section(request, client, _context(request, client, notice=notice, error=error))
