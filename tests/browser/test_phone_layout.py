"""On a phone (390 px wide): no page of the back office or the portal scrolls sideways, the
back-office navigation opens from a Menu button (keyboard too), and the client list's filters
fold away behind "Filters"."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from coachos.accounts.models import User
from coachos.site.demo import DEMO_SLUG, PORTAL_CLIENT

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "locale": "en-US"}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# Words split across two lines: a word's range has one box per line it is on. Long tokens
# (emails, links, codes) may break anywhere; words with a hyphen or slash may break there.
MID_WORD = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main') || document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !parent.checkVisibility() || parent.closest('script, style, textarea, option, select')) continue;
    for (const match of node.data.matchAll(/\\S+/g)) {
      const word = match[0];
      if (word.length < 2 || word.length > 24 || /[@:\\/\\-–—_.]/.test(word)) continue;
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + word.length);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) broken.push(word);
    }
  }
  return broken;
}"""


@pytest.fixture
def context_options() -> dict[str, Any]:
    return PHONE


@pytest.fixture
def demo(transactional_db: None) -> dict[str, User]:
    call_command("seed_demo")
    with scopes_disabled():
        return {"owner": User.objects.get(email="owner@northside.example"),
                "client": User.objects.get(email=PORTAL_CLIENT)}


def nav_links(page: Page, selector: str) -> list[str]:
    """The pages the navigation (and the top bar's menus: account, help) leads to on this site."""
    hrefs = page.eval_on_selector_all(f"{selector}, header.topbar a[href]", "links => links.map((a) => a.href)")
    origin = page.evaluate("location.origin")
    return list(dict.fromkeys(h.split("#")[0] for h in hrefs if h.startswith(origin)))


def assert_no_sideways_scroll(page: Page, urls: list[str]) -> None:
    overflowing = {}
    mid_word = {}
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.ok, url
        page.wait_for_load_state("networkidle")
        extra = page.evaluate(OVERFLOW)
        if extra > 0:
            overflowing[url] = extra
        breaking = page.evaluate(MID_WORD)
        if breaking:
            mid_word[url] = breaking
    assert overflowing == {}, f"pages wider than the phone (px too wide): {overflowing}"
    assert mid_word == {}, f"words wrapped in the middle: {mid_word}"


@pytest.mark.django_db(transaction=True)
def test_every_back_office_page_in_the_navigation_fits_a_phone(live_server: Any, page: Page,
                                                                demo: dict[str, User]) -> None:
    log_in(page, live_server.url, demo["owner"])
    page.goto(f"{live_server.url}/o/{DEMO_SLUG}/")
    urls = nav_links(page, "nav.sidenav a")
    assert len(urls) >= 15  # the owner sees the whole navigation, then the account pages
    assert_no_sideways_scroll(page, urls)


@pytest.mark.django_db(transaction=True)
def test_every_portal_page_in_the_navigation_fits_a_phone(live_server: Any, page: Page,
                                                          demo: dict[str, User]) -> None:
    log_in(page, live_server.url, demo["client"])
    page.goto(f"{live_server.url}/portal/{DEMO_SLUG}/")
    urls = nav_links(page, "nav.portalnav a")
    assert len(urls) >= 6
    assert_no_sideways_scroll(page, urls)


