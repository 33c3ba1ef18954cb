"""Back-office payments pages: /o/<org_slug>/payments/.

Money is Perm.MONEY (owner and coach): payments, refunds, manual payments, payment links,
memberships. The platform plan page is the owner's (Perm.SETTINGS). Pages stay thin: a form,
one service, a message, a redirect.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.books.models import MoneyEvent
from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import gateway as gateway_module
from . import local, local_checkout, memberships, platform, services
from .accounts import arrears_of, billing_account_for, platform_plan_for
from .forms import ManualPaymentForm, MembershipPlanForm, PaymentFilterForm, PaymentLinkForm, RefundForm
from .models import ClientMembership, MembershipPlan, Purchase
from .receipts import receipt_filename, receipt_pdf

logger = logging.getLogger(__name__)


def _public_url(request: HttpRequest, name: str, **kwargs: Any) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"org_slug": request.organization.slug, **kwargs}))


def _purchases(request: HttpRequest) -> QuerySet[Purchase]:
    """The purchases of the clients this member may see (``clients_visible_to``): a coach limited to
    their own clients gets a 404 for another's purchase, and lists and counts leave them out."""
    if request.membership.own_clients_only:
        return Purchase.objects.filter(client__in=clients_visible_to(request.membership))
    return Purchase.objects.all()


def _client_memberships(request: HttpRequest) -> QuerySet[ClientMembership]:
    if request.membership.own_clients_only:
        return ClientMembership.objects.filter(client__in=clients_visible_to(request.membership))
    return ClientMembership.objects.all()


def _only_visible_clients(request: HttpRequest, form: ManualPaymentForm | PaymentLinkForm) -> None:
    """A payment can be recorded or asked for only for a client this member may see."""
    if request.membership.own_clients_only:
        field = form.fields["client"]
        field.queryset = field.queryset.filter(  # type: ignore[attr-defined]
            pk__in=clients_visible_to(request.membership).values("pk"))


# --- overview and Stripe Connect ------------------------------------------------------------------

@org_view(Perm.MONEY)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    account = billing_account_for(request.organization)
    since = timezone.now() - timedelta(days=30)
    purchases = _purchases(request)
    paid = purchases.filter(paid_at__gte=since, status__in=[
        Purchase.Status.PAID, Purchase.Status.PARTIALLY_REFUNDED, Purchase.Status.REFUNDED])
    return render(request, "billing/index.html", {
        "account": account, "local_mode": gateway_module.is_local(),
        "flagged": purchases.filter(flagged=True).select_related("client")[:20],
        "pending_count": purchases.filter(status=Purchase.Status.PENDING).count(),
        "paid_count": paid.count(), "paid_total": paid.aggregate(total=Sum("amount_minor"))["total"] or 0,
        "past_due": _client_memberships(request).filter(status=ClientMembership.Status.PAST_DUE).count(),
        "recent": purchases.select_related("client")[:8],
        "plan": platform_plan_for(account), "arrears": arrears_of(account),
    })


