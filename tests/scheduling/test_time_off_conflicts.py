"""Time off over booked sessions: the sessions stay booked, go on the Conflicts page, and the API
answers with them. Keeping one cuts the time off around it; cancelling cancels it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.scheduling import selectors
from coachos.scheduling.models import AvailabilityAddition, BlockedSlot, Coach, TrainingSession
from coachos.scheduling.services import blocked_slot_create, coach_ensure
from coachos.tenancy.models import Membership, Organization

from ..conftest import bearer
from ..factories import (
    BookingFactory,
    ClientFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
)

pytestmark = pytest.mark.django_db


def next_weekday_at(org: Organization, weekday: int, hour: int) -> datetime:
    today = timezone.now().astimezone(org.tzinfo).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    return datetime.combine(day, time(hour), tzinfo=org.tzinfo)


@pytest.fixture
def coach(org: Organization, owner: Any) -> Coach:
    with scope(organization=org):
        found = coach_ensure(membership=Membership.objects.get(user=owner))
    assert found is not None
    for weekday in range(7):
        WeeklyAvailabilityFactory(coach=found, weekday=weekday, start_time=time(8), end_time=time(18))
    return found


@pytest.fixture
def session(org: Organization, coach: Coach) -> TrainingSession:
    """Next Wednesday 10:00–11:00, inside the hours, booked by Ann Lee."""
    start = next_weekday_at(org, 2, 10)
    s = TrainingSessionFactory(coach=coach, session_type=SessionTypeFactory(organization=org, name="Strength"),
                               starts_at=start, ends_at=start + timedelta(hours=1))
    BookingFactory(session=s, client=ClientFactory(organization=org, first_name="Ann", last_name="Lee"))
    return s


def conflicts(org: Organization, coach: Coach) -> list[tuple[int, str]]:
    with scope(organization=org):
        return [(s.pk, s.conflict_reason) for s in selectors.conflicts_for(coach=coach)]


def test_time_off_over_a_booked_session_makes_it_a_conflict(org, owner, coach, session):
    assert conflicts(org, coach) == []
    with scope(organization=org):
        blocked_slot_create(coach=coach, actor=owner, starts_at=session.starts_at - timedelta(hours=2),
                            ends_at=session.starts_at + timedelta(minutes=30))
    assert conflicts(org, coach) == [(session.pk, "time_off")]
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.SCHEDULED  # nothing cancelled on its own


def test_the_api_answers_with_the_sessions_the_time_off_covers(client, org, owner, coach, session):
    headers = bearer(owner, org)
    elsewhere = TrainingSessionFactory(coach=coach, starts_at=session.starts_at + timedelta(days=1),
                                       ends_at=session.starts_at + timedelta(days=1, hours=1))
    body = {"starts_at": (session.starts_at - timedelta(hours=1)).isoformat(),
            "ends_at": (session.ends_at + timedelta(hours=1)).isoformat(), "reason": "Dentist"}
    response = client.post(f"/api/v1/coaches/{coach.pk}/blocked-slots", data=body, content_type="application/json",
                           **headers)
    assert response.status_code == 201, response.content
    assert response.json()["conflicts"] == [session.pk]
    # The weekly hours' answer lists it too (its conflicts are every session the coach must decide on).
    weekly = client.get(f"/api/v1/coaches/{coach.pk}/weekly-availability", **headers).json()
    assert weekly["conflicts"] == [session.pk]
    assert elsewhere.pk not in weekly["conflicts"]
    # Time off over nothing booked: an empty list.
    empty = client.post(f"/api/v1/coaches/{coach.pk}/blocked-slots", content_type="application/json", **headers,
                        data={"starts_at": (session.starts_at + timedelta(days=3)).isoformat(),
                              "ends_at": (session.starts_at + timedelta(days=3, hours=1)).isoformat()})
    assert empty.json()["conflicts"] == []


def test_the_conflicts_page_lists_it_and_keep_cuts_the_time_off_around_it(org, owner, coach, session, web):
    with scope(organization=org):
        blocked_slot_create(coach=coach, actor=owner, starts_at=session.starts_at - timedelta(hours=2),
                            ends_at=session.ends_at + timedelta(hours=2), reason="Holiday")
    text = web.get(f"/o/{org.slug}/schedule/conflicts/").content.decode()
    assert "Ann Lee" in text and "In time off" in text

    response = web.post(f"/o/{org.slug}/schedule/conflicts/{session.pk}/keep/", follow=True)
    assert "The time off now stops around it" in response.content.decode()
    assert conflicts(org, coach) == []
    with scopes_disabled():
        spans = sorted(BlockedSlot.objects.filter(coach=coach).values_list("starts_at", "ends_at", "reason"))
        assert not AvailabilityAddition.objects.filter(coach=coach).exists()  # it is inside the hours
    assert spans == [(session.starts_at - timedelta(hours=2), session.starts_at, "Holiday"),
                     (session.ends_at, session.ends_at + timedelta(hours=2), "Holiday")]
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.SCHEDULED


def test_cancel_from_the_conflicts_page_cancels_the_session(org, owner, coach, session, web):
    with scope(organization=org):
        blocked_slot_create(coach=coach, actor=owner, starts_at=session.starts_at, ends_at=session.ends_at)
    web.post(f"/o/{org.slug}/schedule/conflicts/{session.pk}/cancel/")
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.CANCELLED
    assert conflicts(org, coach) == []


def test_a_session_straddling_the_hours_and_touching_extra_time_is_no_conflict(org, coach):
    start = next_weekday_at(org, 2, 17) + timedelta(minutes=30)  # 17:30–18:30; hours end at 18:00
    s = TrainingSessionFactory(coach=coach, starts_at=start, ends_at=start + timedelta(hours=1))
    assert conflicts(org, coach) == [(s.pk, "hours")]
    AvailabilityAddition.objects.create(organization=org, coach=coach, starts_at=start + timedelta(minutes=30),
                                        ends_at=start + timedelta(hours=3))
    assert conflicts(org, coach) == []
