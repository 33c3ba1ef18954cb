"""The notification centre: /o/<org_slug>/notifications/ (team) and /portal/<org_slug>/notifications/
(clients). The same pages for both; each person only ever sees their own entries, so another
person's or another business's notification is a 404 — and so is, for a coach the owner limited to
their own clients, an entry about another client (``clients_visible_to``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.accounts.forms import LanguageForm
from coachos.accounts.services import AccountError, user_language_set
from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import notifications as services
from . import push, push_devices, views_push
from .models import Notification
from .notify import user_phone

PER_PAGE = 25
TEAM_NS, CLIENT_NS = "notifications", "portal_notifications"


def _ns(audience: str) -> str:
    return TEAM_NS if audience == services.TEAM else CLIENT_NS


def _base(audience: str) -> str:
    return "backoffice.html" if audience == services.TEAM else "portal.html"


def _url(audience: str, name: str, request: HttpRequest, **kwargs: Any) -> str:
    return reverse(f"{_ns(audience)}:{name}", kwargs={"org_slug": request.organization.slug, **kwargs})  # type: ignore[attr-defined]


def visible_clients(request: HttpRequest) -> QuerySet[Client] | None:
    """The clients whose entries this person may see: a coach limited to their own clients, those
    (``clients_visible_to``); None (every entry) for everyone else."""
    membership = request.membership  # type: ignore[attr-defined]
    return clients_visible_to(membership) if membership.own_clients_only else None


def _own(request: HttpRequest, notification_id: int) -> Notification:
    entries = services.own_notifications(organization=request.organization, user=request.user,  # type: ignore[attr-defined]
                                         clients=visible_clients(request))
    return get_object_or_404(entries, pk=notification_id)


def _index(request: HttpRequest, audience: str) -> HttpResponse:
    clients = visible_clients(request)
    entries = services.notification_list(organization=request.organization, user=request.user,  # type: ignore[attr-defined]
                                         clients=clients)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    unread = services.unread_count(organization=request.organization, user=request.user,  # type: ignore[attr-defined]
                                   clients=clients)
    return render(request, "comms/notifications/index.html", {
        "base": _base(audience), "page": page, "unread": unread, "ns": _ns(audience),
        "read_all_url": _url(audience, "read_all", request),
        "preferences_url": _url(audience, "preferences", request),
    })


def _open(request: HttpRequest, audience: str, notification_id: int) -> HttpResponse:
    """Following a notification marks it read and goes where it points (only ever on this site)."""
    notification = services.notification_read(notification=_own(request, notification_id))
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(_url(audience, "index", request))


def _read(request: HttpRequest, audience: str, notification_id: int) -> HttpResponse:
    notification = services.notification_read(notification=_own(request, notification_id))
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "comms/notifications/_item.html", {"n": notification, "ns": _ns(audience)})
    return redirect(_url(audience, "index", request))


def _read_all(request: HttpRequest, audience: str) -> HttpResponse:
    count = services.notifications_read_all(organization=request.organization, user=request.user,  # type: ignore[attr-defined]
                                            clients=visible_clients(request))
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect(_url(audience, "index", request))


def _bell(request: HttpRequest, audience: str) -> HttpResponse:
    """The bell alone, for the header's refresh every 30 seconds."""
    from .templatetags.notification_tags import bell_context

    return render(request, "comms/notifications/_bell.html", bell_context(request))


def _locked(request: HttpRequest, audience: str) -> dict[str, str]:
    """Channels this person cannot receive, with why (their checkboxes are shown but disabled)."""
    organization = request.organization  # type: ignore[attr-defined]
    locked: dict[str, str] = {}
    if push.enabled() and not push_devices.push_subscriptions_of(organization=organization,
                                                                 user=request.user).exists():
        locked["push"] = _("Push notifications need a device: turn them on for this device below.")
    if audience == services.TEAM:
        if not user_phone(request.user):
            locked["sms"] = _("Texts to the team need a mobile number on your account, and none is set.")
        return locked
    client = Client.objects.filter(user=request.user).order_by("pk").first()  # type: ignore[misc]
    if client is None or not client.phone or not client.sms_consent:
        locked["sms"] = _("Texts need your mobile number and your agreement to texts. Ask %(business)s to "
                          "add them.") % {"business": organization.name}
    if client is None or not client.email:
        locked["email"] = _("Emails need an email address on your record. Ask %(business)s to add one.") % {
            "business": organization.name}
    return locked


