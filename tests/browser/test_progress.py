"""Progress in Chromium: a client logs a weight in the portal and the chart takes the new point without a
reload (charts.js ``update``), and a coach compares two days of photos side by side."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from coachos.common.formats import format_date
from coachos.progress import services
from coachos.tenancy.roles import Role
from tests.factories import ClientFactory, MembershipFactory, OrganizationFactory, UserFactory, member

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CHART = "#chart-weight"
POINTS = """() => {
  const canvas = document.querySelector('#chart-weight canvas');
  const chart = canvas && Chart.getChart(canvas);
  return chart ? chart.data.datasets[0].data.map((p) => p.y) : null;
}"""


@pytest.fixture
def expected_console_errors() -> tuple[str, ...]:
    return ()  # none at all


def photo(colour: str, label: str) -> bytes:
    image = Image.new("RGB", (300, 400), colour)
    ImageDraw.Draw(image).text((20, 20), label, fill="white")
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def people(transactional_db: None) -> dict[str, Any]:
    org = OrganizationFactory(name="Northside Strength", slug="northside-progress", timezone="America/Chicago",
                              country="US")
    coach = UserFactory(name="Jordan Reyes")
    maya_user = member(org, Role.CLIENT, name="Maya Lopez")
    today = timezone.now().astimezone(org.tzinfo).date()
    with scope(organization=org):
        membership = MembershipFactory(organization=org, user=coach, role=Role.COACH)
        maya = ClientFactory(organization=org, first_name="Maya", last_name="Lopez", user=maya_user,
                             coach_membership=membership)
        for i, value in enumerate((182, 181.4, 180.8, 180.2, 179.6)):
            services.measurement_record(client=maya, actor=None, kind="weight", value=Decimal(str(value)), unit="lb",
                                        measured_at=timezone.now() - timedelta(days=14 - 3 * i))
        walk = services.task_create(client=maya, actor=None, title="Walk 30 minutes", repeat="daily",
                                    start_date=today - timedelta(days=3))
        for back in (1, 2):
            services.task_done(task=walk, actor=None, day=today - timedelta(days=back))
        days = [today - timedelta(days=56), today - timedelta(days=28), today]
        for day, colour in zip(days, ("#8b0000", "#00008b", "#006400"), strict=True):
            for pose in ("front", "side"):
                services.photo_upload(client=maya, actor=None, data=photo(colour, f"{pose} {day}"), pose=pose,
                                      taken_on=day)
    return {"org": org, "coach": coach, "maya_user": maya_user, "maya": maya, "days": days}


def test_a_client_ticks_a_task_off_with_the_keyboard_and_logs_a_weight_the_chart_takes_without_a_reload(live_server: Any, page: Page,
                                                                         people: dict[str, Any]) -> None:
    log_in(page, live_server.url, people["maya_user"])
    page.goto(f"{live_server.url}/portal/{people['org'].slug}/progress/")
    page.wait_for_selector(f"{CHART}.is-drawn canvas")
    assert page.evaluate(POINTS) == [182, 181.4, 180.8, 180.2, 179.6]
    page.evaluate("window.notReloaded = true")

    # Today's walk, ticked off with the keyboard: the streak grows and the focus stays on the tick.
    done_before, due = page.locator("[data-stat=tasks] .stat-value").inner_text().split(" of ")
    tick = page.get_by_role("button", name="Mark Walk 30 minutes done")
    tick.focus()
    page.keyboard.press("Enter")
    done = page.get_by_role("button", name="Walk 30 minutes: done. Undo")
    expect(done).to_have_attribute("aria-pressed", "true")
    expect(done).to_be_focused()
    expect(page.locator("[data-task] .task-streak")).to_have_text("3-day streak")
    expect(page.locator("[data-stat=tasks] .stat-value")).to_have_text(f"{int(done_before) + 1} of {due}")

    form = page.locator("form[data-measure-form]")
    expect(form.get_by_label("Unit")).to_have_value("lb")  # a US business: pounds, unless Maya chose
    form.get_by_label("Value").fill("178.8")
    form.get_by_role("button", name="Log it").click()

    expect(page.locator("#progress-measure-form [data-progress-notice]")).to_have_text("Weight saved: 178.8 lb.")
    page.wait_for_function(f"() => ({POINTS})()?.length === 6")
    assert page.evaluate(POINTS)[-1] == 178.8
    assert page.evaluate("window.notReloaded") is True  # the same page: redrawn in place
    # The table for screen readers has the new value first, and the week's summary follows.
    expect(page.locator(f"{CHART}-table tbody tr").first).to_contain_text("178.8 lb")
    expect(page.locator("[data-stat=measured] .stat-value")).to_contain_text("178.8")
    # An impossible value is refused on the field, as typed, and the chart keeps its points.
    form = page.locator("form[data-measure-form]")
    form.get_by_label("Value").fill("1700")
    form.get_by_role("button", name="Log it").click()
    expect(page.locator("form[data-measure-form] .field-error")).to_contain_text("is not plausible")
    expect(page.locator("form[data-measure-form]").get_by_label("Value")).to_have_value("1700")
    assert len(page.evaluate(POINTS)) == 6
    assert page.problems == []  # type: ignore[attr-defined]


def test_a_coach_compares_two_days_of_photos_side_by_side(live_server: Any, page: Page,
                                                          people: dict[str, Any]) -> None:
    org, maya, days = people["org"], people["maya"], people["days"]
    log_in(page, live_server.url, people["coach"])
    page.goto(f"{live_server.url}/o/{org.slug}/clients/{maya.pk}/progress/")
    compare = page.locator("#progress-compare")
    compare.scroll_into_view_if_needed()
    # Pick the middle day against the latest, and the side pose, with the keyboard's controls.
    middle, latest = format_date(days[1]), format_date(days[2])
    compare.get_by_label("First day").select_option(days[1].isoformat())
    compare.get_by_label("Second day").select_option(days[2].isoformat())
    compare.get_by_label("Pose").select_option("side")
    page.evaluate("window.notReloaded = true")
    compare.get_by_role("button", name="Compare").click()

    first = page.locator("[data-compare-side=first] img")
    second = page.locator("[data-compare-side=second] img")
    expect(first).to_have_attribute("alt", f"Side, {middle}")
    expect(second).to_have_attribute("alt", f"Side, {latest}")
    expect(page.locator("[data-compare-side=first] figcaption")).to_have_text(middle)
    # Both images came through the access check and are drawn, next to each other.
    page.wait_for_function("""() => [...document.querySelectorAll('[data-compare-pair] img')]
        .every((img) => img.complete && img.naturalWidth > 0)""")
    left, right = first.bounding_box(), second.bounding_box()
    assert left is not None and right is not None
    assert abs(left["y"] - right["y"]) < 2 and left["x"] + left["width"] <= right["x"]
    assert left["width"] > 100
    assert page.evaluate("window.notReloaded") is True
    assert page.problems == []  # type: ignore[attr-defined]
