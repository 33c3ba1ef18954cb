"""The P&L: sums over the ledger by month of the business's zone, reversals counted negatively,
other currencies left out (and reported), a constant number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from coachos.books import selectors
from coachos.books.models import MoneyEvent
from coachos.books.services import expense_create, expense_void, money_event_record, money_event_reverse
from tests.factories import (
    ClientFactory,
    ClientMembershipFactory,
    ClientPackageFactory,
    CoachFactory,
    MembershipPlanFactory,
    PackagePlanFactory,
    PurchaseFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
)

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
K = MoneyEvent.Kind


def rec(org, kind, amount, when, **kwargs):
    with scope(organization=org):
        return money_event_record(organization=org, kind=kind, amount_minor=amount, currency=kwargs.pop("currency",
                                  org.currency), occurred_at=when, **kwargs)


def local(*args):
    return datetime(*args, tzinfo=CHICAGO)


@pytest.fixture
def mixed(org):
    """A year with every kind, spread over months, including the edges of months in Chicago."""
    rec(org, K.SALE, 10000, local(2026, 1, 5, 10))
    rec(org, K.MANUAL_PAYMENT, 5000, local(2026, 1, 31, 23, 30))  # 05:30 UTC on Feb 1: still January
    rec(org, K.PLATFORM_FEE, 300, local(2026, 1, 5, 10))
    rec(org, K.PROCESSING_FEE, 320, local(2026, 1, 5, 10))
    rec(org, K.REFUND, 2500, local(2026, 2, 1, 0, 15))  # 06:15 UTC Feb 1: February
    rec(org, K.EXPENSE, 4000, local(2026, 2, 10, 12))
    rec(org, K.PAYOUT, 9000, local(2026, 2, 11, 12))
    rec(org, K.SALE, 7000, local(2026, 12, 31, 23, 59))  # 05:59 UTC on Jan 1 2027: still 2026
    rec(org, K.SALE, 99999, local(2025, 12, 31, 23, 0))  # the year before
    rec(org, K.SALE, 1234, local(2027, 1, 1, 0, 0))  # the year after
    return org


def test_months_follow_the_business_zone_and_kinds_add_up(mixed):
    org = mixed
    with scope(organization=org):
        report = selectors.pnl_for_year(organization=org, year=2026)
    jan, feb, dec = report.months[0], report.months[1], report.months[11]
    assert (jan.income, jan.refunds, jan.fees, jan.expenses, jan.payouts) == (15000, 0, 620, 0, 0)
    assert jan.net == 15000 - 620
    assert (feb.income, feb.refunds, feb.fees, feb.expenses, feb.payouts) == (0, 2500, 0, 4000, 9000)
    assert feb.net == -6500  # payouts are transfers, not costs
    assert dec.income == 7000 and dec.net == 7000
    assert all(m.is_empty for m in report.months[2:11])
    total = report.total
    assert (total.income, total.refunds, total.fees, total.expenses, total.payouts) == (22000, 2500, 620, 4000, 9000)
    assert total.net == 22000 - 2500 - 620 - 4000
    assert total.net == sum(m.net for m in report.months)
    assert [m.label for m in report.months][:2] == ["2026-01", "2026-02"]
    assert report.years == sorted({2025, 2026, 2027, selectors.local_today(org).year}, reverse=True)


def test_the_same_instant_is_another_month_in_another_zone(org):
    # 05:30 UTC on Feb 1 is January in Chicago but February in London.
    instant = datetime(2026, 2, 1, 5, 30, tzinfo=UTC)
    rec(org, K.SALE, 100, instant)
    with scope(organization=org):
        assert selectors.pnl_for_year(organization=org, year=2026).months[0].income == 100
    org.timezone = "Europe/London"
    org.save()
    with scope(organization=org):
        report = selectors.pnl_for_year(organization=org, year=2026)
    assert report.months[0].income == 0 and report.months[1].income == 100


def test_by_year(mixed):
    with scope(organization=mixed):
        rows = selectors.pnl_by_year(organization=mixed)
    assert [(r.year, r.income) for r in rows] == [(2027, 1234), (2026, 22000), (2025, 99999)]


def test_a_reversal_cancels_its_row_in_the_month_of_the_original(org, owner):
    payment = rec(org, K.MANUAL_PAYMENT, 5000, local(2026, 3, 3, 9))
    rec(org, K.MANUAL_PAYMENT, 2000, local(2026, 3, 4, 9))
    with scope(organization=org):
        money_event_reverse(event=payment, actor=owner)
        report = selectors.pnl_for_year(organization=org, year=2026)
    assert report.months[2].income == 2000


def test_a_voided_expense_leaves_the_pnl(org, owner):
    with scope(organization=org):
        keep = expense_create(organization=org, actor=owner, date=date(2026, 5, 31), amount_minor=1500,
                              category="rent")
        void = expense_create(organization=org, actor=owner, date=date(2026, 5, 2), amount_minor=999,
                              category="equipment")
        assert selectors.pnl_for_year(organization=org, year=2026).months[4].expenses == 2499
        expense_void(expense=void, actor=owner, reason="typo")
        report = selectors.pnl_for_year(organization=org, year=2026)
        assert report.months[4].expenses == 1500
        # The ledger kept both rows of the voided expense: nothing was deleted or changed.
        assert MoneyEvent.objects.filter(related_type="expense", related_id=void.pk).count() == 2
        assert MoneyEvent.objects.filter(related_type="expense", related_id=keep.pk).count() == 1


def test_other_currencies_are_left_out_and_counted(org):
    rec(org, K.SALE, 1000, local(2026, 6, 1, 12))
    rec(org, K.SALE, 5000, local(2026, 6, 1, 12), currency="EUR")
    with scope(organization=org):
        report = selectors.pnl_for_year(organization=org, year=2026)
    assert report.total.income == 1000
    assert report.other_currency_entries == 1


def test_revenue_breakdowns(org):
    pt = SessionTypeFactory(organization=org, name="Personal training")
    plan = PackagePlanFactory(organization=org, name="10 sessions")
    ann, bob = ClientFactory(organization=org, first_name="Ann", last_name="A"), \
        ClientFactory(organization=org, first_name="Bob", last_name="B")
    rec(org, K.SALE, 75000, local(2026, 4, 1, 12), client=ann, package_plan=plan)
    rec(org, K.MANUAL_PAYMENT, 8500, local(2026, 4, 2, 12), client=bob, session_type=pt)
    rec(org, K.MANUAL_PAYMENT, 8500, local(2026, 4, 3, 12), client=bob, session_type=pt)
    rec(org, K.REFUND, 8500, local(2026, 4, 4, 12), client=bob, session_type=pt)
    rec(org, K.EXPENSE, 100, local(2026, 4, 4, 12))  # not revenue
    rec(org, K.SALE, 1, local(2026, 5, 1, 0, 0))  # outside the period
    with scope(organization=org):
        start, end = selectors.local_dates_to_range(org, date(2026, 4, 1), date(2026, 4, 30))
        by_type = selectors.revenue_by(organization=org, dimension="session_type", start=start, end=end)
        by_plan = selectors.revenue_by(organization=org, dimension="package_plan", start=start, end=end)
        by_client = selectors.revenue_by(organization=org, dimension="client", start=start, end=end, limit=1)
    assert [(r.key, r.name, r.income, r.refunds, r.net) for r in by_type] == [
        (None, "", 75000, 0, 75000), (pt.pk, "Personal training", 17000, 8500, 8500)]
    assert [(r.name, r.net) for r in by_plan] == [("10 sessions", 75000), ("", 8500)]
    assert [(r.name, r.net) for r in by_client] == [("Ann A", 75000)]


def test_credits_outstanding_and_dashboard(org, time_machine):
    time_machine.move_to(datetime(2026, 3, 15, 12, tzinfo=CHICAGO), tick=False)
    now = datetime(2026, 3, 15, 12, tzinfo=CHICAGO)
    plan = PackagePlanFactory(organization=org, sessions=10, price_minor=75000)
    ClientPackageFactory(client=ClientFactory(organization=org), plan=plan, total=10, remaining=4, expires_at=now + timedelta(days=5))
    ClientPackageFactory(client=ClientFactory(organization=org), plan=None, total=3, remaining=3, expires_at=now + timedelta(days=5))
    ClientPackageFactory(client=ClientFactory(organization=org), plan=plan, total=10, remaining=7, expires_at=now - timedelta(days=1))
    ClientPackageFactory(client=ClientFactory(organization=org), plan=plan, total=10, remaining=2, expires_at=now + timedelta(days=5),
                         status="cancelled")
    rec(org, K.SALE, 10000, local(2026, 3, 1, 0, 30))
    rec(org, K.REFUND, 2500, local(2026, 3, 2, 12))
    rec(org, K.SALE, 999, local(2026, 2, 28, 23, 59))  # last month
    TrainingSessionFactory(coach=CoachFactory(organization=org), starts_at=local(2026, 3, 2, 9), ends_at=local(2026, 3, 2, 10),
                           status="completed")
    TrainingSessionFactory(coach=CoachFactory(organization=org), starts_at=local(2026, 3, 3, 9), ends_at=local(2026, 3, 3, 10),
                           status="scheduled")
    with scope(organization=org):
        credits = selectors.credits_outstanding(now=now)
        assert (credits.sessions, credits.packages, credits.value_minor) == (7, 2, 30000)
        money = selectors.dashboard_money(organization=org, now=now)
    assert money.revenue == 7500 and money.refunds == 2500
    assert money.sessions_delivered == 1
    assert money.month_start == date(2026, 3, 1)
    assert money.renewals == []


def test_upcoming_renewals_and_what_clients_owe(org, other_org):
    now = datetime(2026, 3, 15, 12, tzinfo=CHICAGO)
    plan = MembershipPlanFactory(organization=org, name="Monthly 8", price_minor=16000)
    ann = ClientFactory(organization=org, first_name="Ann", last_name="A")
    soon = ClientMembershipFactory(client=ann, plan=plan, current_period_end=now + timedelta(days=3))
    ClientMembershipFactory(client=ClientFactory(organization=org), plan=plan,
                            current_period_end=now + timedelta(days=1))
    ClientMembershipFactory(client=ClientFactory(organization=org), plan=plan,
                            current_period_end=now + timedelta(days=31))  # too far
    ClientMembershipFactory(client=ClientFactory(organization=org), plan=plan, status="cancelled",
                            current_period_end=now + timedelta(days=2))
    ClientMembershipFactory(client=ClientFactory(organization=org), plan=plan, status="past_due",
                            current_period_end=now - timedelta(days=2))
    ClientMembershipFactory(client=ClientFactory(organization=other_org),
                            current_period_end=now + timedelta(days=2))  # another business
    PurchaseFactory(client=ClientFactory(organization=org), status="pending", amount_minor=40000)
    PurchaseFactory(client=ClientFactory(organization=org), status="paid", amount_minor=75000)
    with scope(organization=org):
        renewals = selectors.upcoming_renewals(organization=org, now=now)
        owed = selectors.unpaid_purchases(organization=org)
    assert len(renewals) == 2
    assert renewals[1].client_id == ann.pk and renewals[1].renews_at == soon.current_period_end
    assert renewals[1].name == "Monthly 8" and renewals[1].amount_minor == 16000
    assert renewals[0].renews_at < renewals[1].renews_at
    assert (owed.awaiting_count, owed.awaiting_minor, owed.past_due_count, owed.past_due_minor) == (
        1, 40000, 1, 16000)


def test_reports_cost_a_constant_number_of_queries(org):
    def run() -> int:
        with scope(organization=org), CaptureQueriesContext(connection) as ctx:
            selectors.pnl_for_year(organization=org, year=2026)
            start, end = selectors.local_year_bounds(org, 2026)
            for dimension in ("session_type", "package_plan", "client"):
                selectors.revenue_by(organization=org, dimension=dimension, start=start, end=end, limit=10)
            selectors.dashboard_money(organization=org)
        return len(ctx.captured_queries)

    client = ClientFactory(organization=org)
    rec(org, K.SALE, 100, local(2026, 1, 1, 12), client=client)
    few = run()
    for month in range(1, 13):
        for _ in range(3):
            other = ClientFactory(organization=org)
            rec(org, K.SALE, 100, local(2026, month, 2, 12), client=other)
            rec(org, K.EXPENSE, 50, local(2026, month, 3, 12))
    assert run() == few
    assert few <= 10
