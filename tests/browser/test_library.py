"""The library in Chromium: a coach uploads a file and watches its progress bar; reorders a collection
by dragging and with the keyboard; a client completes a collection item and the coach's analytics change."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope
from playwright.sync_api import Page, expect

from coachos.library import services, sharing
from coachos.library.models import Collection, Resource
from coachos.tenancy.roles import Role
from tests.factories import ClientFactory, MembershipFactory, OrganizationFactory, UserFactory, member

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def expected_console_errors() -> tuple[str, ...]:
    return ()


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    org = OrganizationFactory(name="Northside Strength", slug="northside-library", timezone="America/Chicago",
                              country="US")
    coach = UserFactory(name="Jordan Reyes")
    maya_user = member(org, Role.CLIENT, name="Maya Lopez")
    with scope(organization=org):
        MembershipFactory(organization=org, user=coach, role=Role.OWNER)
        maya = ClientFactory(organization=org, first_name="Maya", last_name="Lopez", user=maya_user)
        links = [services.resource_link(organization=org, actor=coach, title=title, url=f"https://example.com/{n}")
                 for n, title in enumerate(("Warm-up", "Squat", "Hinge"))]
        course = services.collection_create(organization=org, actor=coach, title="Four weeks",
                                            resource_ids=[r.pk for r in links], sequential=True)
    return {"org": org, "coach": coach, "maya": maya, "maya_user": maya_user, "links": links, "course": course}


def test_upload_shows_the_progress_bar_then_opens_the_resource(live_server: Any, page: Page, people: dict[str, Any]) -> None:
    org = people["org"]
    log_in(page, live_server.url, people["coach"])
    page.goto(f"{live_server.url}/o/{org.slug}/library/upload/", timeout=30_000)
    data = b"%PDF-1.4\n" + b"0" * 6_000_000 + b"\n%%EOF\n"
    page.set_input_files("input[name=file]", files=[{"name": "big-plan.pdf", "mimeType": "application/pdf",
                                                     "buffer": data}])
    page.fill("input[name=title]", "Big plan")
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("[data-upload-progress]")).to_be_visible()
    page.wait_for_url("**/library/resources/*/", timeout=60_000)
    expect(page.get_by_role("heading", name="Big plan")).to_be_visible()
    with scope(organization=org):
        assert Resource.objects.get(title="Big plan").size == len(data)


def test_a_collection_reorders_by_drag_and_by_keyboard(live_server: Any, page: Page, people: dict[str, Any]) -> None:
    org, course, (warm, squat, hinge) = people["org"], people["course"], people["links"]
    log_in(page, live_server.url, people["coach"])
    page.goto(f"{live_server.url}/o/{org.slug}/library/collections/{course.pk}/")
    items = page.locator("ol.reorder > li")
    items.nth(2).drag_to(items.nth(0), target_position={"x": 10, "y": 2})
    expect(page.locator("[data-reorder-status]")).to_have_text("Order saved.")

    def order() -> list[int]:
        with scope(organization=org):
            return list(Collection.objects.get(pk=course.pk).items.order_by("position")
                        .values_list("resource_id", flat=True))

    assert order() == [hinge.pk, warm.pk, squat.pk]
    page.evaluate("document.querySelector('[data-reorder-status]').textContent = ''")
    page.locator(f"ol.reorder > li[data-id='{squat.pk}']").focus()
    page.keyboard.press("ArrowUp")
    expect(page.locator("[data-reorder-status]")).to_have_text("Order saved.")
    assert order() == [hinge.pk, squat.pk, warm.pk]
    expect(page.locator(f"ol.reorder > li[data-id='{squat.pk}']")).to_be_focused()


def test_a_client_completes_an_item_and_the_coach_sees_it(live_server: Any, page: Page,
                                                           people: dict[str, Any]) -> None:
    org, course, maya = people["org"], people["course"], people["maya"]
    with scope(organization=org):
        sharing.share_create(organization=org, actor=people["coach"], collection=course, client_ids=[maya.pk])
    log_in(page, live_server.url, people["coach"])
    coach_page = f"{live_server.url}/o/{org.slug}/library/collections/{course.pk}/"
    page.goto(coach_page)
    expect(page.locator("[data-stat=opened]")).to_have_text("0")
    expect(page.locator("[data-stat=shared]")).to_have_text("1")

    client_page = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    log_in(client_page, live_server.url, people["maya_user"])
    client_page.goto(f"{live_server.url}/portal/{org.slug}/library/")
    client_page.get_by_role("link", name="Four weeks").click()
    expect(client_page.get_by_text("0 of 3 done")).to_be_visible()
    client_page.get_by_role("link", name="Warm-up").click()
    client_page.get_by_role("button", name="Mark complete").click()
    expect(client_page.get_by_text("1 of 3 done")).to_be_visible()
    expect(client_page.get_by_role("link", name="Squat")).to_be_visible()  # the next item opened
    client_page.context.close()

    page.goto(coach_page)
    expect(page.locator("[data-stat=opened]")).to_have_text("1")
    expect(page.locator(f"li[data-id='{people['links'][0].pk}'] .item-stats")).to_contain_text("1 completed")
