"""The books pages: /o/<org_slug>/books/. Owners and coaches only (Perm.MONEY).

Pages stay thin: they parse, call a selector or service, and render. Every amount on them comes
from ``selectors`` so the P&L page, its CSV and the API agree to the cent.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import money, selectors, services
from .forms import ExpenseForm, LedgerFilterForm, PeriodForm, VoidForm, receipt_content_type
from .models import Expense, MoneyEvent

PAGE_SIZE = 50
MIN_YEAR, MAX_YEAR = 2000, 2100
TOP_CLIENTS = 10


def _year(request: HttpRequest) -> int:
    today = selectors.local_today(request.organization)  # type: ignore[attr-defined]
    raw = request.GET.get("year", "")
    if raw.isascii() and raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR:
        return int(raw)
    return today.year


@org_view(Perm.MONEY)
def pnl(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    year = _year(request)
    report = selectors.pnl_for_year(organization=organization, year=year)
    currency = organization.currency
    chart = {
        "labels": [row.label for row in report.months],
        "net": [money.to_major(row.net, currency) for row in report.months],
        "currency": currency,
        "label": _("Net"),
    }
    return render(request, "books/pnl.html", {
        "report": report, "year": year, "chart": chart, "tab": "pnl",
        "by_year": selectors.pnl_by_year(organization=organization),
    })


PNL_COLUMNS = ("income", "refunds", "fees", "expenses", "net", "payouts")


def pnl_csv_rows(report: selectors.PnlYear) -> list[list[str]]:
    """The CSV: the page's month table, the same numbers, exact decimals (no grouping)."""
    header = [_("Month"), _("Income"), _("Refunds"), _("Fees"), _("Expenses"), _("Net"), _("Payouts"),
              _("Currency")]
    rows = [header]
    for row in [*report.months, report.total]:
        label = row.label if row.month else _("Total %(year)s") % {"year": report.year}
        rows.append([label, *(money.plain(getattr(row, c), report.currency) for c in PNL_COLUMNS), report.currency])
    return rows


@org_view(Perm.MONEY)
def pnl_csv(request: HttpRequest, org_slug: str) -> HttpResponse:
    year = _year(request)
    report = selectors.pnl_for_year(organization=request.organization, year=year)  # type: ignore[attr-defined]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pnl-{org_slug}-{year}.csv"'
    writer = csv.writer(response)
    for row in pnl_csv_rows(report):
        writer.writerow(row)
    return response


@org_view(Perm.MONEY)
def revenue(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    first, last = selectors.default_period(organization)
    form = PeriodForm(request.GET if "start" in request.GET or "end" in request.GET else None,
                      initial={"start": first, "end": last})
    if form.is_bound and form.is_valid():
        first, last = form.cleaned_data["start"], form.cleaned_data["end"]
    start, end = selectors.local_dates_to_range(organization, first, last)
    context: dict[str, Any] = {
        "form": form, "first": first, "last": last, "tab": "revenue",
        "totals": selectors.period_totals(organization=organization, start=start, end=end),
        "by_session_type": selectors.revenue_by(organization=organization, dimension="session_type",
                                                start=start, end=end),
        "by_package_plan": selectors.revenue_by(organization=organization, dimension="package_plan",
                                                start=start, end=end),
        "by_client": selectors.revenue_by(
            organization=organization, dimension="client", start=start, end=end, limit=TOP_CLIENTS,
            clients=clients_visible_to(membership) if membership.own_clients_only else None),
        "top": TOP_CLIENTS,
        "outstanding": selectors.outstanding_balances(organization=organization),
    }
    return render(request, "books/revenue.html", context)


@org_view(Perm.MONEY)
def expense_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    page = Paginator(Expense.objects.select_related("created_by").order_by("-date", "-id"), PAGE_SIZE)
    return render(request, "books/expenses.html", {
        "page": page.get_page(request.GET.get("page")), "tab": "expenses",
    })


@org_view(Perm.MONEY)
def expense_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    form = ExpenseForm(request.POST or None, request.FILES or None, currency=organization.currency,
                       today=selectors.local_today(organization))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.expense_create(
                organization=organization, actor=request.user, date=data["date"], amount_minor=data["amount"],
                category=data["category"], vendor=data["vendor"], note=data["note"], receipt=data["receipt"],
            )
        except services.BooksError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Expense recorded."))
            return redirect("books:expenses", org_slug=org_slug)
    return render(request, "books/expense_form.html", {"form": form, "tab": "expenses"})


@require_POST
@org_view(Perm.MONEY)
def expense_void(request: HttpRequest, org_slug: str, expense_id: int) -> HttpResponse:
    expense = get_object_or_404(Expense, pk=expense_id)
    form = VoidForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.expense_void(expense=expense, actor=request.user, reason=reason)
    except services.BooksError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Expense voided. The books keep it, with a reversing entry."))
    return redirect("books:expenses", org_slug=org_slug)


@org_view(Perm.MONEY)
def expense_receipt(request: HttpRequest, org_slug: str, expense_id: int) -> FileResponse:
    expense = get_object_or_404(Expense, pk=expense_id)
    if not expense.receipt:
        raise Http404("No receipt.")
    try:
        handle = expense.receipt.open("rb")
    except FileNotFoundError:
        raise Http404("No receipt.") from None
    name = expense.receipt.name or ""
    extension = name.rsplit(".", 1)[-1] if "." in name else "bin"
    response = FileResponse(handle, as_attachment=True, filename=f"expense-{expense.pk}-receipt.{extension}",
                            content_type=receipt_content_type(name))
    response["Cache-Control"] = "private, no-store"
    return response


def _visible_events(request: HttpRequest, events: QuerySet[MoneyEvent]) -> QuerySet[MoneyEvent]:
    """Without the entries of clients a coach limited to their own may not see (``clients_visible_to``)."""
    membership = request.membership  # type: ignore[attr-defined]
    if not membership.own_clients_only:
        return events
    return events.filter(Q(client__isnull=True) | Q(client__in=clients_visible_to(membership)))


def _client_choices(request: HttpRequest) -> list[tuple[int, str]]:
    clients = clients_visible_to(request.membership).filter(  # type: ignore[attr-defined]
        pk__in=MoneyEvent.objects.filter(client__isnull=False).values("client_id"))
    return [(c.pk, c.full_name) for c in clients.order_by("last_name", "first_name", "id")]


@org_view(Perm.MONEY)
def ledger(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    form = LedgerFilterForm(request.GET or None, clients=_client_choices(request))
    filters: dict[str, Any] = {}
    if form.is_bound and form.is_valid():
        filters = {"kind": form.cleaned_data["kind"], "month": form.cleaned_data["month"],
                   "client_id": form.cleaned_data["client"]}
    events = _visible_events(request, selectors.money_event_list(organization=organization, **filters))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "books/ledger.html", {
        "form": form, "page": page, "query": query.urlencode(), "filtered": any(filters.values()), "tab": "ledger",
    })


@org_view(Perm.MONEY)
def ledger_entry(request: HttpRequest, org_slug: str, moneyevent_id: int) -> HttpResponse:
    event: MoneyEvent = get_object_or_404(_visible_events(request, MoneyEvent.objects.all()).select_related(
        "client", "package_plan", "session_type", "reverses", "created_by"), pk=moneyevent_id)
    reversal = MoneyEvent.objects.filter(reverses=event).first()
    expense = (Expense.objects.filter(pk=event.related_id).first()
               if event.related_type == "expense" and event.related_id else None)
    return render(request, "books/ledger_entry.html", {
        "event": event, "reversal": reversal, "expense": expense, "tab": "ledger",
    })
