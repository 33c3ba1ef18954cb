"""A client buys a package in the portal with no Stripe key: the local test checkout's "Pay"
completes it through the webhook code path, and the sessions appear in their packages. The
pages raise no Content Security Policy violation."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from coachos.billing.models import Purchase
from coachos.credits.models import ClientPackage
from coachos.tenancy.roles import Role

from ..factories import ClientFactory, OrganizationFactory, PackagePlanFactory, member
from .conftest import PHONE_IN_LONDON, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def context_options() -> dict[str, Any]:
    return PHONE_IN_LONDON


@pytest.fixture
def expected_console_errors() -> tuple[str, ...]:
    return ()


@pytest.mark.django_db(transaction=True)
def test_buy_a_package_on_the_local_test_checkout(live_server: Any, page: Page, settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = ""
    settings.PUBLIC_BASE_URL = live_server.url
    with scopes_disabled():
        org = OrganizationFactory(slug="browser-payments")
        user = member(org, Role.CLIENT, email="buyer-browser@example.com")
        client = ClientFactory(organization=org, user=user, first_name="Robin", email="buyer-browser@example.com")
        PackagePlanFactory(organization=org, name="Five pack", sessions=5, price_minor=40000)
    log_in(page, live_server.url, user)

    page.goto(f"{live_server.url}/portal/{org.slug}/payments/")
    expect(page.get_by_role("heading", name="Five pack")).to_be_visible()
    page.get_by_role("button", name="Buy").click()

    expect(page.get_by_text("Local test checkout")).to_be_visible()
    expect(page.get_by_role("heading", name="Five pack")).to_be_visible()
    page.get_by_role("button", name="Pay $400.00").click()

    expect(page.get_by_text("Five pack is paid")).to_be_visible()
    expect(page.get_by_role("link", name="PDF")).to_be_visible()
    with scopes_disabled():
        purchase = Purchase.objects.get(client=client)
        package = ClientPackage.objects.get(client=client)
    assert purchase.status == "paid" and purchase.client_package_id == package.pk
    assert package.remaining == 5

    page.goto(f"{live_server.url}/portal/{org.slug}/packages/")
    expect(page.get_by_text("You have 5 sessions left.")).to_be_visible()
    assert page.csp_violations == []  # type: ignore[attr-defined]
