"""The coach's calendar in a real browser: the week in the business's zone, a session moved by
drag and drop, another cancelled from its panel, and the events feed asked for exactly the
visible range of the day, week and month views (also by the 30-second refresh).

Drives Debian's Chromium with Playwright against pytest-django's live server (see
test_signup_mfa.py). The browser runs in Los Angeles time and the business is in London: what
the calendar shows must follow the business, never the browser.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, Request, expect

from coachos.scheduling.models import TrainingSession
from coachos.tenancy.models import AuditEntry, Membership
from coachos.tenancy.roles import Role

from ..factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    OrganizationFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
    member,
)
from .conftest import DESKTOP, log_in

LONDON = ZoneInfo("Europe/London")
FEED = "/calendar/events"

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def context_options() -> dict[str, Any]:
    return {**DESKTOP, "timezone_id": "America/Los_Angeles"}


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def feed_range(request: Request) -> tuple[datetime, datetime]:
    query = parse_qs(urlsplit(request.url).query)
    return datetime.fromisoformat(query["start"][0]), datetime.fromisoformat(query["end"][0])


def assert_range(request: Request, start: datetime, end: datetime) -> None:
    got_start, got_end = feed_range(request)
    assert (got_start, got_end) == (start, end), f"asked for {got_start} – {got_end}, visible {start} – {end}"
    # Sent in the business's own offset, not the browser's.
    assert got_start.utcoffset() == start.utcoffset() and got_end.utcoffset() == end.utcoffset()


def drag(page: Page, event: Any, day: date, slot: str) -> None:
    """Press on the event's first half hour and release on the slot's first half hour."""
    lane = page.locator(f'td.fc-timegrid-slot-lane[data-time="{slot}"]')
    column_cell = page.locator(f'td.fc-timegrid-col[data-date="{day}"]')
    # FullCalendar may re-render (a refetch) between finding and measuring on a busy machine: wait
    # until all three are on the page and measurable, rather than measuring a detached node.
    for _attempt in range(20):
        expect(event).to_be_visible()
        expect(column_cell).to_be_visible()
        lane.scroll_into_view_if_needed()
        grab, row, column = event.bounding_box(), lane.bounding_box(), column_cell.bounding_box()
        if grab and row and column:
            break
        page.wait_for_timeout(250)
    assert grab and row and column
    start_x, start_y = grab["x"] + grab["width"] / 2, grab["y"] + 6
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + 10, start_y + 10, steps=4)
    page.mouse.move(column["x"] + column["width"] / 2, row["y"] + 6, steps=12)
    page.mouse.up()


@pytest.mark.django_db(transaction=True)
def test_coach_drags_a_session_cancels_another_and_the_feed_follows_the_view(live_server: Any, page: Page) -> None:
    org = OrganizationFactory(name="Camden Strength", slug="camden", timezone="Europe/London")
    user = member(org, Role.COACH, email="casey@example.com", name="Casey Jordan")
    with scopes_disabled():
        coach = CoachFactory(organization=org, membership=Membership.objects.get(user=user), display_name="Casey")
    for weekday in (1, 2, 3):  # Tuesday to Thursday: every drag below stays inside working hours
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(8), end_time=time(18))
    pt = SessionTypeFactory(organization=org, name="Personal training", color="#1e88e5")
    bootcamp = SessionTypeFactory(organization=org, name="Bootcamp", color="#fdd835", capacity=8,
                                  duration_minutes=45)

    # The week after next, so that every session is in the future whatever today is.
    today = timezone.now().astimezone(LONDON).date()
    monday = today + timedelta(days=14 - today.weekday())
    tuesday, wednesday, thursday = (monday + timedelta(days=n) for n in (1, 2, 3))
    to_move = TrainingSessionFactory(coach=coach, session_type=pt, starts_at=local(tuesday, 10),
                                     ends_at=local(tuesday, 11))
    BookingFactory(session=to_move, client=ClientFactory(organization=org, first_name="Olivia", last_name="Martinez"))
    to_cancel = TrainingSessionFactory(coach=coach, session_type=pt, starts_at=local(thursday, 9),
                                       ends_at=local(thursday, 10))
    BookingFactory(session=to_cancel, client=ClientFactory(organization=org, first_name="Liam", last_name="Johnson"))
    group = TrainingSessionFactory(coach=coach, session_type=bootcamp, capacity=8, starts_at=local(thursday, 12),
                                   ends_at=local(thursday, 12, 45))
    for _ in range(3):
        BookingFactory(session=group, client_confirmed_at=timezone.now())

    # The browser's clock says Wednesday 08:00 in London (00:00 in Los Angeles) of that week.
    page.clock.install(time=local(wednesday, 8))
    feed_requests: list[Request] = []
    page.on("request", lambda r: feed_requests.append(r) if FEED in r.url else None)
    log_in(page, live_server.url, user)

    # --- the week view, in the business's zone -------------------------------------------------
    page.goto(f"{live_server.url}/o/{org.slug}/calendar/")
    expect(page.get_by_role("heading", name="Calendar")).to_be_visible()
    olivia = page.locator(".fc-event", has_text="Olivia Martinez")
    expect(olivia).to_be_visible()
    expect(page.locator(".fc-button-active")).to_have_text("Week")
    assert_range(feed_requests[-1], local(monday, 0), local(monday + timedelta(days=7), 0))
    expect(page.locator(f'td.fc-timegrid-col[data-date="{tuesday}"] .fc-event', has_text="Olivia Martinez")
           ).to_contain_text("10:00 - 11:00")
    bootcamp_event = page.locator(f'td.fc-timegrid-col[data-date="{thursday}"] .fc-event', has_text="Bootcamp")
    expect(bootcamp_event).to_contain_text("3/8")
    expect(bootcamp_event.locator(".cal-event-mark")).to_have_text("✓")

    # --- drag Olivia's session from Tuesday 10:00 to Wednesday 14:00 ----------------------------
    with page.expect_response(lambda r: FEED in r.url):  # the calendar reloads after the move
        with page.expect_response(lambda r: r.url.endswith(f"/sessions/{to_move.pk}/move/")) as moved:
            drag(page, olivia, wednesday, "14:00:00")
    assert moved.value.status == 200
    expect(page.locator("#calendar-status")).to_contain_text("Moved to")
    expect(page.locator(f'td.fc-timegrid-col[data-date="{wednesday}"] .fc-event', has_text="Olivia Martinez")
           ).to_contain_text("2:00 - 3:00")
    with scopes_disabled():
        to_move.refresh_from_db()
    assert (to_move.starts_at, to_move.ends_at) == (local(wednesday, 14), local(wednesday, 15))

    # Onto the Bootcamp: refused; the session goes back where it was and the reason is shown.
    with page.expect_response(lambda r: FEED in r.url):
        with page.expect_response(lambda r: r.url.endswith(f"/sessions/{to_move.pk}/move/")) as refused:
            drag(page, olivia, thursday, "12:00:00")
    assert refused.value.status == 409
    expect(page.locator("#calendar-status")).to_have_text("The coach already has a session at that time.")
    expect(page.locator(f'td.fc-timegrid-col[data-date="{wednesday}"] .fc-event', has_text="Olivia Martinez")
           ).to_contain_text("2:00 - 3:00")
    expect(page.locator(f'td.fc-timegrid-col[data-date="{thursday}"] .fc-event', has_text="Olivia")).to_have_count(0)
    with scopes_disabled():
        to_move.refresh_from_db()
    assert to_move.starts_at == local(wednesday, 14)

    # --- cancel Liam's session from its panel, with a reason ---------------------------------------
    page.locator(".fc-event", has_text="Liam Johnson").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Liam Johnson")).to_be_visible()
    expect(dialog).to_contain_text("Personal training")
    expect(dialog).to_contain_text("Scheduled")
    # The panel's parts (notes, ratings) load on their own; once they are in, the panel stops growing.
    expect(dialog.locator("[data-session-part]", has_text="Loading…")).to_have_count(0)
    dialog.get_by_role("button", name="Cancel session…").click()
    expect(dialog.get_by_role("heading", name="Cancel this session?")).to_be_visible()
    dialog.get_by_label("Reason (optional)").fill("Coach is ill")
    dialog.get_by_role("button", name="Cancel session", exact=True).click()
    expect(dialog.get_by_text("Session cancelled.")).to_be_visible()
    expect(dialog.locator("[data-session-status]")).to_have_text("Cancelled")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".fc-event.cal-status-cancelled", has_text="Liam Johnson")).to_be_visible()
    with scopes_disabled():
        to_cancel.refresh_from_db()
        reason = AuditEntry.objects.get(action="session.cancelled", object_id=str(to_cancel.pk)).data["reason"]
    assert to_cancel.status == TrainingSession.Status.CANCELLED and reason == "Coach is ill"

    # --- every view asks the feed for exactly what it shows -----------------------------------------
    with page.expect_request(lambda r: FEED in r.url) as day_request:
        page.get_by_role("button", name="Day", exact=True).click()
    assert_range(day_request.value, local(wednesday, 0), local(thursday, 0))
    expect(page.locator(".fc-event", has_text="Olivia Martinez")).to_be_visible()

    # The 30-second refresh asks again for the day now shown, not for the week it was opened on.
    with page.expect_request(lambda r: FEED in r.url) as refresh:
        page.clock.fast_forward("00:30")
    assert_range(refresh.value, local(wednesday, 0), local(thursday, 0))

    with page.expect_request(lambda r: FEED in r.url) as month_request:
        page.get_by_role("button", name="Month").click()
    first = wednesday.replace(day=1)
    grid_start = first - timedelta(days=first.weekday())
    assert_range(month_request.value, local(grid_start, 0), local(grid_start + timedelta(days=42), 0))

    with page.expect_request(lambda r: FEED in r.url) as week_request:
        page.get_by_role("button", name="Week").click()
    assert_range(week_request.value, local(monday, 0), local(monday + timedelta(days=7), 0))

    assert all(r.response() and r.response().status == 200 for r in feed_requests)
    assert page.problems == []  # type: ignore[attr-defined]  # no CSP violation, no script error
