"""A coach's first day, in a real browser: sign up, verify the email, turn on two-factor
authentication, log out, and log back in with an authenticator code.

Drives Debian's Chromium with Playwright against pytest-django's live server. Playwright's
own browser download is not used (it does not work on our machines): without Chromium at
CHROMIUM_PATH (default /usr/bin/chromium) the test fails, it never skips.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from django.core import mail
from playwright.sync_api import Page, expect

PASSWORD = "tempo-squat-lunge-42"

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def browser_settings(settings: Any) -> Any:
    # Accept the previous and next 30-second step as well, as authenticator apps do: the code
    # typed at the end of one step must not fail because the server reads the clock in the next.
    settings.MFA_TOTP_TOLERANCE = 1
    return settings


def _confirmation_link(email: str) -> str:
    messages = [m for m in mail.outbox if email in m.to]
    assert len(messages) == 1, f"expected one verification email to {email}, got {len(messages)}"
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+", messages[0].body)
    assert match, f"no confirmation link in the email:\n{messages[0].body}"
    return match.group(0)


def _open_account_menu(page: Page, name: str) -> None:
    page.locator("header details.dropdown summary", has_text=name).click()


@pytest.mark.django_db(transaction=True)
def test_coach_signs_up_turns_on_two_factor_and_logs_back_in(
    live_server: Any, page: Page, browser_settings: Any
) -> None:
    from coachos.accounts.models import User

    base = live_server.url
    email = "casey.coach@example.com"

    # --- sign up -------------------------------------------------------------------------------
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Your name").fill("Casey Jordan")
    page.get_by_label("Business name").fill("Casey Strength Lab")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    # --- verify the email ----------------------------------------------------------------------
    page.goto(_confirmation_link(email))
    expect(page.get_by_role("heading", name="Confirm Email Address")).to_be_visible()
    page.get_by_role("button", name="Confirm").click()

    back_office = page.get_by_role("navigation", name="Back office")
    expect(page).to_have_url(re.compile(r"/o/[\w-]+/$"))
    expect(page.get_by_role("heading", name="Welcome, Casey")).to_be_visible()
    expect(back_office.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    expect(page.locator("header .brand")).to_have_text("Casey Strength Lab")

    # --- turn on two-factor authentication -----------------------------------------------------
    _open_account_menu(page, "Casey")
    page.get_by_role("link", name="Two-factor authentication").click()
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_role("button", name="Activate").click()

    # Changing two-factor settings always asks for the password again first.
    expect(page.get_by_role("heading", name="Confirm Access")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    expect(page.locator("img.qr, img[src^='data:image/svg']").first).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), f"unexpected secret shown: {secret!r}"
    totp = pyotp.TOTP(secret)
    page.get_by_label("Authenticator code").fill(totp.now())
    page.get_by_role("button", name="Activate").click()

    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    codes = page.locator("#recovery_codes")
    expect(codes).to_be_visible()
    recovery_codes = codes.input_value().split()
    assert len(recovery_codes) == 10 and len(set(recovery_codes)) == 10, recovery_codes

    user = User.objects.get(email=email)
    assert set(user.authenticator_set.values_list("type", flat=True)) == {"totp", "recovery_codes"}

    # --- log out -------------------------------------------------------------------------------
    _open_account_menu(page, "Casey")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    expect(page.get_by_role("heading", name="Run your coaching business in one place")).to_be_visible()

    # --- log back in: password, then an authenticator code -------------------------------------
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    # allauth refuses a code a second time; the next step's code (accepted within the
    # tolerance) can never be the one typed at activation.
    page.get_by_label("Code").fill(totp.at(time.time() + totp.interval))
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(r"/o/[\w-]+/$"))
    expect(back_office.get_by_role("link", name="Dashboard")).to_be_visible()
    expect(back_office.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Casey Strength Lab").first).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Dashboard · Casey Strength Lab$"))

    assert page.csp_violations == []  # type: ignore[attr-defined]
