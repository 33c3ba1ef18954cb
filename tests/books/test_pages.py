"""The books pages: P&L (and its CSV, to the cent), revenue, expenses, ledger; empty states,
bad input, receipts, roles."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope

from coachos.books.models import Expense, MoneyEvent
from coachos.books.services import expense_create, money_event_record
from coachos.tenancy.models import AuditEntry
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, ClientMembershipFactory, ExpenseFactory, MoneyEventFactory, member

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
K = MoneyEvent.Kind


def base(org) -> str:
    return f"/o/{org.slug}/books/"


def rec(org, kind, amount, when, **kwargs):
    with scope(organization=org):
        return money_event_record(organization=org, kind=kind, amount_minor=amount, currency=org.currency,
                                  occurred_at=when, **kwargs)


def expenses(org) -> list[Expense]:
    with scope(organization=org):
        return list(Expense.objects.all())


# --- P&L --------------------------------------------------------------------------------------

def test_pnl_empty_state(web, org):
    response = web.get(base(org) + "?year=2026")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nothing in the books for 2026" in body
    assert "pnl-chart" not in body  # no empty chart


def test_nav_lists_books_for_money_roles_only(web, org):
    assert f'href="{base(org)}"' in web.get(f"/o/{org.slug}/").content.decode()
    desk = login_as(member(org, Role.STAFF))
    assert f'href="{base(org)}"' not in desk.get(f"/o/{org.slug}/").content.decode()


def _page_table(body: str) -> dict[str, dict[str, str]]:
    """The month table as {month: {column: text}} (minus signs and thousands separators removed)."""
    table = body.split('id="pnl-table"', 1)[1].split("</table>", 1)[0]
    rows: dict[str, dict[str, str]] = {}
    for month, cells in re.findall(r'<tr data-month="([^"]+)">(.*?)</tr>', table, flags=re.S):
        rows[month] = {
            col: unescape(re.sub(r"<[^>]+>", "", text)).replace(",", "").replace("−", "-").strip()
            for col, text in re.findall(r'data-col="(\w+)">(.*?)</td>', cells, flags=re.S)
        }
    return rows


def test_pnl_page_and_csv_match_to_the_cent(web, org):
    rec(org, K.SALE, 123456, datetime(2026, 1, 31, 23, 30, tzinfo=CHICAGO))
    rec(org, K.MANUAL_PAYMENT, 1, datetime(2026, 2, 1, 0, 0, tzinfo=CHICAGO))
    rec(org, K.REFUND, 99, datetime(2026, 2, 3, tzinfo=CHICAGO))
    rec(org, K.PLATFORM_FEE, 3704, datetime(2026, 1, 31, 23, 30, tzinfo=CHICAGO))
    rec(org, K.PROCESSING_FEE, 3610, datetime(2026, 1, 31, 23, 30, tzinfo=CHICAGO))
    rec(org, K.EXPENSE, 250000, datetime(2026, 3, 1, 12, tzinfo=CHICAGO))
    rec(org, K.PAYOUT, 100000, datetime(2026, 3, 2, 12, tzinfo=CHICAGO))
    body = web.get(base(org) + "?year=2026").content.decode()
    page = _page_table(body)
    response = web.get(base(org) + "pnl.csv?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:7] == ["Month", "Income", "Refunds", "Fees", "Expenses", "Net", "Payouts"]
    columns = ["income", "refunds", "fees", "expenses", "net", "payouts"]
    csv_table = {("total" if r[0].startswith("Total") else r[0]): dict(zip(columns, r[1:7], strict=True))
                 for r in rows[1:]}
    assert csv_table.keys() == page.keys()
    assert len(csv_table) == 13
    for month, values in page.items():
        assert values == csv_table[month], month
    assert csv_table["2026-01"] == {"income": "1234.56", "refunds": "0.00", "fees": "73.14", "expenses": "0.00",
                                    "net": "1161.42", "payouts": "0.00"}
    assert csv_table["2026-02"]["net"] == "-0.98"
    assert csv_table["total"]["net"] == "-1339.56"  # 1234.57 - 0.99 - 73.14 - 2500.00
    assert csv_table["total"]["payouts"] == "1000.00"
    assert 'id="pnl-chart-data"' in body  # the chart reads a json_script block
    assert "books/pnl.js" in body and "chart.umd.min.js" in body


def test_pnl_has_no_inline_script_or_style(web, org):
    rec(org, K.SALE, 100, datetime(2026, 1, 5, tzinfo=CHICAGO))
    body = web.get(base(org) + "?year=2026").content.decode()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", body)
    assert all('type="application/json"' in attrs for attrs in scripts)
    assert ' style="' not in body


@pytest.mark.parametrize("year", ["abc", "1", "99999", "-2026", "2026.5"])
def test_a_bad_year_falls_back_to_this_year(web, org, year):
    assert web.get(base(org) + f"?year={year}").status_code == 200
    assert web.get(base(org) + f"pnl.csv?year={year}").status_code == 200


# --- revenue ------------------------------------------------------------------------------------

def test_revenue_page(web, org):
    ann = ClientFactory(organization=org, first_name="Ann", last_name="Archer")
    rec(org, K.MANUAL_PAYMENT, 8500, datetime(2026, 4, 2, 12, tzinfo=CHICAGO), client=ann)
    body = web.get(base(org) + "revenue/?start=2026-04-01&end=2026-04-30").content.decode()
    assert "Ann Archer" in body and "85.00" in body
    assert "No session credits are owed to clients right now." in body
    assert "Clients owe you nothing" in body
    empty = web.get(base(org) + "revenue/?start=2025-04-01&end=2025-04-30").content.decode()
    assert "No income in this period." in empty


def test_revenue_bad_period_shows_an_error(web, org):
    response = web.get(base(org) + "revenue/?start=2026-05-01&end=2026-04-01")
    assert response.status_code == 200
    assert "The end must not be before the start." in response.content.decode()
    assert web.get(base(org) + "revenue/?start=nonsense&end=").status_code == 200


# --- expenses -----------------------------------------------------------------------------------

def test_expenses_empty_state(web, org):
    body = web.get(base(org) + "expenses/").content.decode()
    assert "No expenses yet" in body


def test_record_an_expense_with_a_receipt_and_download_it(web, org, owner, _private_files):
    pdf = SimpleUploadedFile("Jane Doe invoice.pdf", b"%PDF-1.4 receipt", content_type="application/pdf")
    response = web.post(base(org) + "expenses/new/", {
        "date": "2026-03-14", "amount": "129.99", "category": "equipment", "vendor": "Rogue Fitness",
        "note": "Kettlebells", "receipt": pdf,
    })
    assert response.status_code == 302, response.content.decode()
    [expense] = expenses(org)
    assert (expense.date, expense.amount_minor, expense.currency, expense.category, expense.vendor) == (
        date(2026, 3, 14), 12999, "USD", "equipment", "Rogue Fitness")
    assert "Jane" not in expense.receipt.name  # the stored name says nothing about anyone
    assert _private_files.exists(expense.receipt.name)
    with scope(organization=org):
        [event] = MoneyEvent.objects.all()
        assert (event.kind, event.amount_minor, event.related_type, event.related_id) == (
            "expense", 12999, "expense", expense.pk)
        assert event.occurred_at.astimezone(CHICAGO).date() == date(2026, 3, 14)
        assert AuditEntry.objects.filter(action="expense.created", object_id=str(expense.pk)).exists()
    listing = web.get(base(org) + "expenses/").content.decode()
    assert "Rogue Fitness" in listing and "129.99" in listing
    download = web.get(base(org) + f"expenses/{expense.pk}/receipt/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 receipt"
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]


def test_an_expense_without_a_receipt_has_no_download(web, org):
    expense = ExpenseFactory(organization=org)
    assert web.get(base(org) + f"expenses/{expense.pk}/receipt/").status_code == 404


@pytest.mark.parametrize("bad", [
    {"amount": ""}, {"amount": "0"}, {"amount": "-5"}, {"amount": "12.345"}, {"amount": "abc"},
    {"amount": "99999999999"}, {"date": "2026-02-30"}, {"date": ""}, {"category": "yacht"}, {"category": ""},
])
def test_bad_expense_input_writes_nothing_and_keeps_what_was_typed(web, org, bad):
    data = {"date": "2026-03-14", "amount": "45.50", "category": "software", "vendor": "Tools Inc",
            "note": "Annual plan"}
    data.update(bad)
    response = web.post(base(org) + "expenses/new/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "field-error" in body or "form-errors" in body
    assert expenses(org) == []
    with scope(organization=org):
        assert MoneyEvent.objects.count() == 0
    for key, value in data.items():
        if key in bad or key == "category":
            continue
        if key == "note":
            assert f"{value}</textarea>" in body
        else:
            assert f'value="{value}"' in body, key
    if "category" not in bad:
        assert '<option value="software" selected>' in body


def test_a_receipt_of_the_wrong_type_is_refused(web, org, _private_files):
    exe = SimpleUploadedFile("receipt.exe", b"MZ...", content_type="application/octet-stream")
    response = web.post(base(org) + "expenses/new/", {"date": "2026-03-14", "amount": "10", "category": "other",
                                                      "receipt": exe})
    assert response.status_code == 200
    assert "Upload a PDF or a photo" in response.content.decode()
    assert expenses(org) == []


def test_void_an_expense(web, org, owner):
    with scope(organization=org):
        expense = expense_create(organization=org, actor=owner, date=date(2026, 3, 1), amount_minor=5000,
                                 category="rent")
    response = web.post(base(org) + f"expenses/{expense.pk}/void/", {"reason": "entered twice"})
    assert response.status_code == 302
    [again] = expenses(org)
    assert again.is_void and again.void_reason == "entered twice"
    with scope(organization=org):
        rows = list(MoneyEvent.objects.order_by("id"))
    assert len(rows) == 2 and rows[1].reverses_id == rows[0].pk
    # A second void changes nothing and says so.
    response = web.post(base(org) + f"expenses/{expense.pk}/void/", follow=True)
    assert "already void" in response.content.decode()
    with scope(organization=org):
        assert MoneyEvent.objects.count() == 2
    assert web.get(base(org) + f"expenses/{expense.pk}/void/").status_code == 405


# --- ledger -------------------------------------------------------------------------------------

def test_ledger_empty_state(web, org):
    assert "The ledger is empty" in web.get(base(org) + "ledger/").content.decode()


def test_ledger_filters_and_pagination(web, org):
    ann = ClientFactory(organization=org, first_name="Ann", last_name="Archer")
    for day in range(1, 56):
        MoneyEventFactory(organization=org, kind=K.SALE, amount_minor=100 + day,
                          occurred_at=datetime(2026, 1 + day // 28, 1 + day % 28, 12, tzinfo=CHICAGO))
    rec(org, K.REFUND, 777, datetime(2026, 2, 27, 23, 45, tzinfo=CHICAGO), client=ann, description="Ann refund")
    body = web.get(base(org) + "ledger/").content.decode()
    assert "Page 1 of 2" in body
    second = web.get(base(org) + "ledger/?kind=sale&page=2").content.decode()
    assert "Page 2 of 2" in second and "kind=sale&amp;page=1" in second
    refunds = web.get(base(org) + "ledger/?kind=refund").content.decode()
    assert "Ann refund" in refunds and "1.01" not in refunds
    by_client = web.get(base(org) + f"ledger/?client={ann.pk}").content.decode()
    assert "Ann refund" in by_client
    february = web.get(base(org) + "ledger/?month=2026-02&kind=refund").content.decode()
    assert "Ann refund" in february  # 23:45 local on Feb 27 is February, whatever UTC says
    march = web.get(base(org) + "ledger/?month=2026-03&kind=refund").content.decode()
    assert "No entries match these filters." in march
    bad = web.get(base(org) + "ledger/?month=2026-13&kind=nope&client=abc")
    assert bad.status_code == 200
    assert "Enter a month as YYYY-MM." in bad.content.decode()


def test_ledger_entry_page(web, org):
    event = rec(org, K.MANUAL_PAYMENT, 4200, datetime(2026, 2, 3, 9, tzinfo=CHICAGO), method="cash",
                external_id="till-7")
    body = web.get(base(org) + f"ledger/{event.pk}/").content.decode()
    assert "$42.00" in body and "till-7" in body and "Cash" in body


# --- roles and tenancy --------------------------------------------------------------------------

PAGES = ["", "pnl.csv", "revenue/", "expenses/", "expenses/new/", "ledger/"]


@pytest.mark.parametrize("role", [Role.STAFF, Role.CLIENT])
def test_front_desk_and_clients_cannot_open_the_books(org, role):
    expense = ExpenseFactory(organization=org)
    event = MoneyEventFactory(organization=org)
    browser = login_as(member(org, role))
    for url in [*PAGES, f"expenses/{expense.pk}/receipt/", f"ledger/{event.pk}/"]:
        assert browser.get(base(org) + url).status_code == 403, url
    assert browser.post(base(org) + "expenses/new/", {"date": "2026-01-01", "amount": "5",
                                                      "category": "other"}).status_code == 403
    assert browser.post(base(org) + f"expenses/{expense.pk}/void/").status_code == 403
    assert expenses(org)[0].voided_at is None


@pytest.mark.parametrize("role", [Role.OWNER, Role.COACH])
def test_owner_and_coach_can(org, role):
    browser = login_as(member(org, role))
    for url in PAGES:
        assert browser.get(base(org) + url).status_code == 200, url


def test_another_business_objects_are_404(web, org, other_org):
    expense = ExpenseFactory(organization=other_org)
    event = MoneyEventFactory(organization=other_org)
    assert web.get(base(org) + f"ledger/{event.pk}/").status_code == 404
    assert web.get(base(org) + f"expenses/{expense.pk}/receipt/").status_code == 404
    assert web.post(base(org) + f"expenses/{expense.pk}/void/").status_code == 404
    with scope(organization=other_org):
        assert Expense.objects.get(pk=expense.pk).voided_at is None
    assert web.get(base(other_org)).status_code == 404  # not a member


# --- dashboard ----------------------------------------------------------------------------------

def test_dashboard_money_section_for_money_roles_only(web, org, time_machine):
    time_machine.move_to(datetime(2026, 3, 15, 12, tzinfo=CHICAGO), tick=False)
    rec(org, K.SALE, 12000, datetime(2026, 3, 2, tzinfo=CHICAGO))
    rec(org, K.REFUND, 2000, datetime(2026, 3, 3, tzinfo=CHICAGO))
    body = web.get(f"/o/{org.slug}/").content.decode()
    assert "Money this month" in body
    assert "100.00" in body
    assert "Sessions delivered" in body and "Credits outstanding" in body
    assert "No membership renews in the next 30 days." in body
    member_client = ClientFactory(organization=org, first_name="Rene", last_name="Renewer")
    ClientMembershipFactory(client=member_client, current_period_end=datetime(2026, 3, 20, 9, tzinfo=CHICAGO))
    body = web.get(f"/o/{org.slug}/").content.decode()
    assert "Rene Renewer" in body and "Fri, Mar 20" in body
    desk = login_as(member(org, Role.STAFF))
    assert "Money this month" not in desk.get(f"/o/{org.slug}/").content.decode()
