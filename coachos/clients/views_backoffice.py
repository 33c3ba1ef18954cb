"""The back-office client pages: the list (search, filters, sorting), add and edit, the CSV
import and export, and the client's page (a header and sections loaded on their own, see
``views_sections``). Every write is one service call."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coachos.accounts.models import Invitation
from coachos.accounts.services import AccountError, invitation_create, invitation_resend
from coachos.tenancy.access import org_view
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Perm, Role

from . import csv_io, selectors, services
from .forms_backoffice import BulkTagForm, ClientForm, FilterForm, ImportForm, StatusForm, TagForm
from .models import Client, Tag
from .sections import actions_for, sections_for

logger = logging.getLogger(__name__)

PER_PAGE = 25
IMPORT_SESSION_KEY = "clients_import_rows"


def _filters(form: FilterForm) -> selectors.ClientFilters:
    data = form.cleaned_data if form.is_valid() else {}
    return selectors.ClientFilters(
        q=(data.get("q") or "").strip(), status=data.get("status") or "", tag=data.get("tag"),
        credits=data.get("credits") or "", inactive_days=data.get("inactive"), sort=data.get("sort") or "name",
    )


@org_view(Perm.BACKOFFICE)
def client_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    tags = list(Tag.objects.all())
    form = FilterForm(request.GET or None, tags=tags)
    filters = _filters(form)
    clients = selectors.client_list(membership=request.membership, filters=filters)
    page = Paginator(clients, PER_PAGE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    filtered = any(k in kept for k in ("q", "status", "tag", "credits", "inactive"))
    any_clients = page.paginator.count > 0 or (filtered and selectors.clients_visible_to(request.membership).exists())
    now = timezone.now()
    return render(request, "clients/backoffice/list.html", {
        "form": form, "page": page, "query": urlencode(kept), "filtered": filtered, "any_clients": any_clients,
        "now": now, "soon": now + timedelta(days=selectors.EXPIRING_DAYS), "low": selectors.LOW_CREDITS,
        "bulk_form": BulkTagForm(), "tag_names": [t.name for t in tags],
    })


def _save(request: HttpRequest, form: ClientForm, client: Client | None) -> Client | None:
    """Run the service for a valid form; on a service error put it on the form and return None."""
    data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS}
    try:
        if client is None:
            # A coach who sees only their own clients adds clients as theirs (or could not see them).
            mine = request.membership if request.membership.own_clients_only else None
            return services.client_add(organization=request.organization, actor=request.user, data=data,
                                       coach_membership=mine)
        return services.client_update(client=client, actor=request.user, data=data)
    except ValidationError as exc:
        for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            form.add_error(field if field in form.fields else None, errors)
        return None


@org_view(Perm.BACKOFFICE)
def client_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = _save(request, form, None)
        if client is not None:
            messages.success(request, _("Client added."))
            return redirect("clients:detail", org_slug=org_slug, client_id=client.pk)
    return render(request, "clients/backoffice/form.html", {"form": form, "client": None})


@org_view(Perm.BACKOFFICE)
def client_edit(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = get_object_or_404(selectors.clients_visible_to(request.membership), pk=client_id)
    form = ClientForm(request.POST or None, initial=ClientForm.initial_for(client))
    if request.method == "POST" and form.is_valid():
        if _save(request, form, client) is not None:
            messages.success(request, _("Changes saved."))
            return redirect("clients:detail", org_slug=org_slug, client_id=client.pk)
    return render(request, "clients/backoffice/form.html", {"form": form, "client": client})


@org_view(Perm.BACKOFFICE)
def client_detail(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = get_object_or_404(selectors.clients_visible_to(request.membership).prefetch_related("tags"), pk=client_id)
    membership = request.membership
    sections = sections_for(org_slug=org_slug, client_id=client.pk, membership=membership)
    actions = actions_for(org_slug=org_slug, client_id=client.pk, membership=membership)
    return render(request, "clients/backoffice/detail.html", {
        "client": client, "sections": sections, "actions": actions,
        "coaches": [] if membership.own_clients_only else _coaches(),
        "coach": client.coach_membership.user if client.coach_membership_id else None,  # type: ignore[union-attr]
        "can_invite": membership.has(Perm.INVITE_CLIENTS), "invitation": _portal_invitation(client),
    })


def _coaches() -> list[Membership]:
    return list(Membership.objects.filter(role__in=services.COACHING_ROLES).select_related("user")
                .order_by("user__name", "pk"))


def _portal_invitation(client: Client) -> Invitation | None:
    """The latest portal invitation sent to the client's email address, if any."""
    if not client.email:
        return None
    return Invitation.objects.filter(role=Role.CLIENT, email__iexact=client.email).order_by("-created_at").first()


