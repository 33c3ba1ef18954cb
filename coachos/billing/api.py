"""Payments and platform billing API.

Contract (kept stable): ``POST /purchases {client, plan}`` → 201 ``{id, status: "pending",
amount_minor, currency, checkout_url}``; once Stripe's ``checkout.session.completed`` for it
arrives at /webhooks/stripe, ``GET /purchases/{id}`` → ``status: "paid"`` and ``client_package``.

No ``from __future__ import annotations`` here: ``@paginate`` wraps the view, and django-ninja
resolves string annotations in the wrapper's module, where the filter schema is unknown.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.pagination import CursorPagination, paginate
from pydantic import ConfigDict, StringConstraints

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.common.api import found_first, reference, require_perm
from coachos.common.problems import problem_response
from coachos.common.schema import Schema
from coachos.credits.models import PackagePlan
from coachos.tenancy.roles import Perm

from . import gateway as gateway_module
from . import memberships, services
from .models import ClientMembership, MembershipPlan, Purchase

router = Router(tags=["payments and platform billing"])

MAX_ID = 2**63 - 1
Text = Annotated[str, StringConstraints(strip_whitespace=True)]
StatusName = Literal["pending", "paid", "failed", "refunded", "partially_refunded", "cancelled"]


def _problem(exc: services.PaymentError | gateway_module.GatewayError) -> HttpResponse:
    if isinstance(exc, gateway_module.GatewayError) or getattr(exc, "code", "") == "gateway":
        return problem_response(502, "Stripe is unavailable", str(exc), code="gateway")
    code = exc.code
    status = 409 if code in {"not_pending", "not_refundable", "not_connected"} else 422
    return problem_response(status, "Payment refused" if status == 409 else "Invalid request", str(exc), code=code,
                            errors=[{"field": "", "message": str(exc)}])


class PurchaseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    client: int = Field(..., ge=1, le=MAX_ID, description="Id of the client who pays")
    plan: int | None = Field(None, ge=1, le=MAX_ID, description="Id of the package plan bought")
    membership_plan: int | None = Field(None, ge=1, le=MAX_ID,
                                        description="Instead of plan: id of a membership plan (monthly subscription)")


class PurchaseOut(Schema):
    id: int
    status: str
    amount_minor: int
    currency: str
    checkout_url: str | None = Field(None, description="Where the client pays (Stripe Checkout, or the local test "
                                                        "checkout with no Stripe key); null once not pending")
    client: int = Field(..., alias="client_id")
    plan: int | None = Field(None, alias="plan_id")
    membership: int | None = Field(None, alias="membership_id")
    kind: str
    method: str
    description: str
    application_fee_minor: int
    refunded_minor: int
    credits_removed: int = Field(0, description="Package credits taken away by refunds")
    client_package: int | None = Field(None, alias="client_package_id",
                                       description="The package this purchase created, once paid")
    flagged: bool
    flag_reason: str
    created_at: datetime
    paid_at: datetime | None

    @staticmethod
    def resolve_checkout_url(obj: Purchase) -> str | None:
        return obj.checkout_url or None if obj.status == Purchase.Status.PENDING else None


class PurchaseFilters(Schema):
    status: StatusName | None = None
    client: int | None = Field(None, ge=1, le=MAX_ID, description="Only this client's payments (404 if the business "
                                                                  "has no such client, or you may not see them).")


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount_minor: int | None = Field(None, ge=1, le=services.MAX_AMOUNT_MINOR,
                                     description="Minor units to refund; omit to refund all that is left")
    credits_to_remove: int | None = Field(
        None, ge=0, le=100_000, description="Credits of the package it bought to take away (0 to its unused ones); "
                                            "omit for the default: in proportion to the amount, rounded down")
    remove_credits: bool | None = Field(None, description="Instead of credits_to_remove: true takes away every "
                                                          "unused credit, false none")
    reason: Text = Field("", max_length=200)


class RefundPlanOut(Schema):
    amount_minor: int
    credits_total: int
    credits_unused: int
    credits_to_remove: int
    credits_kept: int


class ManualPaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    client: int = Field(..., ge=1, le=MAX_ID)
    amount_minor: int = Field(..., ge=1, le=services.MAX_AMOUNT_MINOR, description="Minor units of the business currency")
    method: Literal["cash", "bank_transfer", "card_terminal"]
    plan: int | None = Field(None, ge=1, le=MAX_ID, description="Optional: grant this package plan's credits")
    note: Text = Field("", max_length=300)
    paid_at: datetime | None = Field(None, description="When it was paid (ISO 8601 with offset); default now")


class MembershipPlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(..., min_length=1, max_length=100)
    price_minor: int = Field(..., ge=1, le=services.MAX_AMOUNT_MINOR, description="Monthly price in minor units")
    sessions_per_month: int | None = Field(None, ge=1, le=100, description="Credits a month; null = unlimited")


class MembershipPlanOut(Schema):
    id: int
    name: str
    price_minor: int
    sessions_per_month: int | None
    active: bool


class MembershipOut(Schema):
    id: int
    client: int = Field(..., alias="client_id")
    plan: int = Field(..., alias="plan_id")
    status: str
    current_period_end: datetime | None
    past_due_since: datetime | None
    created_at: datetime


def _visible_purchases(request: HttpRequest) -> QuerySet[Purchase]:
    """Payments of the clients this member may see (a coach limited to their own clients: theirs)."""
    return Purchase.objects.filter(client__in=clients_visible_to(request.membership))  # type: ignore[attr-defined]


def _purchases_to_change(request: HttpRequest) -> QuerySet[Purchase]:
    """For ``found_first``: the role first (a 403 for whoever may not see money), then the payments
    this member may see (another is a 404 before the body is read)."""
    require_perm(request, Perm.MONEY)
    return _visible_purchases(request)


def _client(request: HttpRequest, client_id: int) -> Client:
    """A client named in a body: 422 when the business has none with this id, 404 when this member
    may not see them."""
    return reference(Client, client_id, "client", "client",
                     visible=clients_visible_to(request.membership))  # type: ignore[attr-defined]


@router.post("/purchases", response={201: PurchaseOut},
             summary="Start a purchase: a pending payment and its checkout URL",
             description="Credits are granted only when Stripe reports the payment (webhook), never here.")
def purchase_create(request: HttpRequest, payload: PurchaseIn) -> Status[Purchase] | HttpResponse:
    require_perm(request, Perm.BACKOFFICE)
    client = _client(request, payload.client)
    plan = reference(PackagePlan, payload.plan, "plan", "package plan") if payload.plan is not None else None
    membership_plan = reference(MembershipPlan, payload.membership_plan, "membership_plan", "membership plan") \
        if payload.membership_plan is not None else None
    try:
        purchase = services.purchase_create(client=client, plan=plan, membership_plan=membership_plan,
                                            actor=request.auth, source=Purchase.Source.API)  # type: ignore[attr-defined]
        purchase = services.purchase_checkout(purchase=purchase)
    except (services.PaymentError, gateway_module.GatewayError) as exc:
        return _problem(exc)
    return Status(201, purchase)


@router.get("/purchases", response=list[PurchaseOut], summary="Payments, newest first")
@paginate(CursorPagination, ordering=("-created_at", "-id"))
def purchase_list(request: HttpRequest, filters: Query[PurchaseFilters]) -> object:
    require_perm(request, Perm.MONEY)
    purchases = _visible_purchases(request)
    if filters.status:
        purchases = purchases.filter(status=filters.status)
    if filters.client is not None:
        client = get_object_or_404(clients_visible_to(request.membership), pk=filters.client)  # type: ignore[attr-defined]
        purchases = purchases.filter(client=client)
    return purchases


@router.get("/purchases/{purchase_id}", response=PurchaseOut, summary="One payment")
def purchase_get(request: HttpRequest, purchase_id: int) -> Purchase:
    require_perm(request, Perm.MONEY)
    return get_object_or_404(_visible_purchases(request), pk=purchase_id)


@router.post("/purchases/{purchase_id}/refund", response=PurchaseOut,
             summary="Refund all or part of a payment (Stripe or manual)")
@decorate_view(found_first(purchase_id=_purchases_to_change))
def purchase_refund(request: HttpRequest, purchase_id: int, payload: RefundIn) -> Purchase | HttpResponse:
    require_perm(request, Perm.MONEY)
    purchase = get_object_or_404(_visible_purchases(request), pk=purchase_id)
    try:
        return services.purchase_refund(purchase=purchase, actor=request.auth,  # type: ignore[attr-defined]
                                        amount_minor=payload.amount_minor,
                                        credits_to_remove=payload.credits_to_remove,
                                        remove_credits=payload.remove_credits, reason=payload.reason)
    except services.PaymentError as exc:
        return _problem(exc)


@router.get("/purchases/{purchase_id}/refund-plan", response=RefundPlanOut,
            summary="What a refund would do (the amount, and the credits it removes by default) before making it")
@decorate_view(found_first(purchase_id=_purchases_to_change))
def purchase_refund_plan(request: HttpRequest, purchase_id: int,
                         amount_minor: int | None = Query(None, ge=1, le=services.MAX_AMOUNT_MINOR),
                         credits_to_remove: int | None = Query(None, ge=0, le=100_000)) -> object:
    require_perm(request, Perm.MONEY)
    purchase = get_object_or_404(_visible_purchases(request), pk=purchase_id)
    try:
        plan = services.refund_plan(purchase=purchase, amount_minor=amount_minor, credits_to_remove=credits_to_remove)
    except services.PaymentError as exc:
        return _problem(exc)
    return {"amount_minor": plan.amount_minor, "credits_total": plan.credits_total,
            "credits_unused": plan.credits_unused, "credits_to_remove": plan.credits_to_remove,
            "credits_kept": plan.credits_kept}


@router.post("/purchases/{purchase_id}/cancel", response=PurchaseOut, summary="Cancel a payment still pending")
def purchase_cancel(request: HttpRequest, purchase_id: int) -> Purchase | HttpResponse:
    require_perm(request, Perm.MONEY)
    purchase = get_object_or_404(_visible_purchases(request), pk=purchase_id)
    try:
        return services.purchase_cancel(purchase=purchase, actor=request.auth)  # type: ignore[attr-defined]
    except services.PaymentError as exc:
        return _problem(exc)


@router.post("/manual-payments", response={201: PurchaseOut},
             summary="Record a cash, bank transfer or card terminal payment (optionally granting a package)")
def manual_payment_create(request: HttpRequest, payload: ManualPaymentIn) -> Status[Purchase] | HttpResponse:
    require_perm(request, Perm.MONEY)
    client = _client(request, payload.client)
    plan = reference(PackagePlan, payload.plan, "plan", "package plan") if payload.plan is not None else None
    try:
        purchase = services.manual_payment_record(
            client=client, amount_minor=payload.amount_minor, method=payload.method, plan=plan, note=payload.note,
            paid_at=payload.paid_at, actor=request.auth)  # type: ignore[attr-defined]
    except services.PaymentError as exc:
        return _problem(exc)
    return Status(201, purchase)


@router.get("/membership-plans", response=list[MembershipPlanOut], summary="Membership plans (monthly)")
def membership_plan_list(request: HttpRequest) -> object:
    require_perm(request, Perm.BACKOFFICE)
    return MembershipPlan.objects.all()


@router.post("/membership-plans", response={201: MembershipPlanOut}, summary="Create a membership plan")
def membership_plan_create(request: HttpRequest, payload: MembershipPlanIn) -> Status[MembershipPlan] | HttpResponse:
    require_perm(request, Perm.MONEY)
    try:
        plan = memberships.membership_plan_create(organization=request.organization,  # type: ignore[attr-defined]
                                                  actor=request.auth, **payload.dict())  # type: ignore[attr-defined]
    except services.PaymentError as exc:
        return _problem(exc)
    return Status(201, plan)


@router.get("/memberships", response=list[MembershipOut], summary="Client memberships, most recent first")
@paginate(CursorPagination, ordering=("-created_at", "-id"))
def membership_list(request: HttpRequest) -> object:
    require_perm(request, Perm.MONEY)
    return ClientMembership.objects.filter(client__in=clients_visible_to(request.membership))  # type: ignore[attr-defined]
