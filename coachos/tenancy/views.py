from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.common import moments, ratelimit
from coachos.common.errors import validation_message

from . import audit_text, services
from .access import org_view
from .forms import CoachAccessForm, NewOrganizationForm, OrganizationSettingsForm, RoleForm
from .middleware import memberships_of
from .models import AuditEntry, Membership
from .roles import TEAM_ROLES, Perm


def landing_url(membership: Membership) -> str:
    name = "backoffice:dashboard" if membership.is_team else "portal:home"
    return reverse(name, kwargs={"org_slug": membership.organization.slug})


def home(request: HttpRequest) -> HttpResponse:
    """Send a person to the business they used last, or let them choose."""
    if not request.user.is_authenticated:
        return render(request, "tenancy/welcome.html")
    memberships = memberships_of(request.user)
    if not memberships:
        return render(request, "tenancy/no_business.html")
    current = request.session.get("current_org")
    for membership in memberships:
        if membership.organization.slug == current:
            return redirect(landing_url(membership))
    if len(memberships) == 1:
        return redirect(landing_url(memberships[0]))
    return redirect("businesses")


@login_required
def businesses(request: HttpRequest) -> HttpResponse:
    items = [{"membership": m, "url": landing_url(m)} for m in memberships_of(request.user)]
    return render(request, "tenancy/businesses.html", {"items": items})


@login_required
def business_new(request: HttpRequest) -> HttpResponse:
    form = NewOrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ratelimit.enforce("business_new", f"user:{request.user.pk}")
        try:
            organization = services.organization_create(
                name=form.cleaned_data["name"], owner=request.user, timezone=form.cleaned_data["timezone"]
            )
        except ValidationError as exc:
            form.add_error(None, validation_message(exc))
        else:
            messages.success(request, _("Your business is ready."))
            return redirect("backoffice:dashboard", org_slug=organization.slug)
    return render(request, "tenancy/business_new.html", {"form": form})


@org_view(Perm.SETTINGS)
def settings_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    form = OrganizationSettingsForm(request.POST or None, request.FILES or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in form.changed_data}
        if form.cleaned_data.get("logo") is False:  # "clear" ticked
            data["logo"] = ""
        try:
            updated = services.organization_update(organization=organization, actor=request.user, data=data)
        except (ValidationError, services.TenancyError) as exc:
            message = validation_message(exc) if isinstance(exc, ValidationError) else str(exc)
            form.add_error(None, message)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("backoffice:settings", org_slug=updated.slug)
    if request.method == "POST":
        organization.refresh_from_db()
    return render(request, "tenancy/settings.html", {"form": form})


def _audit_date(raw: str) -> date | None:
    return moments.day_from(raw)


@org_view(Perm.AUDIT)
def audit_log(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The log as sentences, filtered by person, kind (``action``: the action or its start) and
    date (from/to, in the business's zone), all in the URL, 50 a page."""
    entries = AuditEntry.objects.select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        entries = entries.filter(action__startswith=action)
    actor = request.GET.get("actor", "").strip()
    if actor == "system":
        entries = entries.filter(actor__isnull=True)
    elif actor.isdigit():
        entries = entries.filter(actor_id=int(actor))
    since, until = _audit_date(request.GET.get("from", "")), _audit_date(request.GET.get("to", ""))
    zone = request.organization.tzinfo
    if since is not None:
        entries = entries.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until is not None:
        entries = entries.filter(created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    audit_text.with_sentences(list(page.object_list), currency=request.organization.currency)
    kinds = sorted({a.partition(".")[0] for a in AuditEntry.objects.values_list("action", flat=True).distinct()})
    people = Membership.objects.filter(role__in=TEAM_ROLES).select_related("user").order_by("user__name")
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(request, "tenancy/audit_log.html", {
        "page": page, "action": action, "actor": actor, "since": since, "until": until,
        "kinds": [(k, audit_text.kind_label(k)) for k in kinds], "people": people,
        "filtered": bool(kept), "query": urlencode(kept),
    })


@require_POST
@org_view(Perm.MANAGE_TEAM)
def membership_role(request: HttpRequest, org_slug: str, membership_id: int) -> HttpResponse:
    member = get_object_or_404(Membership, pk=membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            services.membership_set_role(membership=member, actor=request.user, role=form.cleaned_data["role"])
            messages.success(request, _("Role changed."))
        except services.TenancyError as exc:
            messages.error(request, str(exc))
    return redirect("backoffice:team", org_slug=org_slug)


@require_POST
@org_view(Perm.MANAGE_TEAM)
def membership_access(request: HttpRequest, org_slug: str, membership_id: int) -> HttpResponse:
    member = get_object_or_404(Membership, pk=membership_id)
    form = CoachAccessForm(request.POST)
    form.is_valid()  # three tick boxes: every post is valid, an absent box is off
    try:
        services.membership_set_access(membership=member, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Access saved."))
    except services.TenancyError as exc:
        messages.error(request, str(exc))
    return redirect("backoffice:team", org_slug=org_slug)


@require_POST
@org_view(Perm.MANAGE_TEAM)
def membership_remove(request: HttpRequest, org_slug: str, membership_id: int) -> HttpResponse:
    member = get_object_or_404(Membership, pk=membership_id)
    try:
        services.membership_remove(membership=member, actor=request.user)
        messages.success(request, _("Removed from the business."))
    except services.TenancyError as exc:
        messages.error(request, str(exc))
    return redirect("backoffice:team", org_slug=org_slug)
