"""Online sessions: a random, unguessable Jitsi room per session on the business's server, in the
confirmation and reminders (as where the session takes place), only for online session types."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django_scopes import scope

from coachos.comms import context as comms_context
from coachos.comms.models import OutboundMessage
from coachos.integrations import video
from coachos.integrations.models import MeetingLink, VideoSettings
from coachos.scheduling.services import bookings
from tests.factories import ClientFactory, SessionTypeFactory

from .helpers import NOW, WEDNESDAY, business, chicago

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _book(setup: Any, session_type: Any, hour: int, first_name: str = "Dana") -> Any:
    client = ClientFactory(organization=setup.org, first_name=first_name)
    return bookings.booking_create(coach=setup.coach, session_type=session_type, client=client,
                                   starts_at=chicago(WEDNESDAY, hour), actor=None)


def test_an_online_booking_gets_a_room_on_the_business_server_in_its_confirmation(org: Any) -> None:
    setup = business(org)
    with scope(organization=org):
        VideoSettings.objects.create(organization=org, jitsi_base_url="https://video.example.org/")
        video.session_type_set_online(session_type=setup.session_type, online=True)
        booking = _book(setup, setup.session_type, 10)
        link = MeetingLink.objects.get(session=booking.session).url
        assert link.startswith("https://video.example.org/CoachOS-")
        confirmation = OutboundMessage.objects.filter(client=booking.client).order_by("pk")
        assert confirmation.exists() and all(link in m.body for m in confirmation)
        # Reminders are worded from the same variables.
        assert comms_context.booking_variables(booking)["session_location"] == link
        other = _book(setup, setup.session_type, 12, "Eli")
        assert MeetingLink.objects.get(session=other.session).url != link  # a room per session


def test_rooms_are_unguessable(org: Any) -> None:
    with scope(organization=org):
        urls = {video.new_room_url(org.pk) for _ in range(50)}
    assert len(urls) == 50
    assert all(len(u.rsplit("CoachOS-", 1)[1]) == 32 for u in urls)


def test_an_in_person_session_has_no_link(org: Any) -> None:
    setup = business(org)
    with scope(organization=org):
        in_person = SessionTypeFactory(organization=org, name="Gym session", location="Main St gym")
        booking = _book(setup, in_person, 10)
        assert not MeetingLink.objects.exists()
        assert comms_context.booking_variables(booking)["session_location"] == "Main St gym"
        assert all("meet.jit.si" not in m.body for m in OutboundMessage.objects.all())
