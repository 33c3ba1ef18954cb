"""The coach's calendar: the events feed, the page, and every action of the session panel."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy.models import AuditEntry
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
    WeeklyAvailabilityFactory,
    member,
)

CHICAGO = ZoneInfo("America/Chicago")
HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db
JSON_ACCEPT = {"HTTP_ACCEPT": "application/json"}


def at(year: int, month: int, day: int, hour: int, minute: int = 0, tz: ZoneInfo = CHICAGO) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def url(org: Any, name: str, **kwargs: Any) -> str:
    return reverse(f"calendar:{name}", kwargs={"org_slug": org.slug, **kwargs})


def feed(web: DjangoClient, org: Any, start: str, end: str, **params: str) -> Any:
    return web.get(url(org, "events"), {"start": start, "end": end, **params})


def session(coach: Any, starts_at: datetime, minutes: int = 60, **kwargs: Any) -> TrainingSession:
    return TrainingSessionFactory(coach=coach, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                                  **kwargs)


def fresh(obj: Any) -> Any:
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def count(model: Any, **filters: Any) -> int:
    with scopes_disabled():
        return model.objects.filter(**filters).count()


@pytest.fixture
def coach(org: Any) -> Any:
    return CoachFactory(organization=org, display_name="Jordan Reyes")


@pytest.fixture
def pt(org: Any) -> Any:
    return SessionTypeFactory(organization=org, name="Personal training", color="#1e88e5", duration_minutes=60)


@pytest.fixture
def bootcamp(org: Any) -> Any:
    return SessionTypeFactory(organization=org, name="Bootcamp", color="#fdd835", capacity=8, duration_minutes=45)


@pytest.fixture
def olivia(org: Any) -> Any:
    return ClientFactory(organization=org, first_name="Olivia", last_name="Martinez")


@pytest.fixture
def booked(coach: Any, pt: Any, olivia: Any) -> TrainingSession:
    """Olivia's one-to-one, next year on 1 July at 10:00 Chicago time."""
    s = session(coach, at(2030, 7, 1, 10), session_type=pt)
    BookingFactory(session=s, client=olivia)
    return s


@pytest.fixture
def started(coach: Any, pt: Any, olivia: Any) -> TrainingSession:
    s = session(coach, (timezone.now() - timedelta(hours=2)).replace(microsecond=0), session_type=pt)
    BookingFactory(session=s, client=olivia)
    return s


# --- the feed ---------------------------------------------------------------------------------------

def test_feed_returns_exactly_the_sessions_overlapping_the_range(web, org, coach, pt):
    # FullCalendar asks for the week of Mon 1 July 2030 in the business's zone, without offsets.
    start, end = at(2030, 7, 1, 0), at(2030, 7, 8, 0)
    inside = session(coach, at(2030, 7, 3, 9), session_type=pt)
    across_start = session(coach, start - timedelta(minutes=30), session_type=pt)
    across_end = session(coach, end - timedelta(minutes=30), session_type=pt)
    # A coach cannot hold overlapping sessions: the two touching the range's ends are another's.
    neighbour = CoachFactory(organization=org)
    ends_at_start = session(neighbour, start - timedelta(hours=1), session_type=pt)
    starts_at_end = session(neighbour, end, session_type=pt)
    other_coach = session(CoachFactory(organization=org), at(2030, 7, 4, 9), session_type=pt)
    cancelled = session(coach, at(2030, 7, 5, 9), session_type=pt, status=TrainingSession.Status.CANCELLED)
    session(coach, at(2030, 6, 20, 9), session_type=pt)
    session(coach, at(2030, 7, 20, 9), session_type=pt)

    response = feed(web, org, "2030-07-01T00:00:00", "2030-07-08T00:00:00")
    assert response.status_code == 200
    ids = {int(e["id"]) for e in response.json()}
    assert ids == {inside.pk, across_start.pk, across_end.pk, other_coach.pk, cancelled.pk}, ids
    assert ends_at_start.pk not in ids and starts_at_end.pk not in ids

    only_coach = {int(e["id"]) for e in feed(web, org, "2030-07-01T00:00:00", "2030-07-08T00:00:00",
                                               coach=str(coach.pk)).json()}
    assert only_coach == {inside.pk, across_start.pk, across_end.pk, cancelled.pk}
    without_cancelled = {int(e["id"]) for e in feed(web, org, "2030-07-01T00:00:00", "2030-07-08T00:00:00",
                                                      cancelled="0").json()}
    assert cancelled.pk not in without_cancelled and inside.pk in without_cancelled


