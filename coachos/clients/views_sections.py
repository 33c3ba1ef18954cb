"""The sections of a client's page, each its own htmx request (see ``sections.py``).

A section that fails answers a small error fragment with a Retry button and status 500, so
the page and the other sections stay usable; the error is logged with ids only. The client is
looked up before that guard, so another business's client is still a plain 404."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.credits import services as credits
from coachos.credits.models import ClientPackage
from coachos.scheduling import selectors as scheduling
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import services
from .forms_backoffice import AdjustForm, GiveForm, NoteForm
from .models import Client, ClientNote

logger = logging.getLogger(__name__)

EXPIRING_DAYS = 14


def _guarded(key: str, request: HttpRequest, client: Client, build: Callable[[], HttpResponse]) -> HttpResponse:
    try:
        with transaction.atomic():  # a failed query rolls back to here; the connection stays usable
            return build()
    except Exception:
        logger.exception("client section failed",
                         extra={"section": key, "client_id": client.pk, "organization_id": client.organization_id})
        html = render_to_string("clients/backoffice/sections/_error.html", {"url": request.path})
        return HttpResponse(html, status=500)


def _client(client_id: int) -> Client:
    return get_object_or_404(Client, pk=client_id)


def _section(request: HttpRequest, key: str, template: str, context: dict[str, Any],
             status: int = 200) -> HttpResponse:
    """The section's fragment; a plain (non-htmx) POST goes back to the client's page instead."""
    if request.method == "POST" and not request.htmx:
        if context.get("error"):
            messages.error(request, context["error"])
        elif context.get("notice"):
            messages.success(request, context["notice"])
        return redirect("clients:detail", org_slug=request.organization.slug, client_id=context["client"].pk)
    return render(request, f"clients/backoffice/sections/{template}", {**context, "section_key": key},
                  status=status)


# --- profile ------------------------------------------------------------------------------------

@require_GET
@org_view(Perm.BACKOFFICE)
def section_profile(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = _client(client_id)

    def build() -> HttpResponse:
        fresh = Client.objects.prefetch_related("tags").get(pk=client.pk)
        return _section(request, "profile", "profile.html", {"client": fresh, "statuses": Client.Status.choices})

    return _guarded("profile", request, client, build)


# --- packages and credits -------------------------------------------------------------------------

def client_packages(client: Client) -> list[ClientPackage]:
    """The client's packages with their ledgers, newest first (two queries)."""
    return list(ClientPackage.objects.filter(client=client).order_by("-created_at", "-id")
                .prefetch_related("ledger__actor"))


