"""The calendar's "anything changed?" endpoint: one query, a fingerprint that moves with every change
the events feed would show (a client's confirmation above all), and only for members of the business."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from coachos.scheduling import services
from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy.roles import Role

from ..conftest import bearer, login_as
from ..factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    RecurringBookingFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    member,
)

CHICAGO = ZoneInfo("America/Chicago")
WEEK = {"start": "2030-07-01T00:00:00", "end": "2030-07-08T00:00:00"}
pytestmark = pytest.mark.django_db


def at(day: int, hour: int) -> datetime:
    return datetime(2030, 7, day, hour, tzinfo=CHICAGO)


def url(org: Any) -> str:
    return reverse("calendar:changes", kwargs={"org_slug": org.slug})


def version(web: DjangoClient, org: Any, **params: str) -> str:
    response = web.get(url(org), {**WEEK, **params})
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    return str(response.json()["version"])


@pytest.fixture
def coach(org: Any) -> Any:
    return CoachFactory(organization=org)


def session(coach: Any, starts_at: datetime, **kwargs: Any) -> TrainingSession:
    return TrainingSessionFactory(coach=coach, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), **kwargs)


@pytest.fixture
def booking(coach: Any, org: Any) -> Booking:
    return BookingFactory(session=session(coach, at(2, 10)), client=ClientFactory(organization=org))


def test_a_confirmation_changes_the_fingerprint(web: DjangoClient, org: Any, booking: Booking) -> None:
    before = version(web, org)
    assert version(web, org) == before  # nothing changed: the page does not reload its events
    with time_machine.travel(datetime.now(CHICAGO) + timedelta(seconds=2)), scope(organization=org):
        services.booking_client_confirm(booking=booking)
    assert version(web, org) != before


@pytest.mark.parametrize("change", ["book", "cancel", "move_out", "move_in", "rename_client", "new_session",
                                    "stop_recurring"])
def test_every_change_the_feed_shows_changes_the_fingerprint(web: DjangoClient, org: Any, owner: Any, coach: Any,
                                                              booking: Booking, change: str) -> None:
    outside = session(coach, at(20, 10))
    before = version(web, org)
    with time_machine.travel(datetime.now(CHICAGO) + timedelta(seconds=2)), scope(organization=org):
        target = Booking.objects.select_related("session", "client").get(pk=booking.pk)
        if change == "book":
            BookingFactory(session=session(coach, at(3, 10), session_type=SessionTypeFactory(organization=org,
                                                                                              capacity=4)),
                           client=ClientFactory(organization=org))
        elif change == "cancel":
            services.session_cancel(session=target.session, actor=owner)
        elif change == "move_out":
            services.session_move(session=target.session, starts_at=at(21, 10), actor=owner)
        elif change == "move_in":
            services.session_move(session=outside, starts_at=at(4, 10), actor=owner)
        elif change == "stop_recurring":
            rb = RecurringBookingFactory(organization=org, coach=coach, client=target.client)
            # Linked without touching updated_at, as if it had always been so.
            TrainingSession.objects.filter(pk=target.session_id).update(recurring_booking=rb)
            services.recurring_cancel(rb=rb, actor=owner)
        elif change == "rename_client":
            target.client.first_name = "Renamed"
            target.client.save()
        else:
            session(coach, at(5, 10))
    assert version(web, org) != before


def test_changes_outside_the_range_or_the_coach_filter_do_not(web: DjangoClient, org: Any, coach: Any,
                                                              booking: Booking) -> None:
    other_coach = CoachFactory(organization=org)
    before = version(web, org, coach=str(coach.pk))
    session(coach, at(20, 10))
    session(other_coach, at(3, 10))
    assert version(web, org, coach=str(coach.pk)) == before


def test_one_query_whatever_the_number_of_sessions(web: DjangoClient, org: Any, coach: Any) -> None:
    def measure() -> int:
        with CaptureQueriesContext(connection) as ctx:
            version(web, org)
        return len(ctx.captured_queries)

    measure()  # the first request of a login also records the browser session
    with scope(organization=org):
        for day in (1, 2):
            BookingFactory(session=session(coach, at(day, 9)), client=ClientFactory(organization=org))
    few = measure()
    with scope(organization=org):
        for day in range(1, 8):
            for hour in (11, 12, 13, 14, 15):
                BookingFactory(session=session(coach, at(day, hour)), client=ClientFactory(organization=org))
    assert measure() == few
    with CaptureQueriesContext(connection) as ctx:
        version(web, org)
    scheduling = [q["sql"] for q in ctx.captured_queries if "scheduling_" in q["sql"]]
    assert len(scheduling) == 1, scheduling


def test_bad_ranges_are_a_clear_400(web: DjangoClient, org: Any) -> None:
    response = web.get(url(org), {"start": "yesterday", "end": "2030-07-08T00:00:00"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert web.get(url(org), {**WEEK, "coach": "abc"}).status_code == 400


def test_another_business_gets_404_and_sees_nothing_of_it(org: Any, other_org: Any, booking: Booking) -> None:
    stranger = login_as(member(other_org, Role.OWNER, email="stranger@example.com"))
    assert stranger.get(url(org), WEEK).status_code == 404
    # Their own calendar's fingerprint never counts this business's sessions.
    own = stranger.get(url(other_org), WEEK).json()["version"]
    with time_machine.travel(datetime.now(CHICAGO) + timedelta(seconds=2)), scope(organization=org):
        services.booking_client_confirm(booking=booking)
        session(booking.session.coach, at(4, 10))
    assert stranger.get(url(other_org), WEEK).json()["version"] == own


def test_a_client_of_the_business_cannot_use_it(org: Any, booking: Booking) -> None:
    client_user = member(org, Role.CLIENT, email="client@example.com")
    assert login_as(client_user).get(url(org), WEEK).status_code == 403


def test_anonymous_is_sent_to_log_in(org: Any) -> None:
    response = DjangoClient().get(url(org), WEEK)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_the_calendar_page_knows_the_changes_url(web: DjangoClient, org: Any, coach: Any) -> None:
    SessionTypeFactory(organization=org)
    page = web.get(reverse("calendar:index", kwargs={"org_slug": org.slug}))
    assert f'data-changes-url="{url(org)}"'.encode() in page.content


# --- the API says so too -------------------------------------------------------------------------

def test_api_booking_says_whether_the_client_confirmed(org: Any, owner: Any, booking: Booking) -> None:
    api = DjangoClient()
    headers = bearer(owner, org)
    body = api.get(f"/api/v1/bookings/{booking.pk}", **headers).json()
    assert (body["confirmed"], body["confirmed_at"]) == (False, None)
    moment = datetime(2030, 7, 1, 9, 15, tzinfo=CHICAGO)
    with scope(organization=org):
        services.booking_client_confirm(booking=booking, now=moment)
    body = api.get(f"/api/v1/bookings/{booking.pk}", **headers).json()
    assert body["confirmed"] is True
    assert body["confirmed_at"] == "2030-07-01T09:15:00-05:00"


def test_confirmed_is_in_the_published_schema() -> None:
    from coachos.scheduling.api.bookings import BookingOut

    schema = BookingOut.model_json_schema()  # what /api/v1/openapi.json publishes for GET /bookings/{id}
    assert schema["properties"]["confirmed"]["type"] == "boolean"
    assert "confirmed_at" in schema["properties"]
    assert {"confirmed", "confirmed_at"} <= set(schema["required"])