def test_feed_reads_a_range_without_offset_in_the_business_zone(web, org, coach, pt):
    # 23:30 Chicago on 30 June is 04:30 UTC on 1 July: outside a week that starts on 1 July locally.
    late = session(coach, at(2030, 6, 30, 23, 30), minutes=30, session_type=pt)
    ids = {int(e["id"]) for e in feed(web, org, "2030-07-01T00:00:00", "2030-07-02T00:00:00").json()}
    assert late.pk not in ids
    ids = {int(e["id"]) for e in feed(web, org, "2030-06-30T00:00:00", "2030-07-01T00:00:00").json()}
    assert late.pk in ids
    # The same range with explicit offsets, and a bare date, give the same answer.
    ids = {int(e["id"]) for e in feed(web, org, "2030-06-30T00:00:00-05:00", "2030-07-01T00:00:00-05:00").json()}
    assert late.pk in ids
    ids = {int(e["id"]) for e in feed(web, org, "2030-06-30", "2030-07-01").json()}
    assert late.pk in ids


def test_feed_describes_each_session(web, org, coach, pt, bootcamp, olivia):
    room = RoomFactory(organization=org, name="Studio A")
    one = session(coach, at(2030, 7, 1, 10), session_type=pt, room=room)
    BookingFactory(session=one, client=olivia, client_confirmed_at=timezone.now())
    group = session(coach, at(2030, 7, 2, 18), minutes=45, session_type=bootcamp, capacity=8)
    for _ in range(3):
        BookingFactory(session=group, client_confirmed_at=timezone.now())
    BookingFactory(session=group, status=Booking.Status.CANCELLED_BY_CLIENT)
    unconfirmed = session(coach, at(2030, 7, 3, 10), session_type=pt)
    BookingFactory(session=unconfirmed)
    done = session(coach, at(2030, 7, 4, 10), session_type=pt, status=TrainingSession.Status.COMPLETED)
    no_show = session(coach, at(2030, 7, 4, 12), session_type=pt, status=TrainingSession.Status.NO_SHOW)

    events = {int(e["id"]): e for e in feed(web, org, "2030-07-01T00:00:00", "2030-07-08T00:00:00").json()}

    e = events[one.pk]
    assert e["title"] == "Olivia Martinez"
    assert e["start"] == "2030-07-01T10:00:00-05:00" and e["end"] == "2030-07-01T11:00:00-05:00"
    assert e["backgroundColor"] == "#1e88e5" and e["textColor"] in {"#ffffff", "#1b1b1b"}
    assert e["editable"] is True
    assert e["classNames"] == ["cal-status-scheduled", "cal-confirmed"]
    assert e["extendedProps"]["confirmed"] is True
    assert e["extendedProps"]["room"] == "Studio A"
    assert e["extendedProps"]["sessionType"] == "Personal training"
    assert e["extendedProps"]["coach"] == "Jordan Reyes"
    assert e["url"] == url(org, "session", session_id=one.pk)

    g = events[group.pk]
    assert g["title"] == "Bootcamp"
    assert g["extendedProps"]["spots"] == "3/8"  # the cancelled booking does not count
    assert g["extendedProps"]["confirmed"] is True
    assert g["textColor"] == "#1b1b1b"  # dark text on yellow

    assert events[unconfirmed.pk]["extendedProps"]["confirmed"] is False
    assert "cal-confirmed" not in events[unconfirmed.pk]["classNames"]
    assert events[done.pk]["classNames"][0] == "cal-status-completed" and events[done.pk]["editable"] is False
    assert events[no_show.pk]["classNames"][0] == "cal-status-no-show"
    assert events[no_show.pk]["extendedProps"]["statusLabel"] == "No-show"


