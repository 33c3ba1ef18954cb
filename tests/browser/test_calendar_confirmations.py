"""A client answers a reminder with "Y": the coach's open calendar shows the ✓ within seconds,
without a reload (the page polls a cheap fingerprint every 5 s and reloads its events when it moves).

The text arrives through the real webhook, signed with Twilio's own validator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from coachos.scheduling.models import Booking
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role

from ..comms.conftest import PUBLIC_BASE, TWILIO_TOKEN, twilio_post
from ..factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    OrganizationFactory,
    OutboundMessageFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    member,
)
from .conftest import log_in

CHICAGO = ZoneInfo("America/Chicago")
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.django_db(transaction=True)
def test_a_y_by_text_shows_on_the_open_calendar_within_seconds(live_server: Any, page: Page, settings: Any) -> None:
    settings.TWILIO_AUTH_TOKEN, settings.PUBLIC_BASE_URL = TWILIO_TOKEN, PUBLIC_BASE
    org = OrganizationFactory(name="Loop Strength", slug="loop", timezone="America/Chicago",
                              sms_number="+13125550199")
    user = member(org, Role.OWNER, email="owner@loop.example", name="Lee Owner")
    with scopes_disabled():
        coach = CoachFactory(organization=org, membership=Membership.objects.get(user=user), display_name="Lee")
        starts_at = (timezone.now() + timedelta(hours=20)).replace(minute=0, second=0, microsecond=0)
        session = TrainingSessionFactory(coach=coach, session_type=SessionTypeFactory(organization=org),
                                         starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
        client = ClientFactory(organization=org, first_name="Olivia", last_name="Martinez", phone="+13125550142",
                               sms_consent=True)
        booking = BookingFactory(session=session, client=client)
        OutboundMessageFactory(organization=org, client=client, kind="reminder_24h", to=client.phone,
                               related_type="booking", related_id=booking.pk, status="sent")

    page.clock.install()
    log_in(page, live_server.url, user)
    day = starts_at.astimezone(CHICAGO).date()
    with page.expect_response(lambda r: "/calendar/changes" in r.url):
        page.goto(f"{live_server.url}/o/{org.slug}/calendar/?view=day&date={day}")
    event = page.locator(".fc-event", has_text="Olivia Martinez")
    expect(event).to_be_visible()
    expect(event.locator(".cal-event-mark")).to_have_count(0)

    response = twilio_post("/webhooks/twilio/sms", {"MessageSid": "SM" + "7" * 32, "From": client.phone,
                                                     "To": org.sms_number, "Body": "Y"})
    assert response.status_code == 200
    with scopes_disabled():
        assert Booking.objects.get(pk=booking.pk).client_confirmed_at is not None

    with page.expect_response(lambda r: "/calendar/events" in r.url):
        page.clock.fast_forward(5_000)  # the next poll sees the change and reloads the events
    expect(event.locator(".cal-event-mark")).to_have_text("✓")
    expect(event).to_contain_text("confirmed by every client")  # for screen readers (visually hidden)
    assert page.problems == []  # type: ignore[attr-defined]