def _packages_context(client: Client, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    soon = now + timedelta(days=EXPIRING_DAYS)
    packages = client_packages(client)
    rows = []
    for package in packages:
        valid = package.status == ClientPackage.Status.ACTIVE and package.expires_at > now
        rows.append({
            "package": package, "valid": valid,
            "low": valid and package.remaining <= 1,
            "expiring": valid and package.remaining > 0 and package.expires_at <= soon,
            "adjust_form": extra.pop(f"adjust_form_{package.pk}", None) or AdjustForm(prefix=f"adj{package.pk}"),
        })
    credits_left = sum(r["package"].remaining for r in rows if r["valid"])
    return {
        "client": client, "rows": rows, "credits_left": credits_left,
        "give_form": extra.pop("give_form", None) or GiveForm(), "use_key": uuid.uuid4(), **extra,
    }


@require_GET
@org_view(Perm.BACKOFFICE)
def section_packages(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = _client(client_id)
    return _guarded("packages", request, client,
                    lambda: _section(request, "packages", "packages.html", _packages_context(client)))


@require_POST
@org_view(Perm.BACKOFFICE)
def package_give(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = _client(client_id)
    form = GiveForm(request.POST)
    extra: dict[str, Any] = {}
    if form.is_valid():
        try:
            package = credits.package_grant(client=client, plan=form.cleaned_data["plan"], actor=request.user)
        except credits.CreditError as exc:
            extra = {"error": str(exc), "give_form": form}
        else:
            extra = {"notice": _("%(name)s given: %(n)d sessions.") % {"name": package.name, "n": package.total}}
    else:
        extra = {"give_form": form}
    return _section(request, "packages", "packages.html", _packages_context(client, **extra))


@require_POST
@org_view(Perm.BACKOFFICE)
def package_use(request: HttpRequest, org_slug: str, client_id: int, package_id: int) -> HttpResponse:
    """Use one session by hand. The form carries a key made when it was shown, so a double
    click (the same key twice) deducts once."""
    client = _client(client_id)
    package = get_object_or_404(ClientPackage, pk=package_id, client=client)
    key = request.POST.get("key", "")
    try:
        key = str(uuid.UUID(key))
    except ValueError:
        return _section(request, "packages", "packages.html",
                        _packages_context(client, error=_("Reload the page and try again.")), status=400)
    try:
        entry = credits.use_session(client=client, actor=request.user, package=package,
                                    idempotency_key=f"manual:{key}", reason=_("Used by hand"))
    except credits.CreditError as exc:
        if exc.code == credits.NO_CREDITS:
            message = _("No credits left on %(name)s: give a package or adjust the credits first.") % {
                "name": package.name}
        else:
            message = str(exc)
        return _section(request, "packages", "packages.html", _packages_context(client, error=message))
    if entry.package_id != package.pk:  # the key was used before, for another package
        return _section(request, "packages", "packages.html",
                        _packages_context(client, error=_("Reload the page and try again.")))
    return _section(request, "packages", "packages.html",
                    _packages_context(client, notice=_("1 session used from %(name)s.") % {"name": package.name}))


@require_POST
@org_view(Perm.BACKOFFICE)
def package_adjust(request: HttpRequest, org_slug: str, client_id: int, package_id: int) -> HttpResponse:
    client = _client(client_id)
    package = get_object_or_404(ClientPackage, pk=package_id, client=client)
    form = AdjustForm(request.POST, prefix=f"adj{package.pk}")
    extra: dict[str, Any] = {}
    if form.is_valid():
        try:
            credits.package_adjust(package=package, amount=form.cleaned_data["amount"],
                                   reason=form.cleaned_data["reason"], actor=request.user)
        except credits.CreditError as exc:
            form.add_error(None, str(exc))
            extra = {f"adjust_form_{package.pk}": form, "open_adjust": package.pk}
        else:
            extra = {"notice": _("Credits adjusted on %(name)s.") % {"name": package.name}}
    else:
        extra = {f"adjust_form_{package.pk}": form, "open_adjust": package.pk}
    return _section(request, "packages", "packages.html", _packages_context(client, **extra))


# --- bookings -------------------------------------------------------------------------------------

@require_GET
@org_view(Perm.BACKOFFICE)
def section_bookings(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = _client(client_id)

    def build() -> HttpResponse:
        upcoming = list(scheduling.bookings_for_client(client=client, upcoming=True)[:20])
        past = list(scheduling.bookings_for_client(client=client, upcoming=False)[:20])
        return _section(request, "bookings", "bookings.html", {"client": client, "upcoming": upcoming, "past": past})

    return _guarded("bookings", request, client, build)


# --- notes ----------------------------------------------------------------------------------------

def _notes_context(client: Client, form: NoteForm | None = None, **extra: Any) -> dict[str, Any]:
    notes = list(ClientNote.objects.filter(client=client).select_related("author")[:50])
    return {"client": client, "notes": notes, "form": form or NoteForm(), **extra}


@require_GET
@org_view(Perm.BACKOFFICE)
def section_notes(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = _client(client_id)
    return _guarded("notes", request, client, lambda: _section(request, "notes", "notes.html", _notes_context(client)))


@require_POST
@org_view(Perm.BACKOFFICE)
def note_add(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = _client(client_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(client=client, actor=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_error("body", exc.messages)
        else:
            return _section(request, "notes", "notes.html", _notes_context(client, notice=_("Note added.")))
    return _section(request, "notes", "notes.html", _notes_context(client, form))

