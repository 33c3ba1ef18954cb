"""allauth's pages read like the rest of Coach OS: sentence case, not allauth's Title Case ("Sign In",
"Forgot Password?"). The English catalog coachos/locale/en/LC_MESSAGES/django.po re-cases allauth's
strings; `make messages` compiles it (the fixture below does too, for a bare pytest run)."""

from __future__ import annotations

import gettext as gettext_module
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.test import Client as DjangoClient
from django.utils.translation import trans_real

from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role
from tests.factories import member

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # UserFactory's password
CATALOG = Path(__file__).resolve().parents[2] / "coachos" / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module", autouse=True)
def english_catalog() -> Iterator[None]:
    """The compiled English catalog, as `make messages` leaves it (.mo files are not in the repository)."""
    mo = CATALOG.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < CATALOG.stat().st_mtime:
        with CATALOG.open("rb") as source:
            catalog = read_po(source, locale="en")
        with mo.open("wb") as target:
            write_mo(target, catalog)
        # The next request reads the catalogs again (Python's gettext keeps the files it has read).
        gettext_module._translations.clear()  # type: ignore[attr-defined]
        trans_real._translations = {}
    yield


def visible(response: Any) -> str:
    """The words a person sees or hears: text, titles, labels and placeholders (not tokens or URLs)."""
    assert response.status_code == 200, response.status_code
    page = re.sub(r"<(script|style|select)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    words = re.findall(r">([^<]+)<", page) + re.findall(r'(?:placeholder|aria-label|title)="([^"]*)"', page)
    return " | ".join(" ".join(html.unescape(w).split()) for w in words if w.strip())


def title_case_strings() -> list[str]:
    """Every allauth string the catalog re-cases (so a new page that shows one is checked too)."""
    with CATALOG.open("rb") as source:
        return [m.id for m in read_po(source) if m.id and m.string and m.string != m.id]


def assert_sentence_case(text: str, *expected: str) -> None:
    for wording in expected:
        assert wording in text, f"{wording!r} missing from: {text}"
    shouting = [s for s in title_case_strings() if re.search(rf"(?<![\w-]){re.escape(s)}(?![\w-])", text)]
    assert not shouting, f"Title Case on the page: {shouting}"


@pytest.fixture
def person(org: Organization) -> Any:
    return member(org, Role.COACH, email="mia@example.com", name="Mia Coach")


def logged_in(person: Any) -> DjangoClient:
    browser = DjangoClient()
    assert browser.post("/accounts/login/", {"login": person.email, "password": PASSWORD}).status_code == 302
    return browser


def reauthenticated(browser: DjangoClient, url: str) -> Any:
    asked = browser.get(url)
    assert asked.status_code == 302 and asked["Location"].startswith("/accounts/reauthenticate/")
    assert_sentence_case(visible(browser.get(asked["Location"])), "Confirm access")
    assert browser.post(asked["Location"], {"password": PASSWORD, "next": url}).status_code == 302
    return browser.get(url)


def test_the_catalog_only_re_cases() -> None:
    with CATALOG.open("rb") as source:
        catalog = read_po(source)
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    pairs = [(m.id, m.string) for m in catalog if m.id]
    assert len(pairs) > 30
    assert all(new.lower() == old.lower() or old == "Signup" for old, new in pairs), pairs
    assert "Sign In" in dict(pairs) and dict(pairs)["Forgot Password?"] == "Forgot password?"


def test_login_and_signup_pages() -> None:
    browser = DjangoClient()
    assert_sentence_case(visible(browser.get("/accounts/login/")), "Sign in · Coach OS", "Remember me",
                         "Forgot your password?")
    assert_sentence_case(visible(browser.get("/accounts/signup/")), "Sign up · Coach OS", "Sign up")


def test_password_reset_pages() -> None:
    browser = DjangoClient()
    assert_sentence_case(visible(browser.get("/accounts/password/reset/")), "Password reset", "Reset my password")
    assert_sentence_case(visible(browser.get("/accounts/password/reset/done/")), "Password reset")
    assert_sentence_case(visible(browser.get("/accounts/password/reset/key/1-nonsense/")), "Bad token")


def test_the_account_pages_of_someone_logged_in(person: Any) -> None:
    browser = logged_in(person)
    assert_sentence_case(visible(browser.get("/accounts/password/change/")), "Change password",
                         "Current password", "New password", "New password (again)")
    assert_sentence_case(visible(browser.get("/accounts/email/")), "Email addresses", "Add email address",
                         "Make primary", "Re-send verification")
    assert_sentence_case(visible(browser.get("/accounts/sessions/")), "Started at", "IP address")
    assert_sentence_case(visible(browser.get("/accounts/logout/")), "Sign out")


def test_the_two_factor_pages(person: Any, time_machine: Any) -> None:
    import pyotp

    time_machine.move_to(datetime(2026, 5, 4, 9, 0, tzinfo=UTC), tick=False)
    browser = logged_in(person)
    assert_sentence_case(visible(browser.get("/accounts/2fa/")), "Two-factor authentication", "Authenticator app",
                         "Recovery codes")
    page = reauthenticated(browser, "/accounts/2fa/totp/activate/")
    assert_sentence_case(visible(page), "Activate authenticator app")
    secret = page.context["form"].secret
    assert browser.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert_sentence_case(visible(browser.get("/accounts/2fa/recovery-codes/")), "Recovery codes")
    browser.post("/accounts/logout/")

    # The second step of a login.
    second = DjangoClient()
    response = second.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert_sentence_case(visible(second.get("/accounts/2fa/authenticate/")), "Two-factor authentication")
