"""Holds on the public booking page: one per visitor and business; a burst from one address is refused."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope

from coachos.scheduling.models import SlotHold
from coachos.scheduling.picker import encode_slot
from coachos.scheduling.selectors import slots_for

from ..factories import CoachFactory, OrganizationFactory, SessionTypeFactory, WeeklyAvailabilityFactory

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)  # Monday 09:00 in Chicago
TUESDAY = [datetime(2026, 6, 2, hour, 0, tzinfo=CHICAGO) for hour in range(9, 17)]  # 8 one-hour slots


@pytest.fixture
def setup(org: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        coach = CoachFactory(organization=org, display_name="Jordan Reyes", min_notice_minutes=60,
                             slot_step_minutes=60)
        for weekday in range(5):
            WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(9), end_time=time(17))
        session_type = SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)
        yield {"org": org, "coach": coach, "type": session_type}


def hold(http: DjangoClient, setup: dict[str, Any], starts_at: datetime) -> Any:
    return http.post(reverse("booking:hold", kwargs={"org_slug": setup["org"].slug}),
                     {"type": setup["type"].pk, "slot": encode_slot(setup["coach"].pk, starts_at)})


def open_tuesday_slots(setup: dict[str, Any]) -> int:
    with scope(organization=setup["org"]):
        return len(slots_for(coach=setup["coach"], session_type=setup["type"],
                             first_day=TUESDAY[0].date(), last_day=TUESDAY[0].date()))


def active_holds(org: Any) -> int:
    with scope(organization=org):
        return SlotHold.objects.filter(expires_at__gt=NOW).count()


def test_sixteen_anonymous_holds_no_longer_empty_a_day(setup: dict[str, Any]) -> None:
    assert open_tuesday_slots(setup) == 8
    # A script without cookies (a new visitor each time) from one address, twice round the day.
    answers = [hold(DjangoClient(REMOTE_ADDR="203.0.113.50"), setup, TUESDAY[n % 8]).status_code
               for n in range(16)]
    assert answers[:5] == [302] * 5 and answers[5:] == [429] * 11
    assert active_holds(setup["org"]) == 5
    assert open_tuesday_slots(setup) == 3  # the day is not emptied


def test_a_visitor_holds_one_time_at_a_time(setup: dict[str, Any], settings: Any) -> None:
    settings.RATE_LIMITS_ENABLED = False  # the session rule alone
    visitor = DjangoClient()
    for starts_at in TUESDAY:
        assert hold(visitor, setup, starts_at).status_code == 302
    with scope(organization=setup["org"]):
        held = list(SlotHold.objects.all())
    assert [h.starts_at for h in held] == [TUESDAY[-1]]
    assert open_tuesday_slots(setup) == 7


def test_one_hold_per_business_even_after_a_hold_elsewhere(setup: dict[str, Any], settings: Any) -> None:
    settings.RATE_LIMITS_ENABLED = False
    other = OrganizationFactory(slug="elsewhere", timezone="America/Chicago")
    with time_machine.travel(NOW, tick=False):
        other_coach = CoachFactory(organization=other, min_notice_minutes=60, slot_step_minutes=60)
        WeeklyAvailabilityFactory(coach=other_coach, weekday=1, start_time=time(9), end_time=time(17))
        other_type = SessionTypeFactory(organization=other, duration_minutes=60)
    visitor = DjangoClient()
    assert hold(visitor, setup, TUESDAY[0]).status_code == 302
    assert hold(visitor, {"org": other, "coach": other_coach, "type": other_type}, TUESDAY[0]).status_code == 302
    assert hold(visitor, setup, TUESDAY[1]).status_code == 302
    with scope(organization=setup["org"]):
        assert [h.starts_at for h in SlotHold.objects.all()] == [TUESDAY[1]]
    assert active_holds(other) == 1  # the other business's hold is its own


def test_holds_are_limited_per_business_from_everyone(setup: dict[str, Any], settings: Any) -> None:
    settings.RATE_LIMITS = {"hold_ip": "5/10m", "hold_org": "3/10m"}
    answers = [hold(DjangoClient(REMOTE_ADDR=f"203.0.113.{n}"), setup, TUESDAY[n]).status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]
    refused = hold(DjangoClient(REMOTE_ADDR="203.0.113.99"), setup, TUESDAY[5])
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many requests" in refused.content.decode()


def test_a_refused_hold_keeps_the_visitors_current_hold(setup: dict[str, Any], settings: Any) -> None:
    settings.RATE_LIMITS = {"hold_ip": "1/10m"}
    visitor = DjangoClient()
    assert hold(visitor, setup, TUESDAY[0]).status_code == 302
    assert hold(visitor, setup, TUESDAY[1]).status_code == 429
    with scope(organization=setup["org"]):
        assert [h.starts_at for h in SlotHold.objects.all()] == [TUESDAY[0]]