def _language(request: HttpRequest) -> tuple[LanguageForm, HttpResponse | None]:
    """A client's own language, on their settings page (the team chooses theirs on the account page)."""
    organization = request.organization  # type: ignore[attr-defined]
    posted = request.method == "POST" and "language" in request.POST
    form = LanguageForm(request.POST if posted else None, organization=organization,
                        initial={"language": request.user.language})  # type: ignore[union-attr]
    if posted and form.is_valid():
        try:
            user_language_set(user=request.user, language=form.cleaned_data["language"])  # type: ignore[arg-type]
        except AccountError as exc:
            form.add_error("language", str(exc))
        else:
            # Said in the language just chosen (the next page speaks it).
            with translation.override(form.cleaned_data["language"] or organization.locale):
                messages.success(request, _("Your language is saved."))
            return form, redirect(_url(services.CLIENT, "preferences", request))
    return form, None


def _preferences(request: HttpRequest, audience: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    language_form = None
    if audience == services.CLIENT:
        language_form, done = _language(request)
        if done is not None:
            return done
    locked = _locked(request, audience)
    rows = services.preference_table(organization=organization, user=request.user, audience=audience)
    if request.method == "POST" and "language" not in request.POST:  # the other form of the page
        enabled = {tuple(value.split(":", 1)) for value in request.POST.getlist("on") if ":" in value}
        # A disabled checkbox is not submitted: it keeps what it was.
        enabled |= {(row.kind.key, via) for row in rows for via, on in row.cells if on and via in locked}
        services.preferences_save(organization=organization, user=request.user, audience=audience,
                                  enabled=enabled)  # type: ignore[arg-type]
        messages.success(request, _("Your notification settings are saved."))
        return redirect(_url(audience, "preferences", request))
    labels = dict(services.Via.choices)
    table = [{"key": row.kind.key, "label": row.kind.label, "cells": [
        {"via": via, "label": labels[via], "on": on, "locked": via in locked} for via, on in row.cells]}
        for row in rows]
    return render(request, "comms/notifications/preferences.html", {
        "base": _base(audience), "table": table, "vias": [(via, labels[via]) for via in services.vias()],
        "locked": locked, "audience": audience, "index_url": _url(audience, "index", request),
        "language_form": language_form, "push": views_push.panel_context(request, audience),
    })


# --- the back office (team) ------------------------------------------------------------------

@org_view(Perm.BACKOFFICE)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _index(request, services.TEAM)


@org_view(Perm.BACKOFFICE)
def open_notification(request: HttpRequest, org_slug: str, notification_id: int) -> HttpResponse:
    return _open(request, services.TEAM, notification_id)


@org_view(Perm.BACKOFFICE)
@require_POST
def read(request: HttpRequest, org_slug: str, notification_id: int) -> HttpResponse:
    return _read(request, services.TEAM, notification_id)


@org_view(Perm.BACKOFFICE)
@require_POST
def read_all(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _read_all(request, services.TEAM)


@org_view(Perm.BACKOFFICE)
def bell(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _bell(request, services.TEAM)


@org_view(Perm.BACKOFFICE)
def preferences(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _preferences(request, services.TEAM)


# --- the client portal -----------------------------------------------------------------------

@org_view(Perm.PORTAL)
def portal_index(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _index(request, services.CLIENT)


@org_view(Perm.PORTAL)
def portal_open(request: HttpRequest, org_slug: str, notification_id: int) -> HttpResponse:
    return _open(request, services.CLIENT, notification_id)


@org_view(Perm.PORTAL)
@require_POST
def portal_read(request: HttpRequest, org_slug: str, notification_id: int) -> HttpResponse:
    return _read(request, services.CLIENT, notification_id)


@org_view(Perm.PORTAL)
@require_POST
def portal_read_all(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _read_all(request, services.CLIENT)


@org_view(Perm.PORTAL)
def portal_bell(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _bell(request, services.CLIENT)


@org_view(Perm.PORTAL)
def portal_preferences(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _preferences(request, services.CLIENT)
