"""A business in Chicago with one coach working 09:00–17:00 every weekday, and what the tests ask."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.scheduling.models import Coach, SessionType
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role
from tests.conftest import bearer
from tests.factories import CoachFactory, MembershipFactory, SessionTypeFactory, UserFactory, WeeklyAvailabilityFactory

CHICAGO = ZoneInfo("America/Chicago")
# Monday 7 December 2026, 06:00 in Chicago.
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
WEDNESDAY = date(2026, 12, 9)


@dataclass
class Setup:
    org: Organization
    coach: Coach
    coach_user: Any
    session_type: SessionType
    headers: dict[str, str]  # the coach's own API token


def business(org: Organization) -> Setup:
    with scope(organization=org):
        user = UserFactory(email=f"coach-{org.slug}@example.com", name="Casey Coach")
        membership = MembershipFactory(organization=org, user=user, role=Role.COACH)
        coach = CoachFactory(organization=org, membership=membership, buffer_before_minutes=0,
                             buffer_after_minutes=0, slot_step_minutes=60, horizon_days=60)
        for weekday in range(5):
            WeeklyAvailabilityFactory(coach=coach, organization=org, weekday=weekday, start_time=time(9),
                                      end_time=time(17))
        session_type = SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)
    return Setup(org, coach, user, session_type, bearer(user, org))


def chicago(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO)


def slot_hours(http: DjangoClient, setup: Setup, day: date = WEDNESDAY) -> list[int]:
    """The open start hours (Chicago) on a day, through GET /api/v1/slots."""
    response = http.get("/api/v1/slots", {"coach": setup.coach.pk, "session_type": setup.session_type.pk,
                                          "start": day.isoformat(), "end": day.isoformat()}, **setup.headers)
    assert response.status_code == 200, response.content
    return [datetime.fromisoformat(s["starts_at"]).astimezone(CHICAGO).hour for s in response.json()["slots"]]


def connect(http: DjangoClient, setup: Setup, server: Any, *, password: str | None = None) -> Any:
    body = {"provider": "caldav", "url": server.base + "/", "username": server.username,
            "password": password if password is not None else server.password}
    return http.post(f"/api/v1/coaches/{setup.coach.pk}/calendars", data=json.dumps(body),
                     content_type="application/json", **setup.headers)


def vevent(uid: str, start: str, end: str, *extra: str) -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261201T000000Z", start, end, "SUMMARY:Private", *extra,
             "END:VEVENT"]
    return "\n".join(lines)
