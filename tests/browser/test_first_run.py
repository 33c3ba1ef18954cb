"""First run in a real browser: the checklist ticks itself as a new owner sets up hours and a
session type; the booking link's embed renders inside an <iframe> on a page of another origin,
while a non-embed page refuses to be framed there.

The "other site" is a tiny http.server on 127.0.0.2 (a different origin from the live server on
localhost) serving one page with two iframes.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from coachos.tenancy.roles import Role

from ..factories import CoachFactory, OrganizationFactory, SessionTypeFactory, WeeklyAvailabilityFactory, member
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _step(page: Page, key: str) -> Any:
    return page.locator(f'#get-started li[data-step="{key}"]')


@pytest.mark.django_db(transaction=True)
def test_the_checklist_ticks_itself_as_a_new_owner_sets_up_hours_and_a_session_type(
        live_server: Any, page: Page) -> None:
    org = OrganizationFactory(name="First Run Fitness", slug="first-run", timezone="America/Chicago")
    owner = member(org, Role.OWNER, email="new-owner@example.com", name="Nia New")
    with scopes_disabled():
        coach = CoachFactory(organization=org, membership=owner.memberships.get())
    log_in(page, live_server.url, owner)
    page.goto(f"{live_server.url}/o/{org.slug}/")
    expect(_step(page, "hours")).not_to_have_class("done")
    expect(_step(page, "types")).not_to_have_class("done")

    _step(page, "hours").get_by_role("link").click()
    page.wait_for_url(f"**/o/{org.slug}/schedule/")
    page.goto(f"{live_server.url}/o/{org.slug}/schedule/coaches/{coach.pk}/hours/")
    page.locator('[data-add-range="mon"]').click()
    monday = page.locator("#day-mon .range-row:visible").first
    monday.locator("input[name$='start_time']").fill("09:00")
    monday.locator("input[name$='end_time']").fill("17:00")
    page.get_by_role("button", name="Save weekly hours").click()
    page.goto(f"{live_server.url}/o/{org.slug}/")
    expect(_step(page, "hours")).to_have_class("done")
    expect(_step(page, "types")).not_to_have_class("done")

    _step(page, "types").get_by_role("link").click()
    page.get_by_label("Name").fill("Personal training")
    page.get_by_label("Price").fill("80")
    page.get_by_role("button", name="Add session type").click()
    page.goto(f"{live_server.url}/o/{org.slug}/")
    expect(_step(page, "types")).to_have_class("done")

    # Copying the booking link (by keyboard) ticks "Share your booking link".
    expect(_step(page, "link")).not_to_have_class("done")
    copy = page.locator("#booking-link button[data-copy-target]").first
    copy.focus()
    with page.expect_response(lambda r: r.url.endswith("/booking-link/shared/")) as shared:
        page.keyboard.press("Enter")
    assert shared.value.status == 204
    expect(copy).to_have_text("Copied")
    page.reload()
    expect(_step(page, "link")).to_have_class("done")


class _OtherSite(http.server.BaseHTTPRequestHandler):
    html = b""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, format: str, *args: Any) -> None:  # keep the test output quiet
        pass


@pytest.fixture
def other_site(live_server: Any) -> Iterator[tuple[str, type[_OtherSite]]]:
    handler = type("Handler", (_OtherSite,), {})
    server = http.server.HTTPServer(("127.0.0.2", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.2:{server.server_port}", handler
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.mark.django_db(transaction=True)
def test_the_embed_renders_in_an_iframe_on_another_origin_and_other_pages_refuse(
        live_server: Any, page: Page, other_site: tuple[str, type[_OtherSite]]) -> None:
    org = OrganizationFactory(name="Embed Studio", slug="embed-studio", timezone="America/Chicago")
    coach = CoachFactory(organization=org)
    WeeklyAvailabilityFactory(coach=coach)
    SessionTypeFactory(organization=org, name="Intro session")
    origin, handler = other_site
    assert not live_server.url.startswith(origin)
    handler.html = (
        f'<!DOCTYPE html><html><body><h1>My gym</h1>'
        f'<iframe id="embed" src="{live_server.url}/book/{org.slug}/embed/" width="600" height="500"></iframe>'
        f'<iframe id="page" src="{live_server.url}/book/{org.slug}/" width="600" height="500"></iframe>'
        f'</body></html>'
    ).encode()
    page.goto(f"{origin}/")
    embed = page.frame_locator("#embed")
    expect(embed.get_by_role("link", name="Intro session")).to_be_visible()
    # The booking page itself refuses: Chromium shows its error page in that frame instead.
    blocked = page.locator("#page").element_handle().content_frame()
    assert blocked is not None
    blocked.wait_for_load_state()
    assert blocked.url.startswith("chrome-error://"), blocked.url
    expect(page.frame_locator("#page").get_by_role("heading", name="Embed Studio")).to_have_count(0)
