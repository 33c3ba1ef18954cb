"""The "Packages and credits" section of a client's page (the page is the clients app's; credits adds
its section: see coachos/clients/sections.py). Registered in ``CreditsConfig.ready`` with the client
list's credit facts; the URLs are mounted under /o/<slug>/clients/ (``urls_client_sections``)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.db.models import Exists, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from coachos.clients import sections
from coachos.clients import selectors as client_selectors
from coachos.clients.models import Client
from coachos.clients.views_sections import client_or_404, guarded, section_response
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import services as credits
from .models import ClientPackage, PackagePlan

TEMPLATE = "credits/client_section.html"
EXPIRING_DAYS = client_selectors.EXPIRING_DAYS


class GiveForm(forms.Form):
    plan: forms.ModelChoiceField = forms.ModelChoiceField(label=gettext_lazy("Package"), queryset=PackagePlan.objects.none(),
                                  empty_label=gettext_lazy("Choose a package…"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = PackagePlan.objects.filter(active=True)  # type: ignore[attr-defined]


class AdjustForm(forms.Form):
    amount = forms.IntegerField(label=gettext_lazy("Credits (+ or −)"), min_value=-1000, max_value=1000)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)

    def clean_amount(self) -> int:
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise forms.ValidationError(_("Add or remove at least one credit."))
        return int(amount)


def client_packages(client: Client) -> list[ClientPackage]:
    """The client's packages with their ledgers, newest first (two queries)."""
    return list(ClientPackage.objects.filter(client=client).order_by("-created_at", "-id")
                .prefetch_related("ledger__actor"))


def _packages_context(client: Client, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    soon = now + timedelta(days=EXPIRING_DAYS)
    packages = client_packages(client)
    rows: list[dict[str, Any]] = []
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
    client = client_or_404(client_id, request.membership)
    return guarded("packages", request, client,
                    lambda: section_response(request, "packages", TEMPLATE, _packages_context(client)))


@require_POST
@org_view(Perm.BACKOFFICE)
def package_give(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = client_or_404(client_id, request.membership)
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
    return section_response(request, "packages", TEMPLATE, _packages_context(client, **extra))


@require_POST
@org_view(Perm.BACKOFFICE)
def package_use(request: HttpRequest, org_slug: str, client_id: int, package_id: int) -> HttpResponse:
    """Use one session by hand. The form carries a key made when it was shown, so a double
    click (the same key twice) deducts once."""
    client = client_or_404(client_id, request.membership)
    package = get_object_or_404(ClientPackage, pk=package_id, client=client)
    key = request.POST.get("key", "")
    try:
        key = str(uuid.UUID(key))
    except ValueError:
        return section_response(request, "packages", TEMPLATE,
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
        return section_response(request, "packages", TEMPLATE, _packages_context(client, error=message))
    if entry.package_id != package.pk:  # the key was used before, for another package
        return section_response(request, "packages", TEMPLATE,
                        _packages_context(client, error=_("Reload the page and try again.")))
    return section_response(request, "packages", TEMPLATE,
                    _packages_context(client, notice=_("1 session used from %(name)s.") % {"name": package.name}))


@require_POST
@org_view(Perm.BACKOFFICE)
def package_adjust(request: HttpRequest, org_slug: str, client_id: int, package_id: int) -> HttpResponse:
    client = client_or_404(client_id, request.membership)
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
    return section_response(request, "packages", TEMPLATE, _packages_context(client, **extra))


# --- the client list's credit facts -------------------------------------------------------------

def _valid_packages(now: datetime) -> QuerySet[ClientPackage]:
    return ClientPackage.objects.filter(client=OuterRef("pk"), status=ClientPackage.Status.ACTIVE,
                                        expires_at__gt=now, remaining__gt=0)


def list_facts(now: datetime) -> dict[str, Any]:
    """``credits_left`` (valid packages), ``next_expiry`` (the first valid package to expire) and
    ``had_package``, as subqueries (not joins: a page costs the same few queries whatever its size)."""
    total = _valid_packages(now).order_by().values("client").annotate(total=Sum("remaining")).values("total")
    return {
        "credits_left": Coalesce(Subquery(total, output_field=IntegerField()), Value(0)),
        "next_expiry": Subquery(_valid_packages(now).order_by("expires_at").values("expires_at")[:1]),
        "had_package": Exists(ClientPackage.objects.filter(client=OuterRef("pk"))),
    }


def register() -> None:
    sections.register(sections.Section("packages", gettext_lazy("Packages and credits"),
                                       "client_packages:section", order=20))
    client_selectors.register_list_facts(list_facts)