@require_POST
@org_view(Perm.BACKOFFICE)
def client_coach(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    """Set the client's own coach (not for a coach who sees only their own clients)."""
    client = get_object_or_404(selectors.clients_visible_to(request.membership), pk=client_id)
    if request.membership.own_clients_only:
        messages.error(request, _("Your role cannot change who coaches this client."))
        return _back(request, client)
    raw = request.POST.get("coach", "")
    coach = None
    if raw:
        coach = Membership.objects.filter(pk=int(raw) if raw.isdigit() else 0,
                                          role__in=services.COACHING_ROLES).first()
        if coach is None:
            messages.error(request, _("Choose a coach of this business."))
            return _back(request, client)
    services.client_set_coach(client=client, actor=request.user, coach=coach)
    messages.success(request, _("Coach saved."))
    return _back(request, client)


@require_POST
@org_view(Perm.INVITE_CLIENTS)
def client_invite(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    """Invite the client to the portal from their record (the Team page's invitation service)."""
    client = get_object_or_404(selectors.clients_visible_to(request.membership), pk=client_id)
    if client.user_id is not None:
        messages.info(request, _("This client already uses the portal."))
    elif not client.email:
        messages.error(request, _("Add the client's email address first."))
    else:
        earlier = _portal_invitation(client)
        try:
            if earlier is not None and earlier.status in (Invitation.Status.PENDING, Invitation.Status.EXPIRED):
                invitation_resend(invitation=earlier, actor=request.user)
            else:
                invitation_create(organization=request.organization, actor=request.user,
                                  actor_membership=request.membership, email=client.email, role=Role.CLIENT,
                                  name=client.full_name)
        except AccountError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Portal invitation sent."))
    return _back(request, client)


def _back(request: HttpRequest, client: Client) -> HttpResponse:
    return redirect("clients:detail", org_slug=request.organization.slug, client_id=client.pk)


@require_POST
@org_view(Perm.BACKOFFICE)
def client_status(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = get_object_or_404(selectors.clients_visible_to(request.membership), pk=client_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        client = services.client_set_status(client=client, actor=request.user, status=form.cleaned_data["status"])
        messages.success(request, _("Status is now %(status)s.") % {"status": client.get_status_display()})
    else:
        messages.error(request, _("Choose a status."))
    return _back(request, client)


@require_POST
@org_view(Perm.BACKOFFICE)
def client_tag_add(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = get_object_or_404(selectors.clients_visible_to(request.membership), pk=client_id)
    form = TagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the tag a name of at most 40 characters."))
        return _back(request, client)
    try:
        tag = services.client_tag(client=client, actor=request.user, name=form.cleaned_data["name"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Tagged “%(name)s”.") % {"name": tag.name})
    return _back(request, client)


@require_POST
@org_view(Perm.BACKOFFICE)
def client_tag_remove(request: HttpRequest, org_slug: str, client_id: int, tag_id: int) -> HttpResponse:
    client = get_object_or_404(selectors.clients_visible_to(request.membership), pk=client_id)
    tag = get_object_or_404(Tag, pk=tag_id)
    services.client_untag(client=client, actor=request.user, tag=tag)
    messages.success(request, _("Tag “%(name)s” removed.") % {"name": tag.name})
    return _back(request, client)


# --- CSV ------------------------------------------------------------------------------------------

@org_view(Perm.BACKOFFICE)
def client_export(request: HttpRequest, org_slug: str) -> HttpResponse:
    clients = selectors.clients_visible_to(request.membership).prefetch_related("tags") \
        .order_by("last_name", "first_name", "id")
    # Built inside the request (not streamed): the business's scope ends with the request.
    body = "".join(csv_io.export_rows(clients))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="clients-{org_slug}-{stamp}.csv"'
    return response


@org_view(Perm.BACKOFFICE)
def client_import(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Upload → a report of every row → import (all, or the valid ones). The parsed rows wait in
    the session between the two steps; the file itself is never written anywhere."""
    form = ImportForm()
    report = None
    step = request.POST.get("step", "upload") if request.method == "POST" else "upload"
    if step == "upload" and request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > csv_io.MAX_BYTES:
                    raise csv_io.CsvError(_("The file is larger than 2 MB. Split it into smaller files."))
                rows = csv_io.parse(upload.read())
            except csv_io.CsvError as exc:
                form.add_error("file", str(exc))
            else:
                if not rows:
                    form.add_error("file", _("The file has no rows below the column names."))
                else:
                    report = csv_io.validate(organization=request.organization, rows=rows)
                    request.session[IMPORT_SESSION_KEY] = {"org": request.organization.pk, "rows": rows}
    elif step == "confirm":
        stored = request.session.get(IMPORT_SESSION_KEY) or {}
        rows = stored.get("rows") if stored.get("org") == request.organization.pk else None
        if not rows:
            messages.error(request, _("Upload the file again: the checked rows are no longer available."))
            return redirect("clients:import", org_slug=org_slug)
        report = csv_io.clients_import(organization=request.organization, actor=request.user, rows=rows,
                                       skip_invalid=request.POST.get("skip_invalid") == "1")
        if report.imported or not report.invalid:
            del request.session[IMPORT_SESSION_KEY]
            messages.success(request, ngettext("%(n)d client imported.", "%(n)d clients imported.",
                                               report.imported) % {"n": report.imported})
            return redirect("clients:list", org_slug=org_slug)
    elif step == "cancel":
        request.session.pop(IMPORT_SESSION_KEY, None)
        return redirect("clients:import", org_slug=org_slug)
    context: dict[str, Any] = {"form": form, "report": report, "columns": csv_io.COLUMNS}
    return render(request, "clients/backoffice/import.html", context)
