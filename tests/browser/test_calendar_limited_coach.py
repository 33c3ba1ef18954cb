"""A coach the owner limited to their own clients, in a real browser: another coach's client's
session is a "Busy" block that opens nothing and cannot be dragged; their own client's session opens
its panel as before."""

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
from .conftest import DESKTOP, log_in

LONDON = ZoneInfo("Europe/London")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def context_options() -> dict[str, Any]:
    return {**DESKTOP, "timezone_id": "Europe/London"}


@pytest.fixture
def expected_console_errors() -> tuple[str, ...]:
    return ()


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=LONDON)


def test_another_coachs_client_is_a_busy_block_that_opens_nothing(live_server: Any, page: Page) -> None:
    org = OrganizationFactory(name="Camden Strength", slug="camden", timezone="Europe/London")
    user = member(org, Role.COACH, email="maya@example.com", name="Maya Coach")
    with scopes_disabled():
        mine = Membership.objects.get(user=user)
        mine.sees_all_clients = False
        mine.save()
    maya = CoachFactory(organization=org, membership=mine, display_name="Maya")
    sam = CoachFactory(organization=org, display_name="Sam")
    pt = SessionTypeFactory(organization=org, name="Personal training", color="#1e88e5")
    today = timezone.now().astimezone(LONDON).date()
    tuesday = today + timedelta(days=15 - today.weekday())
    own = TrainingSessionFactory(coach=maya, session_type=pt, starts_at=local(tuesday, 10), ends_at=local(tuesday, 11))
    BookingFactory(session=own, client=ClientFactory(organization=org, first_name="Zoe", last_name="Allen",
                                                     coach_membership=mine))
    theirs = TrainingSessionFactory(coach=sam, session_type=pt, starts_at=local(tuesday, 13), ends_at=local(tuesday, 14))
    BookingFactory(session=theirs, client=ClientFactory(organization=org, first_name="Otto", last_name="Other",
                                                        coach_membership=sam.membership))
    log_in(page, live_server.url, user)

    page.goto(f"{live_server.url}/o/{org.slug}/calendar/?view=week&coach=&date={tuesday}")
    busy = page.locator(".fc-event", has_text="Busy")
    expect(busy).to_be_visible()
    expect(page.locator(".fc-event", has_text="Zoe Allen")).to_be_visible()
    assert "Otto" not in page.content()

    busy.click()
    page.wait_for_timeout(500)
    expect(page.locator("#calendar-dialog")).not_to_be_visible()

    page.locator(".fc-event", has_text="Zoe Allen").click()
    expect(page.locator("#calendar-dialog")).to_be_visible()
    expect(page.locator("#calendar-panel-title")).to_have_text("Zoe Allen")
    assert page.problems == []  # type: ignore[attr-defined]
