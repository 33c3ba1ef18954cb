"""The portal as an installed app in Chromium: its service worker installs, pages open offline with a
banner saying so, a page never opened shows the offline page, and a form sent offline is refused
(nothing changes on the server). Push sign-up needs a browser push service, which headless
Chromium has not got here: the push endpoints are tested directly (tests/comms/test_push.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from coachos.comms.models import NotificationPreference
from coachos.tenancy.roles import Role
from tests.factories import ClientFactory, OrganizationFactory, member

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "locale": "en-US", "service_workers": "allow"}


@pytest.fixture
def context_options() -> dict[str, Any]:
    return PHONE


def _controlled(page: Page) -> None:
    """Wait until the service worker is active and controls the page (it claims open pages)."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_the_portal_works_offline_and_refuses_to_send(page: Page, live_server: Any) -> None:
    org = OrganizationFactory(name="Harbour Fitness", slug="harbour")
    user = member(org, Role.CLIENT, name="Nia Offline", email="nia@example.com")
    with scope(organization=org):
        ClientFactory(organization=org, user=user, first_name="Nia", last_name="Offline", email="nia@example.com")
    base = live_server.url
    log_in(page, base, user)
    page.set_default_navigation_timeout(30_000)  # the first loads compile every template; the machine is shared
    home = f"{base}/portal/{org.slug}/"
    settings_page = f"{base}/portal/{org.slug}/notifications/settings/"

    page.goto(home)
    _controlled(page)
    registration = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r && r.scope)")
    assert registration == f"{base}/"
    # Pages visited while online are kept (through the worker, now that it controls the page).
    page.goto(settings_page)
    page.goto(home)
    expect(page.locator("h1")).to_contain_text("Hi Nia")
    assert page.locator("[data-offline-banner]").count() == 0

    page.context.set_offline(True)
    page.goto(home)
    expect(page.locator("h1")).to_contain_text("Hi Nia")
    expect(page.locator("[data-offline-banner]")).to_contain_text("You are offline")
    assert page.evaluate("document.documentElement.hasAttribute('data-served-offline')")

    # The installed app's start address ("/", which redirects when online) opens the last home page.
    page.goto(f"{base}/?source=app")
    expect(page.locator("h1")).to_contain_text("Hi Nia")
    expect(page.locator("[data-offline-banner]")).to_contain_text("You are offline")

    # A page never opened on this device: the offline page.
    page.goto(f"{base}/portal/{org.slug}/bookings/")
    expect(page.locator("h1")).to_have_text("You are offline")

    # A form sent while offline is refused on the spot, and nothing reaches the server.
    page.goto(settings_page)
    expect(page.locator("[data-offline-banner]")).to_contain_text("You are offline")
    page.locator("input[name=on]").first.uncheck()
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("[data-offline-banner]")).to_contain_text("this was not sent")
    expect(page.locator("form [data-offline-form-note]")).to_contain_text("this was not sent")
    assert not page.locator("input[name=on]").first.is_checked()  # what was chosen stays on the page
    assert page.url == settings_page
    with scope(organization=org):
        assert not NotificationPreference.objects.filter(user=user).exists()

    # Back online, the banner says so and offers to reload.
    page.context.set_offline(False)
    expect(page.locator("[data-offline-banner]")).to_contain_text("You are back online")
    page.get_by_role("button", name="Reload").click()
    expect(page.locator("h1")).to_have_text("Notification settings")
    assert page.locator("[data-offline-banner]").count() == 0

    # Logging out takes the pages kept on this device with it.
    pages_caches = "caches.keys().then(names => names.filter(n => n.startsWith('coachos-pages-')).length)"
    assert page.evaluate(pages_caches) == 1
    with page.expect_navigation():
        page.evaluate("document.querySelector('form[action*=\"logout\"]').requestSubmit()")
    assert page.evaluate(pages_caches) == 0
    assert page.evaluate("caches.keys().then(names => names.some(n => n.startsWith('coachos-shell-')))")


IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
             "Version/17.5 Mobile/15E148 Safari/604.1")


def test_the_portal_tells_an_iphone_how_to_add_it_to_the_home_screen(browser: Browser, live_server: Any) -> None:
    org = OrganizationFactory(name="Harbour Fitness", slug="harbour")
    user = member(org, Role.CLIENT, name="Ivy Phone", email="ivy@example.com")
    context = browser.new_context(**PHONE, user_agent=IPHONE_UA)
    try:
        page = context.new_page()
        page.set_default_navigation_timeout(30_000)
        log_in(page, live_server.url, user)
        page.goto(f"{live_server.url}/portal/{org.slug}/")
        prompt = page.locator("[data-install-prompt]")
        expect(prompt).to_contain_text("tap Share, then Add to Home Screen")
        prompt.get_by_role("button", name="Not now").click()
        expect(prompt).to_have_count(0)
        page.reload()  # the choice is remembered on the device
        expect(page.locator("h1")).to_contain_text("Hi Ivy")
        expect(page.locator("[data-install-prompt]")).to_have_count(0)
    finally:
        context.close()
