"""The dashboard's day: today's and tomorrow's sessions, what needs attention, per coach."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from coachos.automations.models import Todo
from coachos.scheduling.models import TrainingSession
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    BookingCreditFactory,
    BookingFactory,
    ClientFactory,
    CoachFactory,
    SessionTypeFactory,
    SkippedOccurrenceFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
    member,
)

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=CHICAGO)  # Monday 8:00 in Chicago


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _coach(org, name):
    user = member(org, Role.COACH, name=f"{name} Coach")
    with scopes_disabled():
        return CoachFactory(organization=org, membership=user.memberships.get(), display_name=f"{name} Coach"), user


def _session(coach, at, type_name="Personal training", **kwargs):
    return TrainingSessionFactory(coach=coach, organization=coach.organization, starts_at=at,
                                  ends_at=at + timedelta(hours=1),
                                  session_type=SessionTypeFactory(organization=coach.organization, name=type_name),
                                  **kwargs)


def test_todays_and_tomorrows_sessions_show_time_client_type_credit_and_confirmation(org, web):
    coach, _user = _coach(org, "Maya")
    today = _session(coach, NOW + timedelta(hours=2), "Strength block")  # 10:00 AM Chicago
    zoe = ClientFactory(organization=org, first_name="Zoe", last_name="Allen")
    booking = BookingFactory(session=today, client=zoe, client_confirmed_at=NOW)
    BookingCreditFactory(booking=booking)
    tomorrow = _session(coach, NOW + timedelta(days=1, hours=9), "Mobility")  # 5:00 PM tomorrow
    BookingFactory(session=tomorrow, client=ClientFactory(organization=org, first_name="Sam", last_name="Lee"))
    _session(coach, NOW + timedelta(days=2), "Day after")  # not on the dashboard
    _session(coach, NOW + timedelta(hours=3), "Cancelled one", status=TrainingSession.Status.CANCELLED)
    page = web.get(f"/o/{org.slug}/").content.decode()
    today_part, tomorrow_part = page.split("Tomorrow", 1)
    assert "10:00 AM" in today_part and "Zoe Allen" in today_part and "Strength block" in today_part
    assert "Credit used" in today_part and "Confirmed by the client" in today_part
    assert "5:00 PM" in tomorrow_part and "Sam Lee" in tomorrow_part and "Not paid" in tomorrow_part
    assert "Day after" not in page
    assert "Cancelled one" not in page


def test_a_coach_sees_their_own_day_only(org, owner):
    maya, maya_user = _coach(org, "Maya")
    leo, _leo_user = _coach(org, "Leo")
    _session(maya, NOW + timedelta(hours=2), "Maya session")
    _session(leo, NOW + timedelta(hours=3), "Leo session")
    page = login_as(maya_user).get(f"/o/{org.slug}/?coach={leo.pk}").content.decode()
    assert "Maya session" in page
    assert "Leo session" not in page
    assert 'name="coach"' not in page  # no coach picker for a coach


def test_an_owner_sees_all_coaches_or_picks_one_kept_in_the_url(org, owner, web):
    maya, _ = _coach(org, "Maya")
    leo, _ = _coach(org, "Leo")
    _session(maya, NOW + timedelta(hours=2), "Maya session")
    _session(leo, NOW + timedelta(hours=3), "Leo session")
    page = web.get(f"/o/{org.slug}/").content.decode()
    assert "Maya session" in page and "Leo session" in page
    picked = web.get(f"/o/{org.slug}/?coach={leo.pk}").content.decode()
    assert "Leo session" in picked and "Maya session" not in picked
    assert f'<option value="{leo.pk}" selected>' in picked


def test_another_business_coach_in_the_url_shows_nothing_of_theirs(org, other_org, web):
    stranger = CoachFactory(organization=other_org)
    _session(stranger, NOW + timedelta(hours=2), "Their session")
    page = web.get(f"/o/{org.slug}/?coach={stranger.pk}").content.decode()
    assert "Their session" not in page


def test_empty_days_say_what_to_do(org, web):
    page = web.get(f"/o/{org.slug}/").content.decode()
    assert "No sessions today." in page
    assert "No sessions tomorrow." in page
    assert "Open the calendar to book a client" in page


def test_needs_attention_counts_unconfirmed_tomorrow_conflicts_failed_payments_and_todos(org, web):
    coach, _ = _coach(org, "Maya")
    for weekday in range(7):  # every session below is inside the hours: no conflict of its own
        WeeklyAvailabilityFactory(coach=coach, organization=org, weekday=weekday, start_time=time(6), end_time=time(22))
    tomorrow = _session(coach, NOW + timedelta(days=1, hours=2))
    BookingFactory(session=tomorrow)  # not confirmed
    BookingFactory(session=tomorrow, client_confirmed_at=NOW)  # confirmed
    BookingFactory(session=_session(coach, NOW + timedelta(hours=2)))  # today: not counted
    SkippedOccurrenceFactory(organization=org, recurring_booking__coach=coach,
                             recurring_booking__organization=org,
                             recurring_booking__client=ClientFactory(organization=org))
    with scopes_disabled():
        Todo.objects.create(organization=org, title="Call back")
        Todo.objects.create(organization=org, title="Done one", done=True)
    response = web.get(f"/o/{org.slug}/")
    attention = response.context["attention"]
    assert attention["unconfirmed_tomorrow"] == 1
    assert attention["conflicts"] == 1
    assert attention["todos"] == 1
    assert attention["failed_payments"] == 0


def test_a_coach_without_money_rights_sees_no_failed_payments(org, owner):
    user = member(org, Role.STAFF)
    response = login_as(user).get(f"/o/{org.slug}/")
    assert "failed_payments" not in response.context["attention"]
    assert "Failed payments" not in response.content.decode()


def test_the_dashboard_makes_the_same_number_of_queries_for_many_sessions(org, web):
    coach, _ = _coach(org, "Maya")

    def add(first, n):
        for i in range(first, first + n):
            s = _session(coach, NOW + timedelta(hours=1 + i))
            for _ in range(2):
                BookingCreditFactory(booking=BookingFactory(session=s))

    add(0, 1)
    web.get(f"/o/{org.slug}/")  # warm caches (session, content types)
    with CaptureQueriesContext(connection) as few:
        web.get(f"/o/{org.slug}/")
    add(1, 12)
    with CaptureQueriesContext(connection) as many:
        page = web.get(f"/o/{org.slug}/").content.decode()
    assert page.count("Credit used") == 26
    assert len(many.captured_queries) == len(few.captured_queries)