def test_feed_shows_a_london_summer_session_at_10_local_with_its_offset():
    org = OrganizationFactory(slug="london-gym", timezone="Europe/London")
    web = login_as(member(org, Role.OWNER))
    london = ZoneInfo("Europe/London")
    coach = CoachFactory(organization=org)
    summer = session(coach, at(2030, 7, 1, 10, tz=london))
    winter = session(coach, at(2030, 1, 7, 10, tz=london))
    assert summer.starts_at.astimezone(UTC).hour == 9

    events = feed(web, org, "2030-07-01T00:00:00", "2030-07-02T00:00:00").json()
    assert [e["start"] for e in events] == ["2030-07-01T10:00:00+01:00"]
    events = feed(web, org, "2030-01-07T00:00:00", "2030-01-08T00:00:00").json()
    assert [(int(e["id"]), e["start"]) for e in events] == [(winter.pk, "2030-01-07T10:00:00+00:00")]
    # An offset whose "+" was not encoded arrives as a space; it is still read as an offset.
    response = web.get(url(org, "events") + "?start=2030-07-01T10:00:00+01:00&end=2030-07-01T11:00:00+01:00")
    assert [int(e["id"]) for e in response.json()] == [summer.pk]


def test_feed_takes_a_constant_number_of_queries(web, org, coach, pt, bootcamp):
    def make(n: int, offset: int) -> None:
        for i in range(n):
            s = session(coach, at(2030, 7, 1, 6) + timedelta(minutes=75 * (offset + i)), session_type=bootcamp,
                        capacity=8, room=RoomFactory(organization=org) if i % 3 == 0 else None)
            BookingFactory(session=s)
            BookingFactory(session=s, client_confirmed_at=timezone.now())

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = feed(web, org, "2030-07-01T00:00:00", "2030-08-01T00:00:00", coach=str(coach.pk))
        assert response.status_code == 200
        return len(response.json()), len(ctx.captured_queries)

    measure()  # the first request of a login also records the browser session
    make(10, 0)
    few, queries_for_few = measure()
    make(190, 10)
    many, queries_for_many = measure()
    assert (few, many) == (10, 200)
    assert queries_for_many == queries_for_few, f"{queries_for_few} queries for 10 sessions, {queries_for_many} for 200"


@pytest.mark.parametrize("params", [
    {},
    {"start": "2030-07-01T00:00:00"},
    {"start": "next monday", "end": "2030-07-08T00:00:00"},
    {"start": "2030-13-01T00:00:00", "end": "2030-07-08T00:00:00"},
    {"start": "2030-07-08T00:00:00", "end": "2030-07-01T00:00:00"},
    {"start": "2030-07-01T00:00:00", "end": "2030-07-01T00:00:00"},
    {"start": "2030-01-01T00:00:00", "end": "2031-01-01T00:00:00"},
    {"start": "0001-01-01T00:00:00+14:00", "end": "0001-01-02T00:00:00+14:00"},
    {"start": "2030-07-01T00:00:00", "end": "2030-07-08T00:00:00", "coach": "abc"},
    {"start": "2030-07-01T00:00:00", "end": "2030-07-08T00:00:00", "coach": "99999999"},
    {"start": "2030-07-01T00:00:00", "end": "2030-07-08T00:00:00", "coach": "9" * 40},
])
def test_feed_refuses_a_bad_range_with_a_400_message(web, org, coach, params):
    response = web.get(url(org, "events"), params)
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 400 and body["detail"]


def test_feed_refuses_another_business_coach(web, org, coach):
    outsider = CoachFactory(organization=OrganizationFactory())
    response = feed(web, org, "2030-07-01T00:00:00", "2030-07-08T00:00:00", coach=str(outsider.pk))
    assert response.status_code == 400


# --- the page -------------------------------------------------------------------------------------

