"""The Conflicts page: sessions that no longer fit the weekly hours after they change. Nothing is
cancelled on its own; the coach keeps (an addition covers the session) or cancels each one."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from coachos.scheduling.models import AvailabilityAddition, Booking, Coach, TrainingSession
from coachos.scheduling.services import coach_ensure
from coachos.tenancy.models import AuditEntry, Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    AvailabilityAdditionFactory,
    BookingFactory,
    ClientFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
    member,
)
from .test_setup_pages import hours_data, hours_url

pytestmark = pytest.mark.django_db


def next_monday_at(org: Organization, hour: int) -> datetime:
    today = timezone.now().astimezone(org.tzinfo).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(hour), tzinfo=org.tzinfo)


def conflicts_url(org: Organization) -> str:
    return f"/o/{org.slug}/schedule/conflicts/"


@pytest.fixture
def coach(org: Organization, owner: Any) -> Coach:
    with scope(organization=org):
        found = coach_ensure(membership=Membership.objects.get(user=owner))
    assert found is not None
    WeeklyAvailabilityFactory(coach=found, weekday=0, start_time=time(8), end_time=time(18))
    return found


@pytest.fixture
def monday_session(org: Organization, coach: Coach) -> TrainingSession:
    """Next Monday 10:00–11:00 in the business's zone, booked by Ann Lee."""
    start = next_monday_at(org, 10)
    session = TrainingSessionFactory(coach=coach, session_type=SessionTypeFactory(organization=org, name="Strength"),
                                     starts_at=start, ends_at=start + timedelta(hours=1))
    BookingFactory(session=session, client=ClientFactory(organization=org, first_name="Ann", last_name="Lee"))
    return session


def move_template_to_tuesday(org: Organization, coach: Coach, browser: Any) -> Any:
    response = browser.post(hours_url(org, coach), hours_data({"tue": [{"start": "08:00", "end": "18:00"}]}))
    assert response.status_code == 302
    return response


def test_a_template_change_lists_the_session_that_no_longer_fits(org, coach, monday_session, web):
    assert "Ann Lee" not in web.get(conflicts_url(org)).content.decode()  # fits Monday 8–18
    response = move_template_to_tuesday(org, coach, web)
    landing = web.get(response.headers["Location"]).content.decode()
    assert "1 upcoming session no longer fits the weekly hours: see Conflicts." in landing
    assert "Review conflicts" in landing

    text = web.get(conflicts_url(org)).content.decode()
    assert "Ann Lee" in text
    assert "Strength" in text
    local = monday_session.starts_at.astimezone(org.tzinfo)
    this_year = local.year == timezone.localdate(timezone=org.tzinfo).year
    assert f"{local:%A}, {local:%B} {local.day}" + ("" if this_year else f", {local.year}") in text
    assert "10:00\u202fAM–11:00\u202fAM" in text  # in the business's zone, not UTC
    assert f"/conflicts/{monday_session.pk}/keep/" in text
    assert f"/conflicts/{monday_session.pk}/cancel/" in text
    assert 'class="badge warning"' in text
    monday_session.refresh_from_db()
    assert monday_session.status == TrainingSession.Status.SCHEDULED  # nothing cancelled on its own


def test_keep_creates_an_addition_and_the_conflict_goes(org, owner, coach, monday_session, web):
    move_template_to_tuesday(org, coach, web)
    response = web.post(f"{conflicts_url(org)}{monday_session.pk}/keep/")
    assert response.status_code == 302
    with scope(organization=org):
        addition = AvailabilityAddition.objects.get(coach=coach)
        assert AuditEntry.objects.filter(action="conflict.kept", actor=owner).exists()
    assert (addition.starts_at, addition.ends_at) == (monday_session.starts_at, monday_session.ends_at)
    text = web.get(conflicts_url(org)).content.decode()
    assert "Kept" in text
    assert "Ann Lee" not in text
    assert "No conflicts" in text
    monday_session.refresh_from_db()
    assert monday_session.status == TrainingSession.Status.SCHEDULED
    # A second click (another tab) does not add a second addition.
    web.post(f"{conflicts_url(org)}{monday_session.pk}/keep/")
    with scope(organization=org):
        assert AvailabilityAddition.objects.filter(coach=coach).count() == 1


