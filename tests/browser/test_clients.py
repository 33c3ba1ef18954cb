"""The client page in a real browser: every section loads on its own; when the packages
section fails (a server error, then a network error) only that section shows "This section
could not load" with a Retry button, the others still show, and Retry loads it. Then the
coach gives a package and uses one session, double-clicking: one credit goes."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, Route, expect

from coachos.credits.models import ClientPackage, CreditEntry

from ..factories import ClientFactory, OrganizationFactory, PackagePlanFactory, member
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def expected_console_errors() -> tuple[str, ...]:
    # The failures we cause on purpose show up as failed loads; anything else is a bug.
    return ("Failed to load resource", "Response Status Error Code 500", "htmx:afterRequest", "htmx:sendError")


@pytest.mark.django_db(transaction=True)
def test_a_failing_section_retries_on_its_own_and_use_session_deducts_once(live_server: Any, page: Page) -> None:
    with scopes_disabled():
        org = OrganizationFactory(slug="browser-clients")
        owner = member(org, email="owner-browser@example.com")
        client = ClientFactory(organization=org, first_name="Robin")
        PackagePlanFactory(organization=org, name="Five pack", sessions=5)
    log_in(page, live_server.url, owner)
    url = f"{live_server.url}/o/{org.slug}/clients/{client.pk}/"

    failures = {"mode": "500"}

    def packages(route: Route) -> None:
        if failures["mode"] == "500":
            route.fulfill(status=500, body="<p>boom</p>", content_type="text/html")
        elif failures["mode"] == "network":
            route.abort("failed")
        else:
            route.continue_()

    page.route("**/sections/packages/", packages)
    page.goto(url)
    packages_body = page.locator("#section-packages .section-body")
    expect(packages_body).to_contain_text("This section could not load")
    expect(page.locator("#section-profile .section-body")).to_contain_text("Robin")
    expect(page.locator("#section-notes .section-body")).to_contain_text("No notes yet")
    expect(page.locator("#section-bookings .section-body")).to_contain_text("No upcoming bookings")

    failures["mode"] = "network"
    packages_body.get_by_role("button", name="Retry").click()
    expect(packages_body).to_contain_text("This section could not load")

    failures["mode"] = "ok"
    packages_body.get_by_role("button", name="Retry").click()
    expect(packages_body).to_contain_text("Give a package")

    packages_body.get_by_label("Package").select_option(label="Five pack")
    packages_body.get_by_role("button", name="Give package").click()
    expect(packages_body).to_contain_text("Five pack given")
    use = packages_body.get_by_role("button", name="Use 1 session")
    use.dblclick()
    expect(packages_body).to_contain_text("1 session used")
    expect(packages_body).to_contain_text("4 of 5 left")
    with scopes_disabled():
        package = ClientPackage.objects.get(client=client)
        assert package.remaining == 4
        assert CreditEntry.objects.filter(package=package, kind="use").count() == 1
