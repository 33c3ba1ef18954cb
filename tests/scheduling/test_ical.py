"""iCal feeds: a coach's sessions and a client's bookings, public by a secret address, parsed
back with icalendar."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client as DjangoClient
from django.test import RequestFactory
from django.utils import timezone
from django_scopes import scope
from icalendar import Calendar

from coachos.scheduling.models import Booking, ClientFeed, Coach, TrainingSession
from coachos.scheduling.services import coach_ensure
from coachos.scheduling.services.feeds import client_feed_reset
from coachos.tenancy.models import AuditEntry, Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    OrganizationFactory,
    RoomFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    member,
)

pytestmark = pytest.mark.django_db

anonymous = DjangoClient


def next_monday_at(org: Organization, hour: int, weeks: int = 0) -> datetime:
    today = timezone.now().astimezone(org.tzinfo).date()
    monday = today + timedelta(days=7 - today.weekday() + 7 * weeks)
    return datetime.combine(monday, time(hour), tzinfo=org.tzinfo)


def session_at(coach: Coach, start: datetime, **fields: Any) -> TrainingSession:
    return TrainingSessionFactory(coach=coach, starts_at=start, ends_at=start + timedelta(hours=1), **fields)


def parse(response: Any) -> Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(calendar: Calendar) -> list[Any]:
    return list(calendar.walk("VEVENT"))


@pytest.fixture
def coach(org: Organization) -> Coach:
    user = member(org, Role.COACH, name="Jordan Reyes")
    with scope(organization=org):
        found = coach_ensure(membership=Membership.objects.get(user=user))
    assert found is not None
    return found


@pytest.fixture
def booked(org: Organization, coach: Coach) -> Booking:
    """Next Monday 10:00 Chicago, Strength in Studio A, booked by Ann Lee."""
    session = session_at(coach, next_monday_at(org, 10),
                         session_type=SessionTypeFactory(organization=org, name="Strength", location="Gym floor"),
                         room=RoomFactory(organization=org, name="Studio A"))
    return BookingFactory(session=session, client=ClientFactory(organization=org, first_name="Ann", last_name="Lee"))


def test_the_coach_feed_is_valid_icalendar_in_the_business_zone(org, coach, booked):
    response = anonymous().get(f"/ical/coach/{coach.feed_token}.ics")
    calendar = parse(response)
    assert calendar["VERSION"] == "2.0"
    assert "Coach OS" in str(calendar["PRODID"])
    zones = list(calendar.walk("VTIMEZONE"))
    assert [str(z["TZID"]) for z in zones] == ["America/Chicago"]
    assert calendar.subcomponents[0].name == "VTIMEZONE"  # the zone comes before the events using it

    [event] = events(calendar)
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert str(start.tzinfo) == "America/Chicago"
    assert event["DTSTART"].params["TZID"] == "America/Chicago"
    assert (start.hour, start.minute) == (10, 0)
    assert start == booked.session.starts_at and end == booked.session.ends_at
    assert b"DTSTART;TZID=America/Chicago:" in response.content
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert str(event["SUMMARY"]) == "Strength · Ann Lee"
    assert str(event["LOCATION"]) == "Studio A, Gym floor"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["UID"]) == f"session-{booked.session.pk}@127.0.0.1"
    assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
    # RFC 5545 lines end with CRLF.
    assert b"\r\nBEGIN:VEVENT\r\n" in response.content


def test_the_uid_is_stable_and_the_event_follows_a_move(org, coach, booked):
    url = f"/ical/coach/{coach.feed_token}.ics"
    first = events(parse(anonymous().get(url)))[0]
    session = booked.session
    with scope(organization=org):
        TrainingSession.objects.filter(pk=session.pk).update(starts_at=session.starts_at + timedelta(hours=2),
                                                             ends_at=session.ends_at + timedelta(hours=2),
                                                             updated_at=timezone.now() + timedelta(seconds=1))
    second = events(parse(anonymous().get(url)))[0]
    assert str(first["UID"]) == str(second["UID"])
    assert second.decoded("DTSTART").hour == 12
    assert second.decoded("DTSTAMP") > first.decoded("DTSTAMP")


def test_the_coach_feed_spans_sixty_days_back_to_a_year_ahead_without_cancelled(org, coach):
    now = timezone.now()
    shown = [session_at(coach, (now - timedelta(days=59)).replace(microsecond=0)),
             session_at(coach, (now + timedelta(days=360)).replace(microsecond=0))]
    session_at(coach, now - timedelta(days=62))
    session_at(coach, now + timedelta(days=370))
    session_at(coach, next_monday_at(org, 15), status=TrainingSession.Status.CANCELLED)
    other_coach = session_at(CoachFactory(organization=org), next_monday_at(org, 9))
    uids = {str(e["UID"]) for e in events(parse(anonymous().get(f"/ical/coach/{coach.feed_token}.ics")))}
    assert uids == {f"session-{s.pk}@127.0.0.1" for s in shown}
    assert f"session-{other_coach.pk}@127.0.0.1" not in uids


def test_an_empty_feed_still_names_its_zone(org, coach):
    calendar = parse(anonymous().get(f"/ical/coach/{coach.feed_token}.ics"))
    assert events(calendar) == []
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["America/Chicago"]


def test_a_group_session_lists_its_clients(org, coach):
    session = session_at(coach, next_monday_at(org, 18), capacity=8,
                         session_type=SessionTypeFactory(organization=org, name="Bootcamp", capacity=8))
    for first in ("Ann", "Bea", "Cat", "Dee"):
        BookingFactory(session=session, client=ClientFactory(organization=org, first_name=first, last_name="X"))
    BookingFactory(session=session, client=ClientFactory(organization=org, first_name="Gone", last_name="Y"),
                   status=Booking.Status.CANCELLED_BY_CLIENT)
    [event] = events(parse(anonymous().get(f"/ical/coach/{coach.feed_token}.ics")))
    assert str(event["SUMMARY"]).startswith("Bootcamp · ")
    assert str(event["SUMMARY"]).endswith(" +1")
    assert "Gone" not in str(event["DESCRIPTION"])
    assert "4 of 8 places taken" in str(event["DESCRIPTION"])


def test_unknown_tokens_are_404(db):
    assert anonymous().get("/ical/coach/not-a-token.ics").status_code == 404
    assert anonymous().get("/ical/client/not-a-token.ics").status_code == 404


def test_resetting_the_coach_link_stops_the_old_one(org, owner, coach, booked):
    old = coach.feed_token
    web = login_as(owner)
    assert web.post(f"/o/{org.slug}/schedule/coaches/{coach.pk}/calendar-link/reset/").status_code == 302
    coach.refresh_from_db()
    assert anonymous().get(f"/ical/coach/{old}.ics").status_code == 404
    assert len(events(parse(anonymous().get(f"/ical/coach/{coach.feed_token}.ics")))) == 1


def test_the_client_feed_shows_their_bookings_with_cancelled_ones_marked(org, coach, booked):
    client = booked.client
    cancelled_session = session_at(coach, next_monday_at(org, 14, weeks=1),
                                   session_type=SessionTypeFactory(organization=org, name="Mobility"))
    BookingFactory(session=cancelled_session, client=client, status=Booking.Status.CANCELLED_BY_COACH)
    someone_else = session_at(coach, next_monday_at(org, 16))
    BookingFactory(session=someone_else)
    with scope(organization=org):
        feed = client_feed_reset(client=client, actor=None)
    calendar = parse(anonymous().get(f"/ical/client/{feed.token}.ics"))
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    by_uid = {str(e["UID"]): e for e in events(calendar)}
    assert set(by_uid) == {f"session-{booked.session.pk}@127.0.0.1", f"session-{cancelled_session.pk}@127.0.0.1"}
    kept = by_uid[f"session-{booked.session.pk}@127.0.0.1"]
    assert str(kept["SUMMARY"]) == "Strength with Jordan Reyes"
    assert str(kept["STATUS"]) == "CONFIRMED"
    assert kept.decoded("DTSTART").hour == 10
    assert str(kept.decoded("DTSTART").tzinfo) == "America/Chicago"
    gone = by_uid[f"session-{cancelled_session.pk}@127.0.0.1"]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert str(gone["SUMMARY"]) == "Cancelled: Mobility with Jordan Reyes"
    assert "Ann" not in str(kept["SUMMARY"])  # the client's own feed names the coach, not the client


def test_a_rebooked_session_shows_once_as_booked(org, coach, booked):
    with scope(organization=org):
        Booking.objects.filter(pk=booked.pk).update(status=Booking.Status.CANCELLED_BY_CLIENT)
    BookingFactory(session=booked.session, client=booked.client)
    with scope(organization=org):
        feed = client_feed_reset(client=booked.client, actor=None)
    [event] = events(parse(anonymous().get(f"/ical/client/{feed.token}.ics")))
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_token_sees_only_its_own_business(org, coach, booked):
    other = OrganizationFactory(name="Other Gym", slug="other-gym", timezone="Europe/London")
    other_user = member(other, Role.COACH)
    with scope(organization=other):
        other_coach = coach_ensure(membership=Membership.objects.get(user=other_user))
    other_session = session_at(other_coach, next_monday_at(other, 7))
    other_booking = BookingFactory(session=other_session)
    with scope(organization=other):
        other_feed = client_feed_reset(client=other_booking.client, actor=None)

    coach_feed = anonymous().get(f"/ical/coach/{other_coach.feed_token}.ics")
    uids = {str(e["UID"]) for e in events(parse(coach_feed))}
    assert uids == {f"session-{other_session.pk}@127.0.0.1"}
    assert b"Ann Lee" not in coach_feed.content
    assert b"Europe/London" in coach_feed.content and b"America/Chicago" not in coach_feed.content

    client_feed = anonymous().get(f"/ical/client/{other_feed.token}.ics")
    assert {str(e["UID"]) for e in events(parse(client_feed))} == {f"session-{other_session.pk}@127.0.0.1"}
    assert b"Strength" not in client_feed.content


def test_a_portal_client_gets_and_resets_their_link(org, booked):
    client_user = member(org, Role.CLIENT)
    client = booked.client
    with scope(organization=org):
        type(client).objects.filter(pk=client.pk).update(user=client_user)
    browser = login_as(client_user)
    url = f"/ical/{org.slug}/client/reset/"
    assert browser.get(url).status_code == 405
    response = browser.post(url, {"next": f"/portal/{org.slug}/#calendar-feed"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/portal/{org.slug}/#calendar-feed"
    with scope(organization=org):
        first = ClientFeed.objects.get(client=client).token
    assert len(events(parse(anonymous().get(f"/ical/client/{first}.ics")))) == 1

    response = browser.post(url, {"next": "https://evil.example/"})
    assert response.headers["Location"] == f"/portal/{org.slug}/"
    with scope(organization=org):
        second = ClientFeed.objects.get(client=client).token
        assert AuditEntry.objects.filter(action="client.feed_reset").count() == 1
    assert second != first
    assert anonymous().get(f"/ical/client/{first}.ics").status_code == 404
    assert anonymous().get(f"/ical/client/{second}.ics").status_code == 200


def test_the_team_and_strangers_cannot_use_the_client_reset(org, other_org, owner, booked):
    assert login_as(owner).post(f"/ical/{org.slug}/client/reset/").status_code == 403  # no client record
    stranger = member(other_org, Role.CLIENT)
    assert login_as(stranger).post(f"/ical/{org.slug}/client/reset/").status_code == 404
    with scope(organization=org):
        assert not ClientFeed.objects.exists()


def render_include(org: Organization, user: Any, **context: Any) -> str:
    request = RequestFactory().get(f"/portal/{org.slug}/")
    request.user = user
    request.organization = org
    with scope(organization=org):
        return render_to_string("scheduling/setup/_client_feed.html", context, request=request)


def test_the_portal_include_offers_a_link_then_shows_it(org, booked, settings):
    client_user = member(org, Role.CLIENT)
    with scope(organization=org):
        type(booked.client).objects.filter(pk=booked.client.pk).update(user=client_user)
    html = render_include(org, client_user)
    assert "Get my calendar link" in html
    assert f'action="/ical/{org.slug}/client/reset/"' in html
    assert "<script>" not in html
    with scope(organization=org):
        booked.client.refresh_from_db()
        feed = client_feed_reset(client=booked.client, actor=client_user)
    html = render_include(org, client_user)
    assert f"{settings.PUBLIC_BASE_URL}/ical/client/{feed.token}.ics" in html
    assert "webcal://" in html
    assert "data-confirm=" in html
    assert render_include(org, member(org, Role.CLIENT)).strip() == ""  # no client record: nothing shown
