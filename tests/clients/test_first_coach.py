"""A client's own coach is the coach of their first booking, unless someone chose one."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_scopes import scope

from coachos.scheduling.services import booking_create

from ..factories import ClientFactory, CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory


def _monday(org, hour: int) -> datetime:
    today = timezone.now().astimezone(org.tzinfo).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(hour), tzinfo=org.tzinfo)


def _setup(org):
    first, second = CoachFactory(organization=org), CoachFactory(organization=org)
    for coach in (first, second):
        WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(8), end_time=time(18))
    return first, second, SessionTypeFactory(organization=org, duration_minutes=60)


def test_the_first_bookings_coach_becomes_the_clients_coach(org, owner):
    with scope(organization=org):
        first, second, kind = _setup(org)
        client = ClientFactory(organization=org)
        booking_create(coach=first, session_type=kind, client=client, starts_at=_monday(org, 9), actor=owner)
        booking_create(coach=second, session_type=kind, client=client, starts_at=_monday(org, 11), actor=owner)
        client.refresh_from_db()
        assert client.coach_membership_id == first.membership_id


def test_a_coach_chosen_by_hand_stays(org, owner):
    with scope(organization=org):
        first, second, kind = _setup(org)
        client = ClientFactory(organization=org, coach_membership=second.membership)
        booking_create(coach=first, session_type=kind, client=client, starts_at=_monday(org, 9), actor=owner)
        client.refresh_from_db()
        assert client.coach_membership_id == second.membership_id
