"""A new client books on the public page in a real browser: choose a session type, a time
(shown in the browser's own zone), fill in the details while the hold counts down, type the code
emailed to them, and land on the confirmation. Drives Debian's Chromium (see test_signup_mfa.py for why it never skips)."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from ..factories import CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory
from .conftest import PHONE_IN_LONDON

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def context_options() -> dict[str, Any]:
    """A phone-sized page in London, so the times must move out of the business's zone."""
    return PHONE_IN_LONDON


@pytest.mark.django_db(transaction=True)
def test_a_new_client_books_a_session_end_to_end(live_server: Any, page: Page, org: Any) -> None:
    from coachos.comms.models import OutboundMessage
    from coachos.scheduling.models import Booking, SlotHold

    coach = CoachFactory(organization=org, display_name="Jordan Reyes", min_notice_minutes=0)
    for weekday in range(7):  # open every day, so the first week always has times
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(0), end_time=time(23, 30))
    SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)

    page.goto(f"{live_server.url}/book/{org.slug}/")
    expect(page.get_by_role("heading", name="Northside Strength")).to_be_visible()
    page.get_by_role("link", name=re.compile("Personal training")).click()

    # booking.js moves the times into the browser's zone on first load.
    expect(page.get_by_text("Times in Europe/London · Northside Strength is in America/Chicago")).to_be_visible()
    assert "tz=Europe%2FLondon" in page.url
    expect(page.get_by_label("Time zone")).to_have_value("Europe/London")

    # Choose the first open time with the keyboard.
    first = page.locator("button.slot").first
    label = first.locator(".slot-time").inner_text().strip()
    first.focus()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Your details")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text(f"{label} – ")
    expect(page.locator("[data-hold-left]")).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
    with scopes_disabled():
        assert SlotHold.objects.count() == 1

    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Novak")
    page.get_by_label("Email").fill("nina.novak@example.com")
    page.get_by_label("Mobile phone").fill("+44 7700 900123")
    page.get_by_label("Anything your coach should know?").fill("First time here")
    page.get_by_role("button", name="Continue").click()

    # Every visitor confirms their email with the code emailed to them; the time stays held.
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text("We emailed a 6-digit code to nina.novak@example.com.")).to_be_visible()
    expect(page.locator(".summary")).to_contain_text(f"{label} – ")
    with scopes_disabled():
        assert Booking.objects.count() == 0
        email = OutboundMessage.objects.get(kind="booking_email_code", to="nina.novak@example.com")
    found = re.search(r"\b(\d{6})\b", email.body)
    assert found is not None
    page.get_by_label("Code from the email").fill(found.group(1))
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", name="You're booked")).to_be_visible()
    expect(page.get_by_text("(Europe/London)")).to_be_visible()
    expect(page.get_by_role("button", name="Add to calendar")).to_have_attribute("href", re.compile(r"calendar\.ics$"))

    with scopes_disabled():
        booking = Booking.objects.select_related("client", "session").get()
        assert booking.client.email == "nina.novak@example.com"
        assert booking.client.phone == "+447700900123"
        assert booking.note == "First time here"
        assert booking.session.coach_id == coach.pk
        assert SlotHold.objects.count() == 0
    assert page.csp_violations == []  # type: ignore[attr-defined]
