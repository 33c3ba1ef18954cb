"""The journal in a real browser (Chromium, a phone-sized page): the notes editor's autosave makes a
draft that survives a reload, Save keeps it with a mood and sharing, sharing is switched off in one
click, and the insights chart draws with its table folded away — all without sideways scrolling."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import Page, expect

from coachos.notes.models import JournalEntry
from coachos.notes.services.journal import journal_entry_create
from coachos.tenancy.roles import Role
from tests.browser import conftest as browser_fixtures
from tests.factories import ClientFactory, OrganizationFactory, member

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# The browser tests' fixtures (tests/browser/conftest.py), used here as they are.
browser = browser_fixtures.browser
page = browser_fixtures.page
log_in = browser_fixtures.log_in

PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "locale": "en-US"}


@pytest.fixture
def context_options() -> dict[str, Any]:
    return PHONE


@pytest.fixture
def expected_console_errors() -> tuple[str, ...]:
    return ()  # no script error and no failed request on these pages


@pytest.fixture
def olivia(transactional_db: None) -> dict[str, Any]:
    org = OrganizationFactory(name="Northside Strength", slug="northside-journal", timezone="America/Chicago")
    user = member(org, Role.CLIENT, email="olivia@example.com", name="Olivia Martinez")
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name="Olivia", last_name="Martinez", user=user)
    return {"org": org, "user": user, "client": client}


def no_sideways_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_a_draft_survives_a_reload_and_is_saved_shared_then_unshared(live_server: Any, page: Page,
                                                                     olivia: dict[str, Any]) -> None:
    org = olivia["org"]
    log_in(page, live_server.url, olivia["user"])
    page.goto(f"{live_server.url}/portal/{org.slug}/journal/new/")
    assert no_sideways_scroll(page)
    page.get_by_label("Title").fill("Sunday")
    editor = page.get_by_role("textbox", name="Entry")
    editor.click()
    editor.press_sequentially("Slept nine hours")
    expect(page.locator("[data-note-status]")).to_contain_text("Saved at")
    page.wait_for_url(re.compile(r".*/journal/[0-9]+/edit/$"))
    entry_id = int(page.url.rstrip("/").rsplit("/", 2)[1])
    with scopes_disabled():
        draft = JournalEntry.objects.get(pk=entry_id)
    assert draft.draft and not draft.shared and "Slept nine hours" in draft.body_text

    page.reload()
    expect(page.get_by_role("textbox", name="Entry")).to_contain_text("Slept nine hours")
    expect(page.get_by_label("Title")).to_have_value("Sunday")
    page.get_by_label("Great").check()
    page.get_by_label("Share with my coach").check()
    page.get_by_role("button", name="Save entry").click()
    page.wait_for_url(re.compile(rf".*/journal/{entry_id}/$"))
    expect(page.locator("[data-shared=yes]")).to_be_visible()
    with scopes_disabled():
        saved = JournalEntry.objects.get(pk=entry_id)
    assert (saved.draft, saved.shared, saved.mood) == (False, True, 5)

    page.get_by_role("button", name="Stop sharing").click()  # htmx swaps the switch in place
    expect(page.locator("[data-shared=no]")).to_be_visible()
    with scopes_disabled():
        assert not JournalEntry.objects.get(pk=entry_id).shared
    assert no_sideways_scroll(page)
    assert not page.problems  # type: ignore[attr-defined]


def test_the_insights_chart_draws_and_its_table_is_one_click_away(live_server: Any, page: Page,
                                                                  olivia: dict[str, Any]) -> None:
    org = olivia["org"]
    with scope(organization=org):
        for days_ago, mood in ((0, 4), (1, 2), (9, 5)):
            journal_entry_create(client=olivia["client"], actor=olivia["user"], title=f"Day {days_ago}",
                                 body_html="<p>x</p>", mood=mood, tags=["sleep"],
                                 now=timezone.now() - timedelta(days=days_ago))
    log_in(page, live_server.url, olivia["user"])
    page.goto(f"{live_server.url}/portal/{org.slug}/journal/insights/")
    canvas = page.locator("[data-journal-chart] canvas")
    expect(canvas).to_be_visible()
    assert page.evaluate("!!window.Chart && !!Chart.getChart(document.querySelector('[data-journal-chart] canvas'))")
    table = page.locator("[data-chart-table]")
    expect(table.locator("table")).to_be_hidden()
    table.locator("summary").click()
    expect(table.locator("table")).to_be_visible()
    assert no_sideways_scroll(page)
    assert not page.problems  # type: ignore[attr-defined]
