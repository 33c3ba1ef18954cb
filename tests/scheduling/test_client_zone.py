"""A client's own time zone: remembered on their record when picked, and used (labelled) by the
portal home and the portal bookings page."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from coachos.clients.models import Client
from coachos.scheduling.services import COACH, booking_create
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import ClientFactory, CoachFactory, SessionTypeFactory, WeeklyAvailabilityFactory, member

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
FRIDAY_10 = datetime(2026, 6, 5, 10, 0, tzinfo=CHICAGO)  # 16:00 in London


@pytest.fixture
def london_client(org: Any) -> dict[str, Any]:
    with time_machine.travel(NOW, tick=False):
        coach = CoachFactory(organization=org, display_name="Jordan Reyes")
        WeeklyAvailabilityFactory(coach=coach, weekday=4, start_time=time(9), end_time=time(17))
        session_type = SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)
        user = member(org, Role.CLIENT, email="amelia@example.com", name="Amelia Hart")
        client = ClientFactory(organization=org, user=user, first_name="Amelia", email="amelia@example.com")
        with scope(organization=org):
            booking_create(coach=coach, session_type=session_type, client=client, starts_at=FRIDAY_10,
                           actor=None, mode=COACH)
    return {"org": org, "user": user, "client": client}


def _zone_of(client: Client) -> str:
    with scope(organization=client.organization):
        return Client.objects.get(pk=client.pk).timezone


def test_a_zone_picked_in_the_portal_is_remembered_on_the_clients_record(london_client: dict[str, Any]) -> None:
    org, client = london_client["org"], london_client["client"]
    assert _zone_of(client) == ""
    response = login_as(london_client["user"]).get(reverse("portal_bookings:index", args=[org.slug]) + "?tz=Europe/London")
    assert response.status_code == 200
    assert _zone_of(client) == "Europe/London"


def test_an_unknown_zone_is_not_remembered(london_client: dict[str, Any]) -> None:
    org, client = london_client["org"], london_client["client"]
    login_as(london_client["user"]).get(reverse("portal_bookings:index", args=[org.slug]) + "?tz=Mars/Olympus")
    assert _zone_of(client) == ""


def test_a_visitor_without_a_client_record_changes_no_record(london_client: dict[str, Any], client: Any) -> None:
    org = london_client["org"]
    client.get(reverse("portal_bookings:index", args=[org.slug]) + "?tz=Europe/London")
    assert _zone_of(london_client["client"]) == ""


@time_machine.travel(NOW, tick=False)
def test_a_london_client_sees_portal_bookings_in_london_time_labelled(london_client: dict[str, Any]) -> None:
    org = london_client["org"]
    with scope(organization=org):
        Client.objects.filter(pk=london_client["client"].pk).update(timezone="Europe/London")
    # A new visit (no zone in the session): the zone comes from the client's record.
    html = login_as(london_client["user"]).get(reverse("portal_bookings:index", args=[org.slug])).content.decode()
    assert "Friday, June 5, 2026</strong>, 4:00 PM – 5:00 PM" in html
    assert "(London time)" in html
    assert "Fri, Jun 5, 10:00 AM Chicago time" in html


@time_machine.travel(NOW, tick=False)
def test_a_london_client_sees_the_portal_home_in_london_time_labelled(london_client: dict[str, Any]) -> None:
    org = london_client["org"]
    with scope(organization=org):
        Client.objects.filter(pk=london_client["client"].pk).update(timezone="Europe/London")
    html = login_as(london_client["user"]).get(reverse("portal:home", args=[org.slug])).content.decode()
    assert "Friday, June 5, 2026, 4:00 PM</strong>" in html and "(London time)" in html
    assert "10:00 AM" not in html


@time_machine.travel(NOW, tick=False)
def test_a_client_in_the_businesss_zone_sees_no_label(london_client: dict[str, Any]) -> None:
    org = london_client["org"]
    with scope(organization=org):
        Client.objects.filter(pk=london_client["client"].pk).update(timezone="America/Chicago")
    http = login_as(london_client["user"])
    home = http.get(reverse("portal:home", args=[org.slug])).content.decode()
    bookings = http.get(reverse("portal_bookings:index", args=[org.slug])).content.decode()
    assert "Friday, June 5, 2026, 10:00 AM</strong>" in home and " time)" not in home
    assert "10:00 AM – 11:00 AM" in bookings and " time)" not in bookings
