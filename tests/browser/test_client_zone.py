"""A London client of a Chicago business sees their portal bookings in London time, labelled."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Page, expect

from coachos.clients.models import Client
from coachos.scheduling.services import COACH, booking_create
from coachos.tenancy.roles import Role

from ..factories import ClientFactory, CoachFactory, OrganizationFactory, SessionTypeFactory, member
from .conftest import PHONE_IN_LONDON, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def context_options() -> dict[str, Any]:
    return PHONE_IN_LONDON


def test_a_london_client_sees_portal_bookings_in_london_time(live_server: Any, page: Page) -> None:
    org = OrganizationFactory(name="Northside Strength", slug="northside-zone", timezone="America/Chicago")
    coach = CoachFactory(organization=org, display_name="Jordan Reyes")
    session_type = SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)
    user = member(org, Role.CLIENT, email="amelia@example.com", name="Amelia Hart")
    client = ClientFactory(organization=org, user=user, first_name="Amelia", email="amelia@example.com",
                           timezone="Europe/London")
    day = (timezone.now().astimezone(CHICAGO) + timedelta(days=3)).date()
    starts = datetime(day.year, day.month, day.day, 10, 0, tzinfo=CHICAGO)
    with scope(organization=org):
        booking_create(coach=coach, session_type=session_type, client=client, starts_at=starts, actor=None,
                       mode=COACH)
    london = starts.astimezone(LONDON)
    london_clock = f"{london.hour % 12 or 12}:00 {'AM' if london.hour < 12 else 'PM'}"

    log_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/portal/{org.slug}/bookings/")
    when = page.locator(".booking-when").first
    expect(when).to_contain_text(london_clock)
    expect(when).to_contain_text("(London time)")
    expect(when).not_to_contain_text("10:00 AM")
    expect(page.locator(".booking-meta").first).to_contain_text("10:00 AM Chicago time")
    with scope(organization=org):
        assert Client.objects.get(pk=client.pk).timezone == "Europe/London"
