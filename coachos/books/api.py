"""The books API: the money ledger, expenses and the P&L. Owners and coaches (Perm.MONEY).

No ``from __future__ import annotations`` here: ``@paginate`` wraps the view, and django-ninja
resolves string annotations in the wrapper's module, where the filter schema is unknown.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.pagination import CursorPagination, paginate
from pydantic import AfterValidator, ConfigDict

from coachos.clients.selectors import clients_visible_to
from coachos.common.api import found_first, require_perm
from coachos.common.problems import problem_response
from coachos.common.schema import Schema
from coachos.scheduling.visibility import bookings_visible_to
from coachos.tenancy.roles import Perm

from . import selectors, services
from .models import Expense, MoneyEvent

router = Router(tags=["the books"])

KindName = Literal["sale", "refund", "platform_fee", "processing_fee", "payout", "manual_payment", "expense"]
CategoryName = Literal["rent", "equipment", "software", "marketing", "travel", "education", "insurance",
                       "contractors", "fees", "other"]
MAX_ID = 2**63 - 1


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("may not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


def _books_error(exc: services.BooksError) -> HttpResponse:
    return problem_response(422, "Invalid request", exc.message, errors=[{"field": "", "message": exc.message}])


class MoneyEventOut(Schema):
    id: int
    kind: str = Field(..., description="sale, refund, platform_fee, processing_fee, payout, manual_payment or expense")
    amount_minor: int = Field(..., description="Always ≥ 0, in minor units; the kind gives the direction")
    currency: str
    occurred_at: datetime
    client: int | None = Field(None, alias="client_id")
    related_type: str = Field(..., description='What the entry is about, e.g. "purchase" or "expense"')
    related_id: int | None
    external_id: str = Field(..., description="The payment provider's id, if any")
    method: str
    description: str
    reverses: int | None = Field(None, alias="reverses_id",
                                 description="Set on a reversal: the entry it cancels (counted negatively)")


class MoneyEventFilters(Schema):
    purchase: int | None = Field(None, ge=1, le=MAX_ID, description="Entries about this purchase (404 if the business "
                                                                    "has no such purchase, or you may not see it)")
    client: int | None = Field(None, ge=1, le=MAX_ID, description="Entries of this client (404 if the business has no "
                                                                  "such client, or you may not see them)")
    booking: int | None = Field(None, ge=1, le=MAX_ID, description="Entries about the payment of this booking (404 if "
                                                                  "the business has no such booking, or you may not "
                                                                  "see it): one `sale` once it is paid")
    kind: KindName | None = None


@router.get("/money-events", response=list[MoneyEventOut],
            summary="The money ledger, oldest first (filter by purchase, booking, client, kind)",
            description="A coach the owner limited to their own clients gets the entries of those clients and "
                        "the entries about no client.")
@paginate(CursorPagination, ordering=("occurred_at", "id"))
def money_event_list(request: HttpRequest, filters: MoneyEventFilters = Query(...)) -> object:  # noqa: B008
    require_perm(request, Perm.MONEY)
    membership = request.membership  # type: ignore[attr-defined]
    visible = clients_visible_to(membership)
    limited = visible if membership.own_clients_only else None
    qs = MoneyEvent.objects.all()
    if limited is not None:
        qs = qs.filter(Q(client__isnull=True) | Q(client__in=limited))
    if filters.purchase is not None:
        if not selectors.purchase_exists(purchase_id=filters.purchase, clients=limited):
            raise Http404
        qs = qs.filter(related_type="purchase", related_id=filters.purchase)
    if filters.booking is not None:
        if not bookings_visible_to(membership).filter(pk=filters.booking).exists():
            raise Http404
        qs = qs.filter(related_type="purchase", related_id__in=selectors.booking_purchase_ids(filters.booking))
    if filters.client is not None:
        qs = qs.filter(client=get_object_or_404(visible, pk=filters.client))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs


class ExpenseOut(Schema):
    id: int
    date: date
    amount_minor: int
    currency: str
    category: str
    vendor: str
    note: str
    has_receipt: bool
    voided_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_has_receipt(obj: Expense) -> bool:
        return bool(obj.receipt)


class ExpenseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    date: date
    amount_minor: int = Field(..., ge=1, le=100_000_000, description="Minor units (cents) of the business currency")
    category: CategoryName
    vendor: Text = Field("", max_length=120)
    note: Text = Field("", max_length=500)


class VoidIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: Text = Field("", max_length=200)


@router.get("/expenses", response=list[ExpenseOut], summary="Expenses, newest first")
@paginate(CursorPagination, ordering=("-created_at", "-id"))
def expense_list(request: HttpRequest) -> object:
    require_perm(request, Perm.MONEY)
    return Expense.objects.all()


@router.post("/expenses", response={201: ExpenseOut}, summary="Record an expense (it is written to the ledger)")
def expense_create(request: HttpRequest, payload: ExpenseIn) -> Status[Expense] | HttpResponse:
    require_perm(request, Perm.MONEY)
    try:
        expense = services.expense_create(organization=request.organization,  # type: ignore[attr-defined]
                                          actor=request.auth, **payload.dict())  # type: ignore[attr-defined]
    except services.BooksError as exc:
        return _books_error(exc)
    return Status(201, expense)


@router.get("/expenses/{expense_id}", response=ExpenseOut, summary="One expense")
def expense_get(request: HttpRequest, expense_id: int) -> Expense:
    require_perm(request, Perm.MONEY)
    return get_object_or_404(Expense, pk=expense_id)


@router.post("/expenses/{expense_id}/void", response=ExpenseOut,
             summary="Void an expense: it stays, and a reversing entry cancels it in the ledger")
@decorate_view(found_first(expense_id=Expense))
def expense_void(request: HttpRequest, expense_id: int, payload: VoidIn) -> Expense | HttpResponse:
    require_perm(request, Perm.MONEY)
    expense = get_object_or_404(Expense, pk=expense_id)
    try:
        return services.expense_void(expense=expense, actor=request.auth,  # type: ignore[attr-defined]
                                     reason=payload.reason)
    except services.BooksError as exc:
        return problem_response(409, "Conflict", exc.message)


class PnlLineOut(Schema):
    label: str = Field(..., description='"2026-03" for a month, "2026" for the year')
    income: int
    refunds: int
    fees: int
    expenses: int
    net: int = Field(..., description="income − refunds − fees − expenses")
    payouts: int = Field(..., description="Transfers to the bank; not part of net")


class PnlOut(Schema):
    year: int
    currency: str
    months: list[PnlLineOut]
    total: PnlLineOut
    other_currency_entries: int = Field(..., description="Entries in another currency, not included")


class PnlQuery(Schema):
    year: int = Field(..., ge=2000, le=2100)


def _line(row: selectors.PnlRow) -> dict[str, object]:
    return {"label": row.label, "income": row.income, "refunds": row.refunds, "fees": row.fees,
            "expenses": row.expenses, "net": row.net, "payouts": row.payouts}


@router.get("/reports/pnl", response=PnlOut,
            summary="Profit & loss of a year by month, in the business's time zone and currency")
def report_pnl(request: HttpRequest, query: PnlQuery = Query(...)) -> dict[str, object]:  # noqa: B008
    require_perm(request, Perm.MONEY)
    report = selectors.pnl_for_year(organization=request.organization, year=query.year)  # type: ignore[attr-defined]
    return {"year": report.year, "currency": report.currency, "months": [_line(m) for m in report.months],
            "total": _line(report.total), "other_currency_entries": report.other_currency_entries}
