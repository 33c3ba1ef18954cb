"""The client portal's payments: /portal/<org_slug>/payments/.

A client buys a package or a membership (Stripe Checkout, or the local test checkout in the
embedded default), sees their payments and memberships, and downloads receipts. Every lookup
goes through the signed-in client's own record. The test checkout and the payment-link pages are
reached by a signed token (like Stripe's own checkout URL), so a link the coach emails works.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.clients.models import Client
from coachos.credits.models import PackagePlan
from coachos.tenancy.access import org_view, public_org_view
from coachos.tenancy.roles import Perm

from . import gateway as gateway_module
from . import local, local_checkout, services
from .models import ClientMembership, MembershipPlan, Purchase
from .receipts import receipt_filename, receipt_pdf


def _client(request: HttpRequest) -> Client | None:
    return Client.objects.filter(user=request.user).order_by("pk").first()


@org_view(Perm.PORTAL)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = _client(request)
    paid = request.GET.get("paid", "")
    just_paid = None
    if client is not None and paid.isdigit():
        just_paid = Purchase.objects.filter(pk=int(paid), client=client).first()
    return render(request, "billing/portal/index.html", {
        "client": client, "just_paid": just_paid,
        "plans": PackagePlan.objects.filter(active=True, price_minor__gt=0).order_by("price_minor", "name"),
        "membership_plans": MembershipPlan.objects.filter(active=True).order_by("price_minor", "name"),
        "purchases": [] if client is None else Purchase.objects.filter(client=client).exclude(
            status=Purchase.Status.CANCELLED)[:50],
        "memberships": [] if client is None else ClientMembership.objects.filter(client=client).exclude(
            status__in=[ClientMembership.Status.PENDING, ClientMembership.Status.CANCELLED]).select_related("plan"),
        "local_mode": gateway_module.is_local(),
    })


def _start_checkout(request: HttpRequest, org_slug: str, *, plan: PackagePlan | None = None,
                    membership_plan: MembershipPlan | None = None) -> HttpResponse:
    client = _client(request)
    if client is None:
        messages.error(request, _("Your coach has not linked your client record yet."))
        return redirect("portal_billing:index", org_slug=org_slug)
    try:
        purchase = services.purchase_create(client=client, plan=plan, membership_plan=membership_plan,
                                            actor=request.user, source=Purchase.Source.PORTAL)
        purchase = services.purchase_checkout(purchase=purchase)
    except (services.PaymentError, gateway_module.GatewayError) as exc:
        messages.error(request, str(exc))
        return redirect("portal_billing:index", org_slug=org_slug)
    return redirect(purchase.checkout_url)


@require_POST
@org_view(Perm.PORTAL)
def buy(request: HttpRequest, org_slug: str, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(PackagePlan, pk=plan_id, active=True)
    return _start_checkout(request, org_slug, plan=plan)


@require_POST
@org_view(Perm.PORTAL)
def join(request: HttpRequest, org_slug: str, membershipplan_id: int) -> HttpResponse:
    plan = get_object_or_404(MembershipPlan, pk=membershipplan_id, active=True)
    return _start_checkout(request, org_slug, membership_plan=plan)


@require_GET
@org_view(Perm.PORTAL)
def receipt(request: HttpRequest, org_slug: str, purchase_id: int) -> HttpResponse:
    client = _client(request)
    if client is None:
        raise Http404("No client record.")
    purchase = get_object_or_404(Purchase.objects.select_related("client", "organization"), pk=purchase_id,
                                 client=client, paid_at__isnull=False)
    response = HttpResponse(receipt_pdf(purchase), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipt_filename(purchase)}"'
    return response


@public_org_view
def pay(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """A payment link the coach sent: opens (or reopens) the checkout of that purchase."""
    purchase_id = services.pay_link_purchase_id(token, request.organization)
    purchase = Purchase.objects.filter(pk=purchase_id).first() if purchase_id else None
    if purchase is None:
        raise Http404("No such payment link.")
    if purchase.status != Purchase.Status.PENDING and purchase.status != Purchase.Status.FAILED:
        return render(request, "billing/portal/link_done.html", {"purchase": purchase})
    try:
        if purchase.status == Purchase.Status.FAILED:
            Purchase.objects.filter(pk=purchase.pk, status=Purchase.Status.FAILED).update(
                status=Purchase.Status.PENDING)
        purchase = services.purchase_checkout(purchase=purchase)
    except (services.PaymentError, gateway_module.GatewayError) as exc:
        return render(request, "billing/portal/link_done.html", {"purchase": purchase, "error": str(exc)}, status=409)
    return redirect(purchase.checkout_url)


@public_org_view
def test_checkout(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """The local test checkout (no Stripe key): "Pay" goes through the webhook code path."""
    found = local_checkout.read_token(token, "purchase")
    if found is None or not gateway_module.is_local():
        raise Http404("No such checkout.")
    purchase = Purchase.objects.select_related("client", "membership__plan").filter(pk=found[0]).first()
    if purchase is None:
        raise Http404("No such checkout.")
    success_path, cancel_path = local_checkout.return_paths(token)
    back = cancel_path or reverse("portal_billing:index", kwargs={"org_slug": org_slug})
    if request.method == "POST":
        if purchase.status in (Purchase.Status.PENDING, Purchase.Status.FAILED):
            if request.POST.get("outcome") == "decline":
                local.decline(purchase)
                messages.error(request, _("Test card declined. Nothing was charged."))
                return redirect(request.path)
            outcomes = local.pay(purchase)
            if not all(o.status == 200 for o in outcomes):
                messages.error(request, _("The payment could not be completed."))
                return redirect(request.path)
        return redirect(success_path or f"{back}?paid={purchase.pk}")
    return render(request, "billing/test_checkout.html", {
        "purchase": purchase, "title": purchase.description, "amount_minor": purchase.amount_minor,
        "currency": purchase.currency, "monthly": purchase.kind == Purchase.Kind.MEMBERSHIP, "back": back,
        "done": purchase.status not in (Purchase.Status.PENDING, Purchase.Status.FAILED),
    })