def test_cancel_cancels_the_session_and_its_bookings(org, coach, monday_session, web):
    move_template_to_tuesday(org, coach, web)
    text = web.get(conflicts_url(org)).content.decode()
    assert 'data-confirm="Cancel the session of' in text
    response = web.post(f"{conflicts_url(org)}{monday_session.pk}/cancel/")
    assert response.status_code == 302
    monday_session.refresh_from_db()
    assert monday_session.status == TrainingSession.Status.CANCELLED
    with scope(organization=org):
        assert list(Booking.objects.filter(session=monday_session).values_list("status", flat=True)) == [
            Booking.Status.CANCELLED_BY_COACH]
        assert not AvailabilityAddition.objects.exists()
    text = web.get(conflicts_url(org)).content.decode()
    assert "Cancelled the session" in text
    assert "No conflicts" in text


def test_a_session_covered_by_an_addition_is_not_listed(org, coach, monday_session, web):
    AvailabilityAdditionFactory(coach=coach, starts_at=monday_session.starts_at - timedelta(hours=1),
                                ends_at=monday_session.ends_at + timedelta(hours=1))
    other_start = next_monday_at(org, 15)
    other = TrainingSessionFactory(coach=coach, starts_at=other_start, ends_at=other_start + timedelta(hours=1))
    move_template_to_tuesday(org, coach, web)
    text = web.get(conflicts_url(org)).content.decode()
    assert "Ann Lee" not in text
    assert f"/conflicts/{other.pk}/keep/" in text
    assert f"/conflicts/{monday_session.pk}/keep/" not in text


def test_past_and_cancelled_sessions_are_not_conflicts(org, coach, web):
    past_start = timezone.now() - timedelta(days=3)
    TrainingSessionFactory(coach=coach, starts_at=past_start, ends_at=past_start + timedelta(hours=1))
    start = next_monday_at(org, 12)
    TrainingSessionFactory(coach=coach, starts_at=start, ends_at=start + timedelta(hours=1),
                           status=TrainingSession.Status.CANCELLED)
    move_template_to_tuesday(org, coach, web)
    assert "No conflicts" in web.get(conflicts_url(org)).content.decode()


def test_keep_on_a_session_that_fits_does_nothing(org, coach, monday_session, web):
    response = web.post(f"{conflicts_url(org)}{monday_session.pk}/keep/", follow=True)
    assert "no longer needs a decision" in response.content.decode()
    with scope(organization=org):
        assert not AvailabilityAddition.objects.exists()
    web.post(f"{conflicts_url(org)}{monday_session.pk}/cancel/")
    monday_session.refresh_from_db()
    assert monday_session.status == TrainingSession.Status.SCHEDULED


def test_the_front_desk_sees_conflicts_but_cannot_decide(org, coach, monday_session, web):
    move_template_to_tuesday(org, coach, web)
    staff = member(org, Role.STAFF)
    browser = login_as(staff)
    text = browser.get(conflicts_url(org)).content.decode()
    assert "Ann Lee" in text
    assert f"/conflicts/{monday_session.pk}/keep/" not in text
    assert browser.post(f"{conflicts_url(org)}{monday_session.pk}/keep/").status_code == 403
    assert browser.post(f"{conflicts_url(org)}{monday_session.pk}/cancel/").status_code == 403
    monday_session.refresh_from_db()
    assert monday_session.status == TrainingSession.Status.SCHEDULED
    with scope(organization=org):
        assert not AvailabilityAddition.objects.exists()


def test_a_coach_sees_and_decides_only_their_own(org, coach, monday_session, web):
    move_template_to_tuesday(org, coach, web)
    coach_user = member(org, Role.COACH)
    with scope(organization=org):
        coach_ensure(membership=Membership.objects.get(user=coach_user))
    browser = login_as(coach_user)
    assert "Ann Lee" not in browser.get(conflicts_url(org)).content.decode()
    assert browser.post(f"{conflicts_url(org)}{monday_session.pk}/cancel/").status_code == 403
    monday_session.refresh_from_db()
    assert monday_session.status == TrainingSession.Status.SCHEDULED


def test_the_owner_sees_every_coachs_conflicts_grouped(org, coach, monday_session, web):
    coach_user = member(org, Role.COACH, name="Jordan Reyes")
    with scope(organization=org):
        second = coach_ensure(membership=Membership.objects.get(user=coach_user))
    start = next_monday_at(org, 9)
    TrainingSessionFactory(coach=second, starts_at=start, ends_at=start + timedelta(hours=1))  # no hours at all
    move_template_to_tuesday(org, coach, web)
    text = web.get(conflicts_url(org)).content.decode()
    assert f'id="coach-{coach.pk}"' in text and f'id="coach-{second.pk}"' in text
    assert "Jordan Reyes" in text
    assert 'Conflicts <span class="badge warning"' in text
