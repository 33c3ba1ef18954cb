"""The sections of a client's page, each its own htmx request (see ``sections.py``).

A section that fails answers a small error fragment with a Retry button and status 500, so
the page and the other sections stay usable; the error is logged with ids only. The client is
looked up before that guard, so another business's client is still a plain 404. The apps above
clients build their sections with the same helpers (``client_or_404``, ``guarded``,
``section_response``): credits/client_sections.py, scheduling/client_sections.py."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.tenancy.access import org_view
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Perm

from . import selectors, services
from .forms_backoffice import NoteForm
from .models import Client, ClientNote

logger = logging.getLogger(__name__)


def guarded(key: str, request: HttpRequest, client: Client, build: Callable[[], HttpResponse]) -> HttpResponse:
    """Build a section; if it fails, answer the error fragment (status 500) instead."""
    try:
        with transaction.atomic():  # a failed query rolls back to here; the connection stays usable
            return build()
    except Exception:
        logger.exception("client section failed",
                         extra={"section": key, "client_id": client.pk, "organization_id": client.organization_id})
        html = render_to_string("clients/backoffice/sections/_error.html", {"url": request.path})
        return HttpResponse(html, status=500)


def client_or_404(client_id: int, membership: Membership | None) -> Client:
    """The client, if this member may see them (``selectors.clients_visible_to``); else 404."""
    return get_object_or_404(selectors.clients_visible_to(membership), pk=client_id)


def section_response(request: HttpRequest, key: str, template: str, context: dict[str, Any],
                     status: int = 200) -> HttpResponse:
    """The section's fragment; a plain (non-htmx) POST goes back to the client's page instead.
    ``template``: a name under clients/backoffice/sections/, or a full path (another app's section)."""
    if request.method == "POST" and not request.htmx:  # type: ignore[attr-defined]
        if context.get("error"):
            messages.error(request, context["error"])
        elif context.get("notice"):
            messages.success(request, context["notice"])
        return redirect("clients:detail", org_slug=request.organization.slug, client_id=context["client"].pk)  # type: ignore[attr-defined]
    path = template if "/" in template else f"clients/backoffice/sections/{template}"
    return render(request, path, {**context, "section_key": key},
                  status=status)


# --- profile ------------------------------------------------------------------------------------

@require_GET
@org_view(Perm.BACKOFFICE)
def section_profile(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = client_or_404(client_id, request.membership)  # type: ignore[attr-defined]

    def build() -> HttpResponse:
        fresh = Client.objects.prefetch_related("tags").get(pk=client.pk)
        return section_response(request, "profile", "profile.html", {"client": fresh, "statuses": Client.Status.choices})

    return guarded("profile", request, client, build)


# --- notes ----------------------------------------------------------------------------------------

def _notes_context(client: Client, form: NoteForm | None = None, **extra: Any) -> dict[str, Any]:
    notes = list(ClientNote.objects.filter(client=client).select_related("author")[:50])
    return {"client": client, "notes": notes, "form": form or NoteForm(), **extra}


@require_GET
@org_view(Perm.BACKOFFICE)
def section_notes(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = client_or_404(client_id, request.membership)  # type: ignore[attr-defined]
    return guarded("notes", request, client, lambda: section_response(request, "notes", "notes.html", _notes_context(client)))


@require_POST
@org_view(Perm.BACKOFFICE)
def note_add(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = client_or_404(client_id, request.membership)  # type: ignore[attr-defined]
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(client=client, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error("body", exc.messages)
        else:
            return section_response(request, "notes", "notes.html", _notes_context(client, notice=_("Note added.")))
    return section_response(request, "notes", "notes.html", _notes_context(client, form))

