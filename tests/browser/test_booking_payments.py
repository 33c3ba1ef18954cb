"""Booking that settles itself (#19) in a real browser: a new client books a paid session and pays
on the local test checkout; a returning client books with a credit and is told "7 left" before and
after confirming."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from coachos.billing.models import BookingPayment
from coachos.credits.models import ClientPackage
from coachos.tenancy.roles import Role

from ..factories import (
    ClientFactory,
    CoachFactory,
    OrganizationFactory,
    PackagePlanFactory,
    SessionTypeFactory,
    WeeklyAvailabilityFactory,
    member,
)
from .conftest import DESKTOP, log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def context_options() -> dict[str, Any]:
    return {**DESKTOP, "timezone_id": "America/Chicago"}


def _business(slug: str, mode: str) -> tuple[Any, Any]:
    org = OrganizationFactory(slug=slug, name="Northside Strength", timezone="America/Chicago")
    coach = CoachFactory(organization=org, display_name="Jordan Reyes", min_notice_minutes=0)
    for weekday in range(7):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(0), end_time=time(23, 30))
    session_type = SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60,
                                      price_minor=8500, payment_mode=mode)
    return org, session_type


def _choose_first_time(page: Page, base: str, org: Any) -> None:
    page.goto(f"{base}/book/{org.slug}/")
    page.get_by_role("link", name=re.compile("Personal training")).click()
    page.locator("button.slot").first.click()
    expect(page.get_by_role("heading", name="Your details")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_new_client_books_a_paid_session_through_the_local_checkout(live_server: Any, page: Page,
                                                                      settings: Any) -> None:
    from coachos.comms.models import OutboundMessage

    settings.STRIPE_SECRET_KEY = ""
    settings.PUBLIC_BASE_URL = live_server.url
    with scopes_disabled():
        org, _type = _business("paid-browser", "pay")
    _choose_first_time(page, live_server.url, org)
    expect(page.get_by_test_id("settle")).to_have_text("Pay $85.00 now.")
    expect(page.get_by_test_id("settle-policy")).to_contain_text("full refund")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Novak")
    page.get_by_label("Email").fill("nina.paid@example.com")
    page.get_by_role("button", name="Continue").click()
    with scopes_disabled():
        email = OutboundMessage.objects.get(kind="booking_email_code", to="nina.paid@example.com")
    code = re.search(r"\b(\d{6})\b", email.body)
    assert code is not None
    page.get_by_label("Code from the email").fill(code.group(1))
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_text("Local test checkout")).to_be_visible()
    with scopes_disabled():
        row = BookingPayment.objects.get()
        assert row.status == "pending"
    page.get_by_role("button", name="Pay $85.00").click()
    expect(page.get_by_test_id("booking-paid")).to_contain_text("You're booked.")
    with scopes_disabled():
        row.refresh_from_db()
        assert row.status == "paid"
        assert row.booking.status == "confirmed"
    assert page.csp_violations == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_a_returning_client_books_with_a_credit_and_sees_7_left(live_server: Any, page: Page) -> None:
    from coachos.credits.services import package_grant, use_session

    with scopes_disabled():
        org, session_type = _business("credit-browser", "credit")
        user = member(org, Role.CLIENT, email="ret@example.com")
        client = ClientFactory(organization=org, user=user, first_name="Robin", last_name="Return",
                               email="ret@example.com")
        plan = PackagePlanFactory(organization=org, name="10-pack", sessions=10, price_minor=70000)
    with scope(organization=org):
        package = package_grant(client=client, plan=plan, actor=None)
        for i in range(2):  # already used two: 8 left, 7 after this booking
            use_session(client=client, package=package, actor=None, idempotency_key=f"before-{i}")
    log_in(page, live_server.url, user)
    _choose_first_time(page, live_server.url, org)
    expect(page.get_by_test_id("settle")).to_have_text("Uses 1 credit of your 10-pack (7 left).")
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_test_id("paid-with")).to_have_text("1 credit of your 10-pack (7 left)")
    with scopes_disabled():
        assert ClientPackage.objects.get(pk=package.pk).remaining == 7
        assert BookingPayment.objects.get().status == "credit_used"
