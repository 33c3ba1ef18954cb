"""The back office's dashboard: a page made of several apps' parts (tenancy's team and invitations,
the clients' credit cards, the books' money), so it lives on the top floor."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from coachos.accounts.models import Invitation
from coachos.books.selectors import dashboard_money
from coachos.tenancy.access import org_view
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Perm, Role

from .selectors import dashboard_counts


@org_view(Perm.BACKOFFICE)
def dashboard(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    team = Membership.objects.exclude(role=Role.CLIENT).count()
    clients = Membership.objects.filter(role=Role.CLIENT).count()
    pending = Invitation.objects.filter(status=Invitation.Status.PENDING).count()
    steps = [
        {
            "done": bool(organization.sms_number and organization.phone),
            "label": _("Add your phone and SMS number"),
            "url": reverse("backoffice:settings", kwargs={"org_slug": org_slug}),
            "perm": Perm.SETTINGS,
        },
        {
            "done": team > 1 or pending > 0,
            "label": _("Invite your coaches and front desk"),
            "url": reverse("backoffice:team", kwargs={"org_slug": org_slug}),
            "perm": Perm.MANAGE_TEAM,
        },
        {
            "done": clients > 0,
            "label": _("Invite your first client to the portal"),
            "url": reverse("backoffice:team", kwargs={"org_slug": org_slug}) + "#invite",
            "perm": Perm.INVITE_CLIENTS,
        },
    ]
    steps = [s for s in steps if request.membership.has(s["perm"])]
    return render(
        request, "site/dashboard.html",
        {"team_count": team, "client_count": clients, "pending_count": pending, "steps": steps,
         "all_done": all(s["done"] for s in steps), "credit_counts": dashboard_counts(),
         "money": dashboard_money(organization=organization) if request.membership.has(Perm.MONEY) else None},
    )
