"""The calendar and the scheduling API for a coach the owner limited to their own clients
(``clients_visible_to``): another coach's client's session is a busy slot without a name (its page a
404), a group session shows only their own clients, and changes that reach other coaches' clients
are refused. The API leaves those clients' ids out, and booking one of them is a 404 problem."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from coachos.scheduling.models import (
    Booking,
    Coach,
    RecurringBooking,
    SessionType,
    SkippedOccurrence,
    TrainingSession,
)
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import bearer, login_as
from ..factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    RecurringBookingFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
    member,
)

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
HTMX = {"HTTP_HX_REQUEST": "true"}
SECRETS = ("Otto", "+13125550199", "Bad knee", "Wants the early slot")


def at(day: int, hour: int) -> datetime:
    return datetime(2030, 7, day, hour, tzinfo=CHICAGO)


@dataclass
class Studio:
    org: Organization
    maya: Any  # the limited coach's user
    maya_coach: Coach
    sam_coach: Coach
    zoe: Any  # Maya's client
    otto: Any  # Sam's client
    pt: SessionType
    own: TrainingSession  # Maya with Zoe
    theirs: TrainingSession  # Sam with Otto
    group: TrainingSession  # Maya's bootcamp: Zoe and Otto
    otto_booking: Booking
    otto_recurring: RecurringBooking


@pytest.fixture(autouse=True)
def _now(time_machine: Any) -> None:
    time_machine.move_to(datetime(2030, 6, 28, 9, tzinfo=CHICAGO), tick=False)


@pytest.fixture
def studio(org: Organization, owner: Any) -> Studio:
    maya = member(org, Role.COACH, email="maya@example.com", name="Maya Coach")
    with scope(organization=org):
        mine = Membership.objects.get(user=maya)
        mine.sees_all_clients = False
        mine.save()
    maya_coach = CoachFactory(organization=org, membership=mine, display_name="Maya Coach")
    sam_coach = CoachFactory(organization=org, display_name="Sam Other")
    WeeklyAvailabilityFactory(coach=maya_coach, weekday=0, start_time=time(9), end_time=time(17))
    zoe = ClientFactory(organization=org, first_name="Zoe", last_name="Allen", coach_membership=mine)
    otto = ClientFactory(organization=org, first_name="Otto", last_name="Other", phone="+13125550199",
                         coach_membership=sam_coach.membership)
    pt = SessionTypeFactory(organization=org, name="Personal training")
    bootcamp = SessionTypeFactory(organization=org, name="Bootcamp", capacity=8)

    def session(coach: Coach, starts_at: datetime, session_type: SessionType, **kwargs: Any) -> TrainingSession:
        return TrainingSessionFactory(coach=coach, session_type=session_type, starts_at=starts_at,
                                      ends_at=starts_at + timedelta(hours=1), **kwargs)

    own = session(maya_coach, at(2, 10), pt)
    BookingFactory(session=own, client=zoe)
    theirs = session(sam_coach, at(2, 12), pt, notes="Bad knee")
    otto_booking = BookingFactory(session=theirs, client=otto, note="Wants the early slot")
    group = session(maya_coach, at(3, 18), bootcamp, capacity=8)
    BookingFactory(session=group, client=zoe)
    BookingFactory(session=group, client=otto, note="Wants the early slot")
    otto_recurring = RecurringBookingFactory(coach=sam_coach, client=otto, session_type=pt)
    return Studio(org=org, maya=maya, maya_coach=maya_coach, sam_coach=sam_coach, zoe=zoe, otto=otto, pt=pt,
                  own=own, theirs=theirs, group=group, otto_booking=otto_booking, otto_recurring=otto_recurring)


def url(org: Organization, name: str, **kwargs: Any) -> str:
    return reverse(f"calendar:{name}", kwargs={"org_slug": org.slug, **kwargs})


def fresh(obj: Any) -> Any:
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


# --- the calendar -------------------------------------------------------------------------------

def test_feed_shows_another_coachs_clients_session_as_busy(studio: Studio, owner: Any) -> None:
    week = {"start": "2030-07-01T00:00:00", "end": "2030-07-08T00:00:00"}
    response = login_as(studio.maya).get(url(studio.org, "events"), week)
    assert response.status_code == 200
    assert leaks(response.content.decode()) == []
    events = {int(e["id"]): e for e in response.json()}
    busy = events[studio.theirs.pk]
    assert (busy["title"], busy["url"], busy["editable"]) == ("Busy", "", False)
    assert events[studio.own.pk]["title"] == "Zoe Allen" and events[studio.own.pk]["url"]
    group = events[studio.group.pk]
    assert (group["title"], group["extendedProps"]["spots"]) == ("Bootcamp", "2/8")
    assert group["editable"] is False  # moving it would move Otto too

    everything = login_as(owner).get(url(studio.org, "events"), week).json()
    assert {int(e["id"]): e["title"] for e in everything}[studio.theirs.pk] == "Otto Other"


def test_day_view_names_only_their_own_clients(studio: Studio) -> None:
    page = login_as(studio.maya).get(url(studio.org, "day"), {"date": "2030-07-02", "coach": "all"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Zoe Allen" in body and "Busy" in body
    assert leaks(body) == []
    assert url(studio.org, "session", session_id=studio.theirs.pk) not in body


def test_another_coachs_clients_session_page_and_actions_are_404(studio: Studio) -> None:
    web = login_as(studio.maya)
    session_id = studio.theirs.pk
    assert web.get(url(studio.org, "session", session_id=session_id)).status_code == 404
    assert web.get(url(studio.org, "session", session_id=session_id), **HTMX).status_code == 404
    assert web.get(url(studio.org, "cancel", session_id=session_id)).status_code == 404
    posts = {"move": {"starts_at": "2030-07-01T11:00"}, "complete": {}, "no_show": {},
             "cancel": {"reason": "x"}}
    for name, data in posts.items():
        assert web.post(url(studio.org, name, session_id=session_id), data).status_code == 404, name
    theirs = fresh(studio.theirs)
    assert (theirs.status, theirs.starts_at, theirs.notes) == (TrainingSession.Status.SCHEDULED, at(2, 12), "Bad knee")
    assert fresh(studio.otto_booking).status == Booking.Status.CONFIRMED


def test_group_panel_lists_only_their_own_clients_and_refuses_changes(studio: Studio) -> None:
    web = login_as(studio.maya)
    panel = web.get(url(studio.org, "session", session_id=studio.group.pk), **HTMX)
    assert panel.status_code == 200
    body = panel.content.decode()
    assert "Zoe Allen" in body and leaks(body) == []
    assert [b.client_id for b in panel.context["bookings"]] == [studio.zoe.pk]
    assert panel.context["taken"] == 2
    assert not (panel.context["can_change"] or panel.context["can_complete"] or panel.context["can_no_show"])

    cancel = web.post(url(studio.org, "cancel", session_id=studio.group.pk), {"reason": ""}, **HTMX)
    assert cancel.status_code == 403 and leaks(cancel.content.decode()) == []
    moved = web.post(url(studio.org, "move", session_id=studio.group.pk), {"starts_at": "2030-07-03T19:00"},
                     HTTP_ACCEPT="application/json")
    assert moved.status_code == 403
    group = fresh(studio.group)
    assert (group.status, group.starts_at) == (TrainingSession.Status.SCHEDULED, at(3, 18))


def test_their_own_clients_session_still_works(studio: Studio) -> None:
    web = login_as(studio.maya)
    panel = web.get(url(studio.org, "session", session_id=studio.own.pk), **HTMX)
    assert panel.status_code == 200 and panel.context["can_change"]
    moved = web.post(url(studio.org, "move", session_id=studio.own.pk), {"starts_at": "2030-07-01T11:00"}, **HTMX)
    assert moved.status_code == 200
    assert fresh(studio.own).starts_at == at(1, 11)


def test_new_session_form_offers_and_books_only_their_own_clients(studio: Studio) -> None:
    web = login_as(studio.maya)
    form = web.get(url(studio.org, "new"), **HTMX).context["form"]
    assert set(form.fields["client"].queryset) == {studio.zoe}
    with scopes_disabled():
        before = Booking.objects.count()
    response = web.post(url(studio.org, "new"), {
        "client": studio.otto.pk, "session_type": studio.pt.pk, "coach": studio.maya_coach.pk,
        "starts_at": "2030-07-01T10:00"}, **HTMX)
    assert response.status_code == 422
    assert leaks(response.content.decode()) == []
    with scopes_disabled():
        assert Booking.objects.count() == before


# --- the API --------------------------------------------------------------------------------------

def api_call(method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    kwargs: dict[str, Any] = dict(headers)
    if method != "get":
        kwargs.update(data=json.dumps(body or {}), content_type="application/json")
    return getattr(DjangoClient(), method)(path, **kwargs)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()  # type: ignore[no-any-return]


def test_api_sessions_leave_out_other_coaches_clients(studio: Studio) -> None:
    headers = bearer(studio.maya, studio.org)
    listed = api_call("get", "/api/v1/sessions?start=2030-07-01&end=2030-07-07", headers)
    assert listed.status_code == 200
    sessions = {s["id"]: s for s in listed.json()}
    assert set(sessions) == {studio.own.pk, studio.theirs.pk, studio.group.pk}
    clients = {b["client"] for s in sessions.values() for b in s["bookings"]}
    assert clients == {studio.zoe.pk}
    assert sessions[studio.theirs.pk]["bookings"] == [] and sessions[studio.theirs.pk]["spots_left"] == 0
    assert sessions[studio.group.pk]["spots_left"] == 6
    one = api_call("get", f"/api/v1/sessions/{studio.group.pk}", headers).json()
    assert [b["client"] for b in one["bookings"]] == [studio.zoe.pk]


def test_api_refuses_changes_to_sessions_with_other_coaches_clients(studio: Studio) -> None:
    headers = bearer(studio.maya, studio.org)
    for session in (studio.theirs, studio.group):
        for action, body in (("cancel", {}), ("move", {"starts_at": "2030-07-05T10:00:00-05:00"}),
                             ("complete", None), ("no-show", None)):
            assert_problem(api_call("post", f"/api/v1/sessions/{session.pk}/{action}", headers, body), 403)
        assert fresh(session).status == TrainingSession.Status.SCHEDULED


def test_api_another_coachs_clients_booking_is_404(studio: Studio) -> None:
    headers = bearer(studio.maya, studio.org)
    booking_id = studio.otto_booking.pk
    assert_problem(api_call("get", f"/api/v1/bookings/{booking_id}", headers), 404)
    assert_problem(api_call("post", f"/api/v1/bookings/{booking_id}/cancel", headers), 404)
    assert_problem(api_call("post", f"/api/v1/bookings/{booking_id}/reschedule", headers,
                            {"starts_at": "2030-07-05T10:00:00-05:00"}), 404)
    # An invalid body gets the same 404: whether the booking exists is not given away.
    assert_problem(api_call("post", f"/api/v1/bookings/{booking_id}/reschedule", headers, {"x": 1}), 404)
    assert fresh(studio.otto_booking).status == Booking.Status.CONFIRMED
    assert_problem(api_call("get", f"/api/v1/recurring-bookings/{studio.otto_recurring.pk}", headers), 404)
    assert_problem(api_call("post", f"/api/v1/recurring-bookings/{studio.otto_recurring.pk}/cancel", headers), 404)
    assert fresh(studio.otto_recurring).status == RecurringBooking.Status.ACTIVE


def test_api_booking_another_coachs_client_is_404(studio: Studio, owner: Any) -> None:
    headers = bearer(studio.maya, studio.org)
    body = {"coach": studio.maya_coach.pk, "session_type": studio.pt.pk, "client": studio.otto.pk,
            "starts_at": "2030-07-01T10:00:00-05:00"}
    with scopes_disabled():
        before = Booking.objects.count(), RecurringBooking.objects.count()
    assert_problem(api_call("post", "/api/v1/bookings", headers, body), 404)
    recurring = {"coach": studio.maya_coach.pk, "session_type": studio.pt.pk, "client": studio.otto.pk,
                 "weekday": "mon", "start_time": "10:00", "start_date": "2030-07-01"}
    assert_problem(api_call("post", "/api/v1/recurring-bookings", headers, recurring), 404)
    with scopes_disabled():
        assert (Booking.objects.count(), RecurringBooking.objects.count()) == before
    # Their own client can be booked; the owner may book Otto.
    assert api_call("post", "/api/v1/bookings", headers, {**body, "client": studio.zoe.pk}).status_code == 201
    own = api_call("post", "/api/v1/bookings", bearer(owner, studio.org), {**body, "starts_at": "2030-07-01T12:00:00-05:00"})
    assert own.status_code == 201, own.content


def test_their_calendar_feed_names_only_their_own_clients(studio: Studio) -> None:
    theirs_too = TrainingSessionFactory(coach=studio.maya_coach, session_type=studio.pt, starts_at=at(4, 10),
                                        ends_at=at(4, 11))
    BookingFactory(session=theirs_too, client=studio.otto)  # Otto booked Maya once
    feed = DjangoClient().get(f"/ical/coach/{studio.maya_coach.feed_token}.ics")
    assert feed.status_code == 200
    body = feed.content.decode()
    assert "Zoe Allen" in body and "2 of 8 places taken" in body and "Busy" in body
    assert leaks(body) == []


def test_conflicts_page_names_only_their_own_clients_and_cancels_none_of_others(studio: Studio) -> None:
    # Maya works Mondays only: her Tuesday and Wednesday sessions no longer fit her hours.
    with scopes_disabled():
        SkippedOccurrence.objects.create(
            organization=studio.org, recurring_booking=RecurringBookingFactory(
                coach=studio.maya_coach, client=studio.otto, session_type=studio.pt),
            coach=studio.maya_coach, client=studio.otto, starts_at=at(8, 10), ends_at=at(8, 11), reason="blocked")
    web = login_as(studio.maya)
    page = web.get(reverse("setup:conflicts", kwargs={"org_slug": studio.org.slug}))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Zoe Allen" in body and "1 client of another coach" in body
    assert leaks(body) == []
    web.post(reverse("setup:conflict_cancel", kwargs={"org_slug": studio.org.slug, "session_id": studio.group.pk}))
    assert fresh(studio.group).status == TrainingSession.Status.SCHEDULED
    web.post(reverse("setup:conflict_cancel", kwargs={"org_slug": studio.org.slug, "session_id": studio.own.pk}))
    assert fresh(studio.own).status == TrainingSession.Status.CANCELLED
