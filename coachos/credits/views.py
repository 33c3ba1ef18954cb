"""Back-office package pages: /o/<org_slug>/packages/.

Who may do what: everyone in the back office (owner, coach, front desk) sees the plans and the
clients' active packages — a plan's price is what the business asks publicly, and the front
desk answers "how many sessions do I have left?" at the counter. Creating, changing and taking
plans off sale is a decision about what the business sells and for how much, so it needs
Perm.EDIT_PRICES (owners, and coaches the owner lets edit prices), like the API's plan_create.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import services
from .forms import PlanForm, price_text
from .models import ClientPackage, PackagePlan

LOW_THRESHOLD = 1
EXPIRING_DAYS = 14
FILTERS = ("low", "expiring")


@org_view(Perm.BACKOFFICE)
def plan_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    now = timezone.now()
    active_q = Q(status=ClientPackage.Status.ACTIVE, expires_at__gt=now)
    counts = {
        row["plan"]: row
        for row in ClientPackage.objects.filter(plan__isnull=False).values("plan")
        .annotate(sold=Count("id"), active=Count("id", filter=active_q))
    }
    plans = list(PackagePlan.objects.prefetch_related("session_types").order_by("-active", "name"))
    currency = request.organization.currency
    for plan in plans:
        plan.price_text = price_text(plan.price_minor, currency)  # type: ignore[attr-defined]
        plan.type_names = [t.name for t in plan.session_types.all()]  # type: ignore[attr-defined]
        plan.sold = counts.get(plan.pk, {}).get("sold", 0)  # type: ignore[attr-defined]
        plan.active_count = counts.get(plan.pk, {}).get("active", 0)  # type: ignore[attr-defined]
    return render(request, "credits/plan_list.html", {
        "plans": plans, "can_manage": request.membership.has(Perm.EDIT_PRICES),
    })


def _plan_form_page(request: HttpRequest, org_slug: str, plan: PackagePlan | None) -> HttpResponse:
    form = PlanForm(request.POST or None, currency=request.organization.currency, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            with transaction.atomic():
                if plan is None:
                    active = data.pop("active")
                    saved = services.package_plan_create(organization=request.organization, actor=request.user,
                                                         **data)
                    if not active:
                        services.package_plan_update(plan=saved, actor=request.user, data={"active": False})
                else:
                    saved = services.package_plan_update(plan=plan, actor=request.user, data=data)
        except services.CreditError as exc:
            form.add_error(None, str(exc))
        else:
            if plan is None:
                messages.success(request, _("Package plan “%(name)s” created.") % {"name": saved.name})
            else:
                messages.success(request, _("Package plan “%(name)s” saved. Packages already given keep "
                                            "their sessions and expiry.") % {"name": saved.name})
            return redirect("packages:index", org_slug=org_slug)
    return render(request, "credits/plan_form.html", {"form": form, "plan": plan})


@org_view(Perm.EDIT_PRICES)
def plan_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _plan_form_page(request, org_slug, None)


@org_view(Perm.EDIT_PRICES)
def plan_edit(request: HttpRequest, org_slug: str, plan_id: int) -> HttpResponse:
    return _plan_form_page(request, org_slug, get_object_or_404(PackagePlan, pk=plan_id))


def _set_on_sale(request: HttpRequest, org_slug: str, plan_id: int, active: bool) -> HttpResponse:
    plan = get_object_or_404(PackagePlan, pk=plan_id)
    services.package_plan_update(plan=plan, actor=request.user, data={"active": active})
    if active:
        messages.success(request, _("“%(name)s” is on sale again.") % {"name": plan.name})
    else:
        messages.success(request, _("“%(name)s” is off sale. Clients who have it keep their credits.")
                         % {"name": plan.name})
    return redirect("packages:index", org_slug=org_slug)


@require_POST
@org_view(Perm.EDIT_PRICES)
def plan_off_sale(request: HttpRequest, org_slug: str, plan_id: int) -> HttpResponse:
    return _set_on_sale(request, org_slug, plan_id, False)


@require_POST
@org_view(Perm.EDIT_PRICES)
def plan_on_sale(request: HttpRequest, org_slug: str, plan_id: int) -> HttpResponse:
    return _set_on_sale(request, org_slug, plan_id, True)


def _flag(package: ClientPackage, now: Any) -> ClientPackage:
    package.is_low = package.remaining <= LOW_THRESHOLD  # type: ignore[attr-defined]
    package.is_expiring = package.expires_at <= now + timedelta(days=EXPIRING_DAYS)  # type: ignore[attr-defined]
    return package


@org_view(Perm.BACKOFFICE)
def active_packages(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Every active package, or only those that need a word with the client (?show=low|expiring)."""
    now = timezone.now()
    show = request.GET.get("show", "")
    if show not in FILTERS:
        show = ""
    visible = set(clients_visible_to(request.membership).values_list("pk", flat=True))
    attention = [p for p in services.low_balance_clients(threshold=LOW_THRESHOLD, within_days=EXPIRING_DAYS, now=now)
                 if p.client_id in visible]
    if show == "low":
        rows: list[ClientPackage] = [p for p in attention if p.is_low]  # type: ignore[attr-defined]
    elif show == "expiring":
        rows = [p for p in attention if p.is_expiring]  # type: ignore[attr-defined]
    else:
        rows = [_flag(p, now) for p in ClientPackage.objects.filter(
            status=ClientPackage.Status.ACTIVE, expires_at__gt=now, client_id__in=visible).select_related("client").order_by("expires_at",
                                                                                                      "id")]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "credits/active.html", {
        "page": page, "show": show, "threshold": LOW_THRESHOLD, "days": EXPIRING_DAYS,
        "low_count": sum(1 for p in attention if p.is_low),  # type: ignore[attr-defined]
        "expiring_count": sum(1 for p in attention if p.is_expiring),  # type: ignore[attr-defined]
    })
