"""The P&L page in a real browser: the chart of monthly net draws from the json_script block
under the strict CSP (no violations, no script errors), next to the table with the same numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from coachos.books.models import MoneyEvent
from coachos.books.services import money_event_record

from ..factories import OrganizationFactory, member
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def expected_console_errors() -> tuple[str, ...]:
    return ()


@pytest.mark.django_db(transaction=True)
def test_pnl_chart_draws_under_the_csp(live_server: Any, page: Page) -> None:
    with scopes_disabled():
        org = OrganizationFactory(slug="browser-books", timezone="America/Chicago")
        owner = member(org, email="owner-books@example.com")
    tz = ZoneInfo("America/Chicago")
    with scope(organization=org):
        money_event_record(organization=org, kind=MoneyEvent.Kind.SALE, amount_minor=50000, currency="USD",
                           occurred_at=datetime(2026, 1, 10, tzinfo=tz))
        money_event_record(organization=org, kind=MoneyEvent.Kind.EXPENSE, amount_minor=80000, currency="USD",
                           occurred_at=datetime(2026, 2, 10, tzinfo=tz))
    log_in(page, live_server.url, owner)
    page.goto(f"{live_server.url}/o/{org.slug}/books/?year=2026")
    expect(page.locator("#pnl-table")).to_contain_text("500.00")
    bars = page.wait_for_function(
        "() => { const c = window.Chart && window.Chart.getChart(document.getElementById('pnl-chart'));"
        " return c ? c.data.datasets[0].data : null; }")
    values = bars.json_value()
    assert values[:3] == [500, -800, 0] and len(values) == 12
    assert page.csp_violations == []  # type: ignore[attr-defined]
    assert page.problems == []  # type: ignore[attr-defined]
