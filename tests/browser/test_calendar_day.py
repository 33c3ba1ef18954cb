"""The calendar's day by coach in Chromium: two coaches' sessions in their own columns, side by
side, a 15-minute session on one line that is never cut off mid-line, the legend in the events'
colours, and a session opened in the panel dialog. The week view's short events get one line too."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role

from ..factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    OrganizationFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    member,
)
from .conftest import log_in

CHICAGO = ZoneInfo("America/Chicago")
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def expected_console_errors() -> tuple[str, ...]:
    return ()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO)


@pytest.mark.django_db(transaction=True)
def test_day_by_coach_shows_each_coachs_sessions_in_their_own_column(live_server: Any, page: Page) -> None:
    org = OrganizationFactory(name="Lakeview Strength", slug="lakeview", timezone="America/Chicago")
    owner = member(org, Role.OWNER, email="owner@example.com", name="Olga Owner")
    with scopes_disabled():
        maya = CoachFactory(organization=org, display_name="Maya Chen")
        sam = CoachFactory(organization=org, display_name="Sam Okafor",
                           membership=Membership.objects.filter(organization=org, role=Role.OWNER).get())
    pt = SessionTypeFactory(organization=org, name="Personal training", color="#1e88e5")
    check_in = SessionTypeFactory(organization=org, name="Check-in", color="#fdd835", duration_minutes=15)
    day = timezone.now().astimezone(CHICAGO).date() + timedelta(days=7)
    zoe = ClientFactory(organization=org, first_name="Zoe", last_name="Allen")
    leo = ClientFactory(organization=org, first_name="Leopold", last_name="Vandenberghe-Montgomery")
    BookingFactory(client=zoe, session=TrainingSessionFactory(
        coach=maya, session_type=pt, starts_at=local(day, 9), ends_at=local(day, 10)))
    BookingFactory(client=leo, session=TrainingSessionFactory(
        coach=sam, session_type=check_in, starts_at=local(day, 9), ends_at=local(day, 9, 15)))

    log_in(page, live_server.url, owner)
    page.goto(f"{live_server.url}/o/{org.slug}/calendar/day/?date={day.isoformat()}")
    expect(page.get_by_role("heading", name="Day by coach")).to_be_visible()
    maya_col = page.locator(f'section.dg-col[data-coach="{maya.pk}"]')
    sam_col = page.locator(f'section.dg-col[data-coach="{sam.pk}"]')
    expect(maya_col.get_by_role("heading", name="Maya Chen")).to_be_visible()
    expect(sam_col.get_by_role("heading", name="Sam Okafor")).to_be_visible()
    zoe_event = maya_col.locator(".dg-event", has_text="Zoe Allen")
    leo_event = sam_col.locator(".dg-event", has_text="Leopold")
    expect(zoe_event).to_be_visible()
    expect(leo_event).to_be_visible()
    expect(maya_col.locator(".dg-event", has_text="Leopold")).to_have_count(0)
    expect(sam_col.locator(".dg-event", has_text="Zoe Allen")).to_have_count(0)

    # Side by side, at the same height (both start at 9:00), the one-hour one four times as tall.
    zoe_box, leo_box = zoe_event.bounding_box(), leo_event.bounding_box()
    assert zoe_box and leo_box
    assert leo_box["x"] >= zoe_box["x"] + zoe_box["width"] - 1
    assert abs(zoe_box["y"] - leo_box["y"]) < 2
    assert abs(zoe_box["height"] - 4 * leo_box["height"]) < 4

    # The 15-minute session: time and name on one line inside the box, the rest cut by an ellipsis,
    # and the whole text in its label.
    link = leo_event.get_by_role("link")
    expect(link).to_have_attribute("aria-label", "9:00\u202fAM–9:15\u202fAM Leopold Vandenberghe-Montgomery · Check-in")
    fits = link.evaluate("""(a) => {
        const line = a.querySelector('.dg-line'), name = a.querySelector('.dg-name');
        const box = a.getBoundingClientRect(), row = line.getBoundingClientRect();
        return {inside: row.top >= box.top - 1 && row.bottom <= box.bottom + 1,
                oneLine: line.getClientRects().length === 1 && row.height < 24,
                ellipsis: getComputedStyle(name).textOverflow,
                time: a.querySelector('.dg-time').getBoundingClientRect().width > 0};
    }""")
    assert fits == {"inside": True, "oneLine": True, "ellipsis": "ellipsis", "time": True}, fits

    # The legend shows each type in the colour its events carry.
    legend = page.locator('[data-legend="types"]')
    expect(legend.locator('li[data-color="#1e88e5"]')).to_have_text("Personal training")
    expect(legend.locator('li[data-color="#fdd835"]')).to_have_text("Check-in")
    assert zoe_event.locator(".dg-bar rect").get_attribute("fill") == "#1e88e5"

    # A session opens in the panel dialog.
    zoe_event.get_by_role("link").click()
    expect(page.locator("#calendar-dialog")).to_be_visible()
    expect(page.locator("#calendar-panel")).to_contain_text("Zoe Allen")
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_week_view_puts_a_short_session_on_one_line(live_server: Any, page: Page) -> None:
    org = OrganizationFactory(name="Lakeview Strength", slug="lakeview-week", timezone="America/Chicago")
    user = member(org, Role.COACH, email="coach@example.com", name="Casey Coach")
    with scopes_disabled():
        coach = CoachFactory(organization=org, membership=Membership.objects.get(user=user), display_name="Casey")
    check_in = SessionTypeFactory(organization=org, name="Check-in", color="#1e88e5", duration_minutes=30)
    day = timezone.now().astimezone(CHICAGO).date() + timedelta(days=7)
    BookingFactory(client=ClientFactory(organization=org, first_name="Maximilian", last_name="Oppenheimer-Smith"),
                   session=TrainingSessionFactory(coach=coach, session_type=check_in,
                                                  starts_at=local(day, 10), ends_at=local(day, 10, 30)))
    log_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/o/{org.slug}/calendar/?view=week&date={day.isoformat()}")
    event = page.locator(".fc-event", has_text="Maximilian")
    expect(event).to_be_visible()
    expect(event.locator(".cal-event-oneline")).to_have_count(1)
    label = event.get_attribute("aria-label") or ""
    assert "Maximilian Oppenheimer-Smith" in label and "10:00" in label
    fits = event.evaluate("""(el) => {
        const box = el.getBoundingClientRect(), inner = el.querySelector('.cal-event').getBoundingClientRect();
        return inner.bottom <= box.bottom + 1 && el.querySelector('.cal-event-time').getBoundingClientRect().height > 0;
    }""")
    assert fits is True