@require_POST
@org_view(Perm.SETTINGS)
def connect(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Start (or continue) Stripe Connect onboarding: an Express account and its onboarding link."""
    gateway = gateway_module.get_gateway()
    account = billing_account_for(request.organization)
    try:
        if not account.stripe_account_id:
            account_id = gateway.connect_account_create(organization_id=request.organization.pk)
            type(account).objects.filter(pk=account.pk).update(stripe_account_id=account_id)
            account.stripe_account_id = account_id
        url = gateway.connect_onboarding_link(
            account_id=account.stripe_account_id or "", refresh_url=_public_url(request, "billing:index"),
            return_url=_public_url(request, "billing:connect_return"))
    except gateway_module.GatewayError as exc:
        messages.error(request, str(exc))
        return redirect("billing:index", org_slug=org_slug)
    return redirect(url)


@require_GET
@org_view(Perm.SETTINGS)
def connect_return(request: HttpRequest, org_slug: str) -> HttpResponse:
    account = billing_account_for(request.organization)
    if account.stripe_account_id:
        try:
            state = gateway_module.get_gateway().account_state(account_id=account.stripe_account_id)
        except gateway_module.GatewayError as exc:
            messages.error(request, str(exc))
        else:
            type(account).objects.filter(pk=account.pk).update(
                charges_enabled=state.charges_enabled, payouts_enabled=state.payouts_enabled,
                details_submitted=state.details_submitted)
            if state.charges_enabled:
                messages.success(request, _("Stripe is connected: clients can pay online."))
            else:
                messages.info(request, _("Stripe needs a few more details before you can take payments."))
    return redirect("billing:index", org_slug=org_slug)


# --- payments -------------------------------------------------------------------------------------

def _day_start(day: Any, tz: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


@org_view(Perm.MONEY)
def payment_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = PaymentFilterForm(request.GET or None)
    purchases = _purchases(request).select_related("client")
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            purchases = purchases.filter(status=data["status"])
        if data["method"]:
            purchases = purchases.filter(method=data["method"])
        if data["flagged"]:
            purchases = purchases.filter(flagged=True)
        if data["q"]:
            for word in data["q"].split()[:3]:
                purchases = purchases.filter(Q(client__first_name__icontains=word) |
                                             Q(client__last_name__icontains=word) | Q(client__email__icontains=word))
        tz = request.organization.tzinfo
        if data["start"]:
            purchases = purchases.filter(created_at__gte=_day_start(data["start"], tz))
        if data["end"]:
            purchases = purchases.filter(created_at__lt=_day_start(data["end"] + timedelta(days=1), tz))
    page = Paginator(purchases.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "billing/payment_list.html", {"form": form, "page": page, "query": query.urlencode()})


def _purchase_page(request: HttpRequest, purchase: Purchase, refund_form: RefundForm | None = None,
                   status: int = 200, refund_plan: services.RefundPlan | None = None) -> HttpResponse:
    ledger = MoneyEvent.objects.filter(related_type="purchase", related_id=purchase.pk).order_by("occurred_at", "id")
    return render(request, "billing/purchase_detail.html", {
        "purchase": purchase, "ledger": ledger, "refund_plan": refund_plan,
        "refund_form": refund_form or (RefundForm(purchase=purchase) if purchase.refundable_minor else None),
        "pay_link": services.pay_link_url(purchase) if purchase.status == Purchase.Status.PENDING
        and purchase.method == Purchase.Method.STRIPE else "",
        "local_mode": gateway_module.is_local(),
    }, status=status)


@org_view(Perm.MONEY)
def purchase_detail(request: HttpRequest, org_slug: str, purchase_id: int) -> HttpResponse:
    purchase = get_object_or_404(_purchases(request).select_related("client", "plan", "client_package", "membership"),
                                 pk=purchase_id)
    return _purchase_page(request, purchase)


@require_POST
@org_view(Perm.MONEY)
def purchase_refund(request: HttpRequest, org_slug: str, purchase_id: int) -> HttpResponse:
    purchase = get_object_or_404(_purchases(request).select_related("client", "client_package"), pk=purchase_id)
    form = RefundForm(request.POST, purchase=purchase, confirming=request.POST.get("confirm") == "True")
    if form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.refund_plan(purchase=purchase, amount_minor=data["amount_minor"],
                                        credits_to_remove=data.get("credits_to_remove"))
            if not data["confirm"]:
                # Show what will happen (the credits kept) before anything is refunded.
                confirm_form = RefundForm(purchase=purchase, confirming=True, initial={
                    "amount": request.POST.get("amount", ""), "reason": data["reason"], "confirm": True,
                    "credits_to_remove": plan.credits_to_remove})
                return _purchase_page(request, purchase, confirm_form, refund_plan=plan)
            services.purchase_refund(purchase=purchase, actor=request.user, amount_minor=plan.amount_minor,
                                     credits_to_remove=plan.credits_to_remove if purchase.client_package_id else None,
                                     reason=data["reason"])
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Refund recorded."))
            return redirect("billing:purchase", org_slug=org_slug, purchase_id=purchase.pk)
    return _purchase_page(request, purchase, form, status=422)


@require_POST
@org_view(Perm.MONEY)
def purchase_cancel(request: HttpRequest, org_slug: str, purchase_id: int) -> HttpResponse:
    purchase = get_object_or_404(_purchases(request), pk=purchase_id)
    try:
        services.purchase_cancel(purchase=purchase, actor=request.user)
    except services.PaymentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Payment request cancelled."))
    return redirect("billing:purchase", org_slug=org_slug, purchase_id=purchase.pk)


@require_GET
@org_view(Perm.MONEY)
def purchase_receipt(request: HttpRequest, org_slug: str, purchase_id: int) -> HttpResponse:
    purchase = get_object_or_404(_purchases(request).select_related("client", "organization"), pk=purchase_id)
    if purchase.paid_at is None:
        raise Http404("Not paid.")
    response = HttpResponse(receipt_pdf(purchase), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{receipt_filename(purchase)}"'
    return response


@org_view(Perm.MONEY)
def manual_payment(request: HttpRequest, org_slug: str) -> HttpResponse:
    initial = {}
    client_id = request.GET.get("client", "")
    if client_id.isdigit() and clients_visible_to(request.membership).filter(pk=int(client_id)).exists():
        initial["client"] = int(client_id)
    form = ManualPaymentForm(request.POST or None, organization=request.organization, initial=initial)
    _only_visible_clients(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            purchase = services.manual_payment_record(
                client=data["client"], amount_minor=data["amount_minor"], method=data["method"], actor=request.user,
                plan=data["plan"], note=data["note"], paid_at=data.get("paid_at"))
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("billing:purchase", org_slug=org_slug, purchase_id=purchase.pk)
    return render(request, "billing/manual_form.html", {"form": form})


@org_view(Perm.MONEY)
def payment_link(request: HttpRequest, org_slug: str) -> HttpResponse:
    initial = {}
    client_id = request.GET.get("client", "")
    if client_id.isdigit() and clients_visible_to(request.membership).filter(pk=int(client_id)).exists():
        initial["client"] = int(client_id)
    form = PaymentLinkForm(request.POST or None, initial=initial)
    _only_visible_clients(request, form)
    if request.method == "POST" and form.is_valid():
        plan, membership_plan = form.cleaned_data["product"]
        try:
            purchase, _link = services.payment_link_send(client=form.cleaned_data["client"], plan=plan,
                                                         membership_plan=membership_plan, actor=request.user)
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Payment link created and sent to the client."))
            return redirect("billing:purchase", org_slug=org_slug, purchase_id=purchase.pk)
    return render(request, "billing/link_form.html", {"form": form})


# --- memberships ------------------------------------------------------------------------------------

@org_view(Perm.MONEY)
def membership_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = MembershipPlanForm(request.POST or None, currency=request.organization.currency)
    if request.method == "POST" and form.is_valid():
        try:
            plan = memberships.membership_plan_create(
                organization=request.organization, actor=request.user, name=form.cleaned_data["name"],
                price_minor=form.cleaned_data["price_minor"],
                sessions_per_month=form.cleaned_data["sessions_per_month"])
        except services.PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Membership “%(name)s” created.") % {"name": plan.name})
            return redirect("billing:memberships", org_slug=org_slug)
    show = request.GET.get("show", "")
    rows = _client_memberships(request).select_related("client", "plan")
    if show == "past_due":
        rows = rows.filter(status__in=[ClientMembership.Status.PAST_DUE, ClientMembership.Status.PAUSED])
    page = Paginator(rows.order_by("-updated_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "billing/memberships.html", {
        "form": form, "plans": MembershipPlan.objects.order_by("-active", "name"), "page": page, "show": show,
        "past_due_count": _client_memberships(request).filter(status=ClientMembership.Status.PAST_DUE).count(),
        "grace_days": billing_account_for(request.organization).membership_grace_days,
        "local_mode": gateway_module.is_local(),
    }, status=422 if request.method == "POST" else 200)


@require_POST
@org_view(Perm.MONEY)
def membership_plan_toggle(request: HttpRequest, org_slug: str, membershipplan_id: int) -> HttpResponse:
    plan = get_object_or_404(MembershipPlan, pk=membershipplan_id)
    memberships.membership_plan_set_active(plan=plan, actor=request.user, active=not plan.active)
    messages.success(request, _("“%(name)s” is on sale.") % {"name": plan.name} if plan.active
                     else _("“%(name)s” is off sale; current members keep it.") % {"name": plan.name})
    return redirect("billing:memberships", org_slug=org_slug)


@require_POST
@org_view(Perm.MONEY)
def membership_cancel(request: HttpRequest, org_slug: str, clientmembership_id: int) -> HttpResponse:
    membership = get_object_or_404(_client_memberships(request), pk=clientmembership_id)
    try:
        memberships.membership_cancel(membership=membership, actor=request.user)
    except services.PaymentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Membership cancelled."))
    return redirect("billing:memberships", org_slug=org_slug)


@require_POST
@org_view(Perm.MONEY)
def membership_simulate(request: HttpRequest, org_slug: str, clientmembership_id: int) -> HttpResponse:
    """Test mode only: Stripe's next invoice for this membership, paid or failed."""
    membership = get_object_or_404(_client_memberships(request).select_related("plan", "client"), pk=clientmembership_id)
    if not gateway_module.is_local():
        raise Http404("Only in test mode.")
    paid = request.POST.get("outcome") == "paid"
    period = membership.purchases.count() + 1
    outcome = local.membership_invoice(membership, paid=paid, period=period)
    if outcome.status == 200:
        messages.success(request, _("Test renewal paid.") if paid else _("Test renewal failed: the membership is past due."))
    else:
        messages.error(request, _("The test event was not accepted."))
    return redirect("billing:memberships", org_slug=org_slug)


# --- platform plan ----------------------------------------------------------------------------------

@org_view(Perm.SETTINGS)
def platform_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    account = billing_account_for(request.organization)
    if request.GET.get("paid") and account.past_due_since is None:
        messages.success(request, _("Thank you: your subscription is paid."))
    return render(request, "billing/platform.html", {
        "account": account, "plan": platform_plan_for(account), "arrears": arrears_of(account),
        "local_mode": gateway_module.is_local(),
    })


@require_POST
@org_view(Perm.SETTINGS)
def platform_subscribe(request: HttpRequest, org_slug: str) -> HttpResponse:
    try:
        url = platform.platform_checkout(organization=request.organization, actor=request.user)
    except services.PaymentError as exc:
        messages.error(request, str(exc))
        return redirect("billing:platform", org_slug=org_slug)
    return redirect(url)


@org_view(Perm.SETTINGS)
def platform_test_checkout(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    found = local_checkout.read_token(token, "platform")
    if found is None or found[0] != request.organization.pk or not gateway_module.is_local():
        raise Http404("No such checkout.")
    account = billing_account_for(request.organization)
    plan = platform_plan_for(account)
    if request.method == "POST":
        paid = request.POST.get("outcome") != "decline"
        outcomes = local.platform_pay(request.organization.pk, found[1], paid=paid)
        if all(o.status == 200 for o in outcomes):
            if paid:
                return redirect(reverse("billing:platform", kwargs={"org_slug": org_slug}) + "?paid=1")
            messages.error(request, _("Test payment declined: the subscription is past due."))
        else:
            messages.error(request, _("The test event was not accepted."))
        return redirect("billing:platform", org_slug=org_slug)
    return render(request, "billing/test_checkout.html", {
        "title": plan.name if plan else "", "amount_minor": plan.monthly_price_minor if plan else 0,
        "currency": plan.currency if plan else "USD", "monthly": True, "back": reverse(
            "billing:platform", kwargs={"org_slug": org_slug}), "platform": True,
    })


# --- the client page's section -----------------------------------------------------------------------

@require_GET
@org_view(Perm.MONEY)
def client_section(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = get_object_or_404(clients_visible_to(request.membership), pk=client_id)  # type: ignore[attr-defined]
    try:
        with transaction.atomic():  # a failed query rolls back to here; the connection stays usable
            return _client_section(request, client)
    except Exception:
        logger.exception("client section failed", extra={"section": "payments", "client_id": client.pk,
                                                          "organization_id": client.organization_id})
        html = render_to_string("clients/backoffice/sections/_error.html", {"url": request.path})
        return HttpResponse(html, status=500)


def _client_section(request: HttpRequest, client: Client) -> HttpResponse:
    purchases = list(Purchase.objects.filter(client=client).select_related("client_package")[:30])
    client_memberships = list(ClientMembership.objects.filter(client=client).select_related("plan")[:10])
    return render(request, "billing/_client_section.html", {
        "client": client, "purchases": purchases, "memberships": client_memberships,
    })
