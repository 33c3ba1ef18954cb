"""The portal's pages write dates and times one way, the business's: en-US, en-GB and German."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from coachos.scheduling.services import COACH, booking_create
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, CoachFactory, OrganizationFactory, SessionTypeFactory, member

NOW = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)

CASES = [
    # language, country, long date, time range (client's zone), short day and time (business's), ad-hoc formats that must not appear
    ("en", "US", "Friday, June 5, 2026", "5:00 PM – 6:00 PM", "Fri, Jun 5", "6:00 PM", ["17:00", "5 June"]),
    ("en", "GB", "Friday, 5 June 2026", "17:00 – 18:00", "Fri 5 Jun", "18:00", ["PM", "June 5"]),
    ("de", "DE", "Freitag, 5. Juni 2026", "17:00 – 18:00", "Fr., 5. Juni", "18:00", ["PM", "June"]),
]


@pytest.mark.parametrize(("language", "country", "long_date", "times", "short_day", "business_time", "absent"), CASES)
@time_machine.travel(NOW, tick=False)
def test_portal_home_and_bookings_use_the_businesss_formats(db: None, language: str, country: str, long_date: str,
                                                            times: str, short_day: str, business_time: str,
                                                            absent: list[str]) -> None:
    zone = ZoneInfo("Europe/Berlin")
    org = OrganizationFactory(timezone="Europe/Berlin", locale=language, country=country)
    coach = CoachFactory(organization=org, display_name="Jordan Reyes")
    session_type = SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)
    user = member(org, Role.CLIENT, email="amelia@example.com", name="Amelia Hart")
    client = ClientFactory(organization=org, user=user, first_name="Amelia", email="amelia@example.com",
                           timezone="Europe/London")
    with scope(organization=org):
        booking_create(coach=coach, session_type=session_type, client=client,
                       starts_at=datetime(2026, 6, 5, 18, 0, tzinfo=zone), actor=None, mode=COACH)
    http = login_as(user)
    bookings: Any = http.get(reverse("portal_bookings:index", args=[org.slug])).content.decode()
    home: Any = http.get(reverse("portal:home", args=[org.slug])).content.decode()
    # London (the client's zone) is an hour behind Berlin: 17:00 there, 18:00 at the business.
    assert f"{long_date}</strong>, {times}" in bookings
    assert f"{short_day}, {business_time} " in bookings
    assert f"{long_date}, {times.split(' – ')[0]}</strong>" in home
    for page in (bookings, home):
        for wrong in absent:
            assert wrong not in page.split("<main", 1)[1], wrong