def test_page_sets_up_the_calendar_in_the_business_zone(web, org, coach, pt):
    WeeklyAvailabilityFactory(coach=coach, weekday=0)
    response = web.get(url(org, "index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-time-zone="America/Chicago"' in html
    assert f'data-events-url="{url(org, "events")}"' in html
    assert 'id="calendar-business-hours"' in html and '"daysOfWeek": [1]' in html
    assert "vendor/fullcalendar.min.js" in html and "coachos/calendar.js" in html
    assert "Next step" not in html
    # Nav: the Calendar item is there and current.
    assert f'href="{url(org, "index")}" aria-current="page"' in html
    # The CSP admits FullCalendar's empty <style> element and its data: icon font, nothing more.
    csp = {d.split()[0]: d.split()[1:] for d in response.headers["Content-Security-Policy"].split("; ")}
    assert csp["style-src"] == ["'self'", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"]
    assert csp["font-src"] == ["'self'", "data:"]
    assert csp["script-src"] == ["'self'"]


def test_the_coach_filter_defaults_to_the_coach_themselves_and_to_everyone_for_others(org, coach, owner):
    CoachFactory(organization=org, display_name="Sam Other")
    as_coach = login_as(coach.membership.user).get(url(org, "index")).content.decode()
    assert f'<option value="{coach.pk}" selected>' in as_coach
    as_owner = DjangoClient()
    as_owner.force_login(owner)
    html = as_owner.get(url(org, "index")).content.decode()
    assert " selected>" not in html.split('id="calendar-coach"')[1].split("</select>")[0]
    # The coach may still look at everyone.
    html = login_as(coach.membership.user).get(url(org, "index"), {"coach": ""}).content.decode()
    assert f'<option value="{coach.pk}" selected>' not in html


def test_empty_state_points_to_the_schedule_setup(web, org):
    html = web.get(url(org, "index")).content.decode()
    assert "No one takes bookings yet" in html
    assert f'href="/o/{org.slug}/schedule/"' in html
    assert 'id="calendar"' not in html

    coach = CoachFactory(organization=org)
    SessionTypeFactory(organization=org)
    html = web.get(url(org, "index")).content.decode()
    assert "Next step: set up your schedule." in html and f'href="/o/{org.slug}/schedule/"' in html
    assert 'id="calendar"' in html

    WeeklyAvailabilityFactory(coach=coach)
    assert "Next step" not in web.get(url(org, "index")).content.decode()


# --- creating a session ---------------------------------------------------------------------------

def test_new_form_is_prefilled_from_the_selected_slot(web, org, coach, pt, olivia):
    response = web.get(url(org, "new"), {"start": "2030-07-01T10:00:00", "coach": str(coach.pk)}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="2030-07-01T10:00"' in html
    assert "<html" not in html  # the panel alone for the dialog
    assert "Olivia Martinez" in html and "Personal training" in html
    # FullCalendar's own strings carry an offset: 16:00 in London is 10:00 in Chicago.
    html = web.get(url(org, "new"), {"start": "2030-07-01T16:00:00+01:00"}, **HTMX).content.decode()
    assert 'value="2030-07-01T10:00"' in html
    # A day picked in the month view starts at 09:00; without htmx it is a whole page.
    response = web.get(url(org, "new"), {"start": "2030-07-02"})
    assert 'value="2030-07-02T09:00"' in response.content.decode() and "<html" in response.content.decode()


def test_new_form_without_a_time_starts_at_the_next_full_hour(owner, org, coach, pt):
    with time_machine.travel(at(2030, 7, 1, 14, 20), tick=False):
        web = login_as(owner)
        html = web.get(url(org, "new"), **HTMX).content.decode()
        assert 'value="2030-07-01T15:00"' in html
        # The button on another day shown in the calendar: that day at 09:00.
        html = web.get(url(org, "new"), {"start": "2030-07-03"}, **HTMX).content.decode()
        assert 'value="2030-07-03T09:00"' in html
    with time_machine.travel(at(2030, 7, 1, 23, 40), tick=False):
        web = login_as(owner)
        html = web.get(url(org, "new"), {"start": "2030-07-01"}, **HTMX).content.decode()
        assert 'value="2030-07-02T09:00"' in html


def _new(coach: Any, session_type: Any, client: Any = None, starts_at: str = "2030-07-01T10:00", **extra: Any) -> dict:
    return {"client": client.pk if client else "", "session_type": session_type.pk, "coach": coach.pk,
            "starts_at": starts_at, "room": "", "note": "", **extra}


def test_coach_books_a_client_into_an_empty_slot(web, org, coach, pt, olivia, owner):
    room = RoomFactory(organization=org, name="Studio B")
    response = web.post(url(org, "new"), _new(coach, pt, olivia, room=room.pk, note="Bring the kettlebell"), **HTMX)
    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"]) == {"calendar:changed": True}
    with scopes_disabled():
        created = TrainingSession.objects.get()
        booking = created.bookings.get()
    assert created.starts_at == at(2030, 7, 1, 10) and created.ends_at == at(2030, 7, 1, 11)
    assert created.coach == coach and created.room == room and created.session_type == pt
    assert booking.client == olivia and booking.note == "Bring the kettlebell"
    html = response.content.decode()
    assert "Booked Olivia Martinez for" in html and 'id="calendar-panel-title"' in html
    assert count(AuditEntry, action="booking.created", actor=owner) == 1


def test_a_group_class_can_be_created_without_a_client(web, org, coach, bootcamp):
    response = web.post(url(org, "new"), _new(coach, bootcamp, note="Outdoor if dry"), **HTMX)
    assert response.status_code == 200
    with scopes_disabled():
        created = TrainingSession.objects.get()
        assert created.bookings.count() == 0
    assert created.capacity == 8 and created.notes == "Outdoor if dry"
    assert "Bootcamp added for" in response.content.decode()


def test_a_one_to_one_needs_a_client(web, org, coach, pt):
    response = web.post(url(org, "new"), _new(coach, pt), **HTMX)
    assert response.status_code == 422
    assert "Only a group class can be created without one." in response.content.decode()
    assert count(TrainingSession) == 0


def test_an_overlapping_booking_is_refused_and_the_typed_values_are_kept(web, org, coach, pt, olivia, booked):
    other = ClientFactory(organization=org, first_name="Liam", last_name="Johnson")
    before = count(Booking)
    response = web.post(url(org, "new"), _new(coach, pt, other, starts_at="2030-07-01T10:30", note="Knee rehab"),
                        **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The coach already has a session at that time." in html
    assert 'value="2030-07-01T10:30"' in html and "Knee rehab" in html
    assert f'<option value="{other.pk}" selected>' in html
    assert "HX-Trigger" not in response.headers
    assert count(TrainingSession) == 1 and count(Booking) == before


def test_a_time_skipped_by_the_clocks_changing_is_refused(web, org, coach, pt, olivia):
    # Chicago springs forward at 02:00 on Sunday 10 March 2030: 02:30 does not exist.
    response = web.post(url(org, "new"), _new(coach, pt, olivia, starts_at="2030-03-10T02:30"), **HTMX)
    assert response.status_code == 422
    assert "America/Chicago" in response.content.decode()
    assert count(TrainingSession) == 0


def test_without_htmx_creating_redirects_to_the_session(web, org, coach, pt, olivia):
    response = web.post(url(org, "new"), _new(coach, pt, olivia))
    with scopes_disabled():
        created = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == url(org, "session", session_id=created.pk)
    page = web.get(response.headers["Location"]).content.decode()
    assert "Booked Olivia Martinez for" in page and "Back to the calendar" in page


# --- the session panel ----------------------------------------------------------------------------

def test_panel_shows_clients_type_time_room_status_and_notes(web, org, coach, pt, olivia):
    room = RoomFactory(organization=org, name="Studio A")
    s = session(coach, at(2030, 7, 1, 10), session_type=pt, room=room, notes="Left knee: no deep squats")
    BookingFactory(session=s, client=olivia, client_confirmed_at=timezone.now(), note="Running late maybe")
    response = web.get(url(org, "session", session_id=s.pk), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Olivia Martinez", "Personal training", "Studio A", "Scheduled", "Jordan Reyes", "Monday, July 1, 2030",
                 "10:00\u202fAM–11:00\u202fAM", "Running late maybe", "Confirmed by the client",
                 "America/Chicago"):
        assert text in html, text
    assert url(org, "cancel", session_id=s.pk) in html and url(org, "move", session_id=s.pk) in html
    assert 'value="2030-07-01T10:00"' in html  # the move form starts from the current time
    # The session's notes are Notes' part of the panel (scheduling/panel_sections.py), loaded on its own.
    assert f'hx-get="/o/{org.slug}/notes/sessions/{s.pk}/panel/"' in html
    # Complete and No-show only once the session has started.
    assert url(org, "complete", session_id=s.pk) not in html
    assert url(org, "no_show", session_id=s.pk) not in html


def test_panel_of_a_started_session_offers_complete_and_no_show(web, org, started):
    html = web.get(url(org, "session", session_id=started.pk), **HTMX).content.decode()
    assert url(org, "complete", session_id=started.pk) in html
    assert url(org, "no_show", session_id=started.pk) in html


def test_complete(web, org, started, owner):
    response = web.post(url(org, "complete", session_id=started.pk), **HTMX)
    assert response.status_code == 200 and "Marked as completed." in response.content.decode()
    assert "calendar:changed" in response.headers["HX-Trigger"]
    assert fresh(started).status == TrainingSession.Status.COMPLETED
    with scopes_disabled():
        assert set(started.bookings.values_list("status", flat=True)) == {Booking.Status.COMPLETED}
    assert count(AuditEntry, action="session.completed", actor=owner) == 1


def test_complete_before_the_start_is_refused(web, org, booked):
    response = web.post(url(org, "complete", session_id=booked.pk), **HTMX)
    assert response.status_code == 422
    assert "A session can be marked only once it has started." in response.content.decode()
    assert fresh(booked).status == TrainingSession.Status.SCHEDULED


def test_no_show(web, org, started):
    response = web.post(url(org, "no_show", session_id=started.pk), **HTMX)
    assert response.status_code == 200 and "Marked as a no-show." in response.content.decode()
    assert fresh(started).status == TrainingSession.Status.NO_SHOW


def test_no_show_of_a_cancelled_session_is_refused(web, org, coach, pt):
    s = session(coach, timezone.now() - timedelta(hours=3), session_type=pt, status=TrainingSession.Status.CANCELLED)
    response = web.post(url(org, "no_show", session_id=s.pk), **HTMX)
    assert response.status_code == 422
    assert "A cancelled session cannot be marked." in response.content.decode()
    assert fresh(s).status == TrainingSession.Status.CANCELLED


def test_cancel_asks_first_then_cancels_with_the_reason(web, org, booked, owner):
    ask = web.get(url(org, "cancel", session_id=booked.pk), **HTMX)
    assert ask.status_code == 200
    html = ask.content.decode()
    assert "Cancel this session?" in html and 'name="reason"' in html and "Keep it" in html
    assert fresh(booked).status == TrainingSession.Status.SCHEDULED  # asking changes nothing

    response = web.post(url(org, "cancel", session_id=booked.pk), {"reason": "Coach is ill"}, **HTMX)
    assert response.status_code == 200 and "Session cancelled." in response.content.decode()
    assert fresh(booked).status == TrainingSession.Status.CANCELLED
    with scopes_disabled():
        assert list(booked.bookings.values_list("status", flat=True)) == [Booking.Status.CANCELLED_BY_COACH]
        entry = AuditEntry.objects.get(action="session.cancelled")
    assert entry.actor == owner and entry.data["reason"] == "Coach is ill"


def test_cancelling_twice_is_refused_and_changes_nothing(web, org, booked):
    web.post(url(org, "cancel", session_id=booked.pk), **HTMX)
    first = fresh(booked).cancelled_at
    response = web.post(url(org, "cancel", session_id=booked.pk), **HTMX)
    assert response.status_code == 422
    assert "This session is already cancelled." in response.content.decode()
    assert fresh(booked).cancelled_at == first
    assert count(AuditEntry, action="session.cancelled") == 1


def test_move_with_the_form(web, org, booked):
    response = web.post(url(org, "move", session_id=booked.pk), {"starts_at": "2030-07-02T14:00"}, **HTMX)
    assert response.status_code == 200 and "Moved to" in response.content.decode()
    moved = fresh(booked)
    assert (moved.starts_at, moved.ends_at) == (at(2030, 7, 2, 14), at(2030, 7, 2, 15))


def test_move_onto_another_session_is_refused_and_keeps_the_typed_time(web, org, coach, pt, booked):
    session(coach, at(2030, 7, 2, 14), session_type=pt)
    response = web.post(url(org, "move", session_id=booked.pk), {"starts_at": "2030-07-02T14:30"}, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The coach already has a session at that time." in html and 'value="2030-07-02T14:30"' in html
    assert fresh(booked).starts_at == at(2030, 7, 1, 10)


def test_drag_and_drop_move_answers_json(web, org, coach, pt, booked):
    # FullCalendar sends the dropped start with the zone's offset.
    # (The coach has no weekly hours: every time is outside them, confirmed with outside_hours_ok.)
    response = web.post(url(org, "move", session_id=booked.pk),
                        {"starts_at": "2030-07-03T09:30:00-05:00", "outside_hours_ok": "1"}, **JSON_ACCEPT)
    assert response.status_code == 200
    body = response.json()
    assert body["message"].startswith("Moved to")
    assert body["event"]["start"] == "2030-07-03T09:30:00-05:00"
    assert fresh(booked).starts_at == at(2030, 7, 3, 9, 30)

    session(coach, at(2030, 7, 4, 9), session_type=pt)
    refused = web.post(url(org, "move", session_id=booked.pk),
                       {"starts_at": "2030-07-04T09:00:00-05:00", "outside_hours_ok": "1"}, **JSON_ACCEPT)
    assert refused.status_code == 409
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["detail"] == "The coach already has a session at that time."
    assert fresh(booked).starts_at == at(2030, 7, 3, 9, 30)

    garbage = web.post(url(org, "move", session_id=booked.pk), {"starts_at": "soon"}, **JSON_ACCEPT)
    assert garbage.status_code == 400 and garbage.json()["detail"]
    assert fresh(booked).starts_at == at(2030, 7, 3, 9, 30)


def test_a_completed_session_cannot_be_moved(web, org, coach, pt):
    s = session(coach, at(2030, 7, 1, 10), session_type=pt, status=TrainingSession.Status.COMPLETED)
    response = web.post(url(org, "move", session_id=s.pk), {"starts_at": "2030-07-01T12:00:00-05:00"},
                        **JSON_ACCEPT)
    assert response.status_code == 400
    assert response.json()["detail"] == "Only a scheduled session can be moved."
    assert fresh(s).starts_at == at(2030, 7, 1, 10)


def test_without_htmx_an_action_redirects_back_to_the_session(web, org, booked):
    response = web.post(url(org, "cancel", session_id=booked.pk), {"reason": "Plain form"})
    assert response.status_code == 302
    assert response.headers["Location"] == url(org, "session", session_id=booked.pk)
    assert fresh(booked).status == TrainingSession.Status.CANCELLED


# --- who may ----------------------------------------------------------------------------------------

def _routes(org: Any, s: TrainingSession) -> list[tuple[str, str, dict[str, str]]]:
    return [
        ("get", url(org, "index"), {}),
        ("get", url(org, "events"), {"start": "2030-07-01", "end": "2030-07-08"}),
        ("get", url(org, "new"), {}),
        ("post", url(org, "new"), {}),
        ("get", url(org, "session", session_id=s.pk), {}),
        ("get", url(org, "cancel", session_id=s.pk), {}),
        ("post", url(org, "cancel", session_id=s.pk), {}),
        ("post", url(org, "move", session_id=s.pk), {"starts_at": "2030-07-02T10:00"}),
        ("post", url(org, "complete", session_id=s.pk), {}),
        ("post", url(org, "no_show", session_id=s.pk), {}),
    ]


def test_clients_are_refused_everywhere_and_nothing_changes(org, booked):
    client_user = member(org, Role.CLIENT)
    browser = login_as(client_user)
    for method, path, data in _routes(org, booked):
        assert getattr(browser, method)(path, data).status_code == 403, (method, path)
    after = fresh(booked)
    assert (after.status, after.starts_at, after.notes) == (TrainingSession.Status.SCHEDULED, booked.starts_at, "")


def test_anonymous_visitors_are_sent_to_log_in(org, booked):
    for method, path, data in _routes(org, booked):
        response = getattr(DjangoClient(), method)(path, data)
        assert response.status_code == 302 and "/accounts/login/" in response.headers["Location"], (method, path)


def test_another_business_session_is_a_404(web, org):
    elsewhere = TrainingSessionFactory(coach=CoachFactory(organization=OrganizationFactory()))
    for method, path, data in _routes(org, elsewhere)[4:]:
        assert getattr(web, method)(path, data).status_code == 404, (method, path)
    assert fresh(elsewhere).status == TrainingSession.Status.SCHEDULED


@pytest.mark.parametrize("role", [Role.STAFF, Role.COACH, Role.OWNER])
def test_front_desk_coaches_and_owners_can_book_and_cancel(org, coach, pt, olivia, role):
    browser = login_as(member(org, role))
    assert browser.get(url(org, "index")).status_code == 200
    response = browser.post(url(org, "new"), _new(coach, pt, olivia), **HTMX)
    assert response.status_code == 200
    with scopes_disabled():
        created = TrainingSession.objects.get()
    response = browser.post(url(org, "cancel", session_id=created.pk), {"reason": ""}, **HTMX)
    assert response.status_code == 200
    assert fresh(created).status == TrainingSession.Status.CANCELLED


def test_actions_need_the_csrf_token(owner, org, booked):
    browser = DjangoClient(enforce_csrf_checks=True)
    browser.force_login(owner)
    response = browser.post(url(org, "cancel", session_id=booked.pk), **HTMX)
    assert response.status_code == 403
    assert fresh(booked).status == TrainingSession.Status.SCHEDULED