@pytest.mark.django_db(transaction=True)
def test_the_menu_button_opens_the_navigation_and_escape_closes_it(live_server: Any, page: Page,
                                                                   demo: dict[str, User]) -> None:
    log_in(page, live_server.url, demo["owner"])
    page.goto(f"{live_server.url}/o/{DEMO_SLUG}/")
    menu = page.get_by_role("button", name="Menu")
    nav = page.locator("#backoffice-nav")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_have_attribute("aria-controls", "backoffice-nav")
    expect(nav).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name="Clients")).to_be_visible()
    expect(nav.get_by_role("link", name="Settings")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    # An open list, not a row that scrolls sideways.
    assert page.eval_on_selector("nav.sidenav", "n => n.scrollWidth <= n.clientWidth")

    page.keyboard.press("Tab")  # into the open list
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()

    page.keyboard.press("Enter")  # the keyboard opens it too
    expect(nav).to_be_visible()
    nav.get_by_role("link", name="Clients").click()
    expect(page).to_have_url(f"{live_server.url}/o/{DEMO_SLUG}/clients/")
    expect(page.get_by_role("button", name="Menu")).to_contain_text("Clients")


@pytest.mark.django_db(transaction=True)
def test_client_list_filters_fold_away_on_a_phone(live_server: Any, page: Page, demo: dict[str, User]) -> None:
    log_in(page, live_server.url, demo["owner"])
    page.goto(f"{live_server.url}/o/{DEMO_SLUG}/clients/")
    toggle = page.get_by_role("button", name="Filters")
    status = page.locator("#client-filter-more select[name=status]")
    expect(page.get_by_role("searchbox")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(status).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(status).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0


@pytest.mark.django_db(transaction=True)
def test_on_a_wide_screen_the_menu_button_is_not_shown(live_server: Any, page: Page, demo: dict[str, User]) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server.url, demo["owner"])
    page.goto(f"{live_server.url}/o/{DEMO_SLUG}/clients/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator("#backoffice-nav").get_by_role("link", name="Clients")).to_be_visible()
    expect(page.get_by_role("button", name="Filters")).to_be_hidden()
    expect(page.locator("#client-filter-more select[name=status]")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_conversation_pages_fit_a_phone(live_server: Any, page: Page, demo: dict[str, User]) -> None:
    """Chat's pages beyond the navigation: a thread (with its composer), the client picker, and the
    client's thread in the portal. (No socket here: live_server is WSGI; the pages work without it.)"""
    log_in(page, live_server.url, demo["owner"])
    page.goto(f"{live_server.url}/o/{DEMO_SLUG}/chat/")
    threads = page.eval_on_selector_all(".chat-row-link", "links => links.map((a) => a.href)")
    assert len(threads) >= 3  # the demo has conversations, one of them a group
    assert_no_sideways_scroll(page, [*threads[:3], f"{live_server.url}/o/{DEMO_SLUG}/chat/new/?q=a"])
    page.goto(threads[0])
    expect(page.locator("[data-chat-composer] textarea")).to_be_visible()
    assert page.eval_on_selector("[data-chat-scroll]", "n => n.scrollWidth <= n.clientWidth")

    page.context.clear_cookies()
    log_in(page, live_server.url, demo["client"])
    page.goto(f"{live_server.url}/portal/{DEMO_SLUG}/chat/")
    threads = page.eval_on_selector_all(".chat-row-link", "links => links.map((a) => a.href)")
    assert threads
    assert_no_sideways_scroll(page, threads)


@pytest.mark.django_db(transaction=True)
def test_progress_pages_fit_a_phone(live_server: Any, page: Page, demo: dict[str, User]) -> None:
    """Progress beyond the navigation: the coach's progress page of the demo's portal client (months of
    measurements, goals in every state, photos), a goal's page, a new goal; and the client's goal page."""
    from coachos.clients.models import Client
    from coachos.progress.models import Goal

    with scopes_disabled():
        olivia = Client.objects.get(user=demo["client"])
        goal = Goal.objects.filter(client=olivia).order_by("pk").first()
    assert goal is not None  # the demo has progress
    log_in(page, live_server.url, demo["owner"])
    team = f"{live_server.url}/o/{DEMO_SLUG}/clients/{olivia.pk}/progress/"
    assert_no_sideways_scroll(page, [team, f"{team}goals/{goal.pk}/", f"{team}goals/new/"])
    page.goto(team)
    expect(page.locator("#chart-weight.is-drawn canvas")).to_be_visible()
    assert page.eval_on_selector("[data-compare-pair]", "n => n.scrollWidth <= n.clientWidth")

    page.context.clear_cookies()
    log_in(page, live_server.url, demo["client"])
    assert_no_sideways_scroll(page, [f"{live_server.url}/portal/{DEMO_SLUG}/progress/goals/{goal.pk}/",
                                     f"{live_server.url}/portal/{DEMO_SLUG}/progress/goals/new/"])
