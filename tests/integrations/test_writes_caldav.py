"""Sessions written to the coach's chosen CalDAV calendar (a real Radicale): created, moved, cancelled —
each change exactly once, a retry updates and never duplicates."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.integrations import caldav_gateway, crypto, video, writes
from coachos.integrations.models import CalendarConnection, CalendarWrite, RemoteEvent
from coachos.scheduling.services import bookings
from tests.factories import ClientFactory

from .helpers import NOW, WEDNESDAY, business, chicago, connect

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def booked(org: Any, caldav_server: Any, clock: Any) -> Any:
    setup = business(org)
    assert connect(DjangoClient(), setup, caldav_server).status_code == 201
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name="Dana", last_name="Client")
        booking = bookings.booking_create(coach=setup.coach, session_type=setup.session_type, client=client,
                                          starts_at=chicago(WEDNESDAY, 10), actor=None)
    return setup, booking


def test_a_booking_is_written_once_with_the_clients_first_name(org: Any, caldav_server: Any, booked: Any) -> None:
    setup, booking = booked
    with scope(organization=org):
        assert CalendarWrite.objects.filter(session=booking.session).count() == 1
    assert writes.writes_run() == {"written": 1, "failed": 0}
    hrefs = caldav_server.events()
    assert len(hrefs) == 1
    body = caldav_server.get(hrefs[0])
    assert "SUMMARY:Personal training · Dana" in body and "Client" not in body.split("SUMMARY:")[1].split("\n")[0]
    assert "DTSTART:20261209T160000Z" in body
    with scope(organization=org):
        assert CalendarWrite.objects.count() == 0
        remote = RemoteEvent.objects.get(session=booking.session)
        assert remote.remote_id.endswith(".ics") and not remote.deleted
    # Nothing queued, nothing written again; a session queued with nothing changed is not rewritten.
    assert writes.writes_run() == {"written": 0, "failed": 0}
    with scope(organization=org):
        writes.write_queue(session_id=booking.session_id, organization_id=org.pk)
        assert writes.session_write(booking.session) == 0


def test_a_move_updates_the_same_event_and_a_cancel_removes_it(org: Any, caldav_server: Any, booked: Any) -> None:
    setup, booking = booked
    writes.writes_run()
    [href] = caldav_server.events()
    with scope(organization=org):
        bookings.session_move(session=booking.session, starts_at=chicago(WEDNESDAY, 14), actor=None)
    assert writes.writes_run() == {"written": 1, "failed": 0}
    assert caldav_server.events() == [href]
    assert "DTSTART:20261209T200000Z" in caldav_server.get(href)
    with scope(organization=org):
        booking.refresh_from_db()
        bookings.booking_cancel(booking=booking, actor=None, by="coach")
    assert writes.writes_run() == {"written": 1, "failed": 0}
    assert caldav_server.events() == []
    with scope(organization=org):
        assert RemoteEvent.objects.get(session=booking.session).deleted


def test_a_retry_after_a_lost_answer_updates_and_does_not_duplicate(org: Any, caldav_server: Any, booked: Any) -> None:
    setup, booking = booked
    with scope(organization=org):
        connection = CalendarConnection.objects.get()
        # The event reached the server but the answer was lost before it was recorded.
        content = writes.content_for(booking.session)
        account = caldav_gateway.Account(connection.url, connection.username, crypto.unseal(connection.secret))
        caldav_gateway.put_event(account, connection.calendar_id, ics=content.ics())
    assert writes.writes_run() == {"written": 1, "failed": 0}
    assert len(caldav_server.events()) == 1


def test_a_failed_write_is_retried_later_and_then_written_once(org: Any, caldav_server: Any, booked: Any,
                                                               clock: Any) -> None:
    setup, booking = booked
    real = caldav_server.password
    caldav_server.set_password("temporarily-wrong")
    assert writes.writes_run() == {"written": 0, "failed": 1}
    with scope(organization=org):
        row = CalendarWrite.objects.get()
        assert row.attempts == 1 and "Unauthorized" in row.last_error and row.due_at > NOW
    assert writes.writes_run() == {"written": 0, "failed": 0}  # not due yet
    caldav_server.set_password(real)
    from datetime import timedelta

    clock.shift(timedelta(minutes=3))
    assert writes.writes_run() == {"written": 1, "failed": 0}
    assert len(caldav_server.events()) == 1


def test_an_online_session_has_its_meeting_link_in_the_event(org: Any, caldav_server: Any, clock: Any) -> None:
    setup = business(org)
    assert connect(DjangoClient(), setup, caldav_server).status_code == 201
    with scope(organization=org):
        video.session_type_set_online(session_type=setup.session_type, online=True)
        client = ClientFactory(organization=org, first_name="Dana")
        booking = bookings.booking_create(coach=setup.coach, session_type=setup.session_type, client=client,
                                          starts_at=chicago(WEDNESDAY, 10), actor=None)
        link = video.link_for(booking.session, create=False)
    assert link.startswith("https://meet.jit.si/CoachOS-") and len(link.rsplit("-", 1)[1]) == 32
    writes.writes_run()
    body = caldav_server.get(caldav_server.events()[0]).replace("\r\n ", "")
    assert link in body
