"""CalDAV calendars against a real Radicale on loopback: connect (credentials checked by connecting),
busy times blocking GET /api/v1/slots (time zones, all-day, free events), the re-check before a
booking, a failing calendar that keeps blocking, and disconnecting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.integrations import services, sync_jobs
from coachos.integrations.models import BusyBlock, CalendarConnection
from coachos.scheduling.services import bookings
from coachos.scheduling.services.errors import SchedulingError
from coachos.tenancy.models import AuditEntry
from tests.factories import ClientFactory

from .helpers import NOW, WEDNESDAY, business, chicago, connect, slot_hours, vevent

pytestmark = pytest.mark.django_db

ALL_HOURS = [9, 10, 11, 12, 13, 14, 15, 16]


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _connection(setup: Any) -> CalendarConnection:
    with scope(organization=setup.org):
        return CalendarConnection.objects.get(coach=setup.coach)


def test_connect_checks_credentials_and_stores_the_password_encrypted(org: Any, caldav_server: Any, clock: Any) -> None:
    setup, http = business(org), DjangoClient()
    response = connect(http, setup, caldav_server)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["provider"] == "caldav" and body["status"] == "active"
    assert body["busy_source"] is True and body["write_target"] is True
    assert body["last_synced_at"] is not None
    listed = http.get(f"/api/v1/coaches/{setup.coach.pk}/calendars", **setup.headers).json()
    assert [(c["id"], c["provider"], c["status"]) for c in listed] == [(body["id"], "caldav", "active")]
    assert set(listed[0]) >= {"provider", "status", "last_synced_at", "busy_source", "write_target"}
    connection = _connection(setup)
    assert connection.calendar_id == caldav_server.calendar_url
    assert caldav_server.password not in connection.secret and connection.secret.startswith("fernet:")
    with scope(organization=org):
        assert AuditEntry.objects.filter(action="calendar.connected").count() == 1


def test_wrong_credentials_are_a_422_with_the_servers_reason_and_store_nothing(org: Any, caldav_server: Any,
                                                                               clock: Any) -> None:
    setup, http = business(org), DjangoClient()
    response = connect(http, setup, caldav_server, password="wrong")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "Unauthorized" in response.json()["detail"]
    with scopes_disabled():
        assert CalendarConnection.objects.count() == 0


def test_an_unreachable_server_is_a_422_too(org: Any, clock: Any) -> None:
    setup, http = business(org), DjangoClient()
    response = http.post(f"/api/v1/coaches/{setup.coach.pk}/calendars", data={
        "provider": "caldav", "url": "http://127.0.0.1:9/", "username": "x", "password": "y"},
        content_type="application/json", **setup.headers)
    assert response.status_code == 422
    assert "Could not connect" in response.json()["detail"]


def test_busy_events_remove_overlapping_starts_from_slots(org: Any, caldav_server: Any, clock: Any) -> None:
    setup, http = business(org), DjangoClient()
    assert slot_hours(http, setup) == ALL_HOURS
    # 10:30–11:15 Chicago, written in UTC: blocks the 10:00 and 11:00 starts.
    caldav_server.put("dentist", vevent("dentist", "DTSTART:20261209T163000Z", "DTEND:20261209T171500Z"))
    # 14:00–15:00 London time = 08:00–09:00 Chicago: blocks nothing of the day's hours.
    caldav_server.put("london", vevent("london", "DTSTART;TZID=Europe/London:20261209T140000",
                                       "DTEND;TZID=Europe/London:20261209T150000"))
    # 15:00–16:00 Chicago, but marked free: blocks nothing.
    caldav_server.put("free", vevent("free", "DTSTART;TZID=America/Chicago:20261209T150000",
                                     "DTEND;TZID=America/Chicago:20261209T160000", "TRANSP:TRANSPARENT"))
    # 13:00 floating (no zone): the business's zone.
    caldav_server.put("lunch", vevent("lunch", "DTSTART:20261209T130000", "DTEND:20261209T133000"))
    assert connect(http, setup, caldav_server).status_code == 201
    assert slot_hours(http, setup) == [9, 12, 14, 15, 16]


def test_an_all_day_event_blocks_the_whole_local_day(org: Any, caldav_server: Any, clock: Any) -> None:
    setup, http = business(org), DjangoClient()
    caldav_server.put("off", vevent("off", "DTSTART;VALUE=DATE:20261209", "DTEND;VALUE=DATE:20261210"))
    assert connect(http, setup, caldav_server).status_code == 201
    assert slot_hours(http, setup) == []
    assert slot_hours(http, setup, WEDNESDAY + timedelta(days=1)) == ALL_HOURS
    with scope(organization=org):
        block = BusyBlock.objects.get()
    assert (block.starts_at, block.ends_at) == (chicago(WEDNESDAY, 0), chicago(WEDNESDAY + timedelta(days=1), 0))


def test_a_recurring_event_blocks_each_occurrence(org: Any, caldav_server: Any, clock: Any) -> None:
    setup, http = business(org), DjangoClient()
    caldav_server.put("standup", vevent("standup", "DTSTART;TZID=America/Chicago:20261207T090000",
                                        "DTEND;TZID=America/Chicago:20261207T093000", "RRULE:FREQ=DAILY;COUNT=5"))
    assert connect(http, setup, caldav_server).status_code == 201
    assert slot_hours(http, setup) == ALL_HOURS[1:]
    assert slot_hours(http, setup, WEDNESDAY + timedelta(days=1)) == ALL_HOURS[1:]


def test_a_booking_rechecks_a_copy_older_than_a_minute(org: Any, caldav_server: Any, clock: Any) -> None:
    setup, http = business(org), DjangoClient()
    assert connect(http, setup, caldav_server).status_code == 201
    # The coach adds an appointment on their phone; our copy does not know it yet.
    caldav_server.put("new", vevent("new", "DTSTART;TZID=America/Chicago:20261209T100000",
                                    "DTEND;TZID=America/Chicago:20261209T110000"))
    assert 10 in slot_hours(http, setup)  # the cached copy (under a minute old) still offers it
    clock.shift(timedelta(seconds=61))
    with scope(organization=org):
        client = ClientFactory(organization=org)
        with pytest.raises(SchedulingError) as refused:
            bookings.booking_create(coach=setup.coach, session_type=setup.session_type, client=client,
                                    starts_at=chicago(WEDNESDAY, 10), actor=None)
        assert refused.value.code == "taken"
        with pytest.raises(SchedulingError):  # the hold before a public booking re-checks too
            bookings.hold_create(coach=setup.coach, session_type=setup.session_type, starts_at=chicago(WEDNESDAY, 10))
        # The refused booking's re-read rolled back with it; the periodic poll brings the copy up to date.
        assert sync_jobs.calendars_poll(now=NOW + timedelta(minutes=6)) == {"synced": 1, "failed": 0, "renewed": 0}
    assert 10 not in slot_hours(http, setup)


def test_a_fresh_copy_is_not_read_again_and_an_unchanged_ctag_reads_no_events(org: Any, caldav_server: Any,
                                                                              clock: Any, monkeypatch: Any) -> None:
    setup, http = business(org), DjangoClient()
    caldav_server.put("a", vevent("a", "DTSTART;TZID=America/Chicago:20261209T100000",
                                  "DTEND;TZID=America/Chicago:20261209T110000"))
    assert connect(http, setup, caldav_server).status_code == 201
    import caldav

    searches: list[int] = []
    original = caldav.Calendar.search
    monkeypatch.setattr(caldav.Calendar, "search", lambda self, *a, **k: searches.append(1) or original(self, *a, **k))
    with scope(organization=org):
        services.refresh_if_stale(setup.coach)  # under a minute: nothing read
        assert searches == []
        clock.shift(timedelta(minutes=2))
        services.refresh_if_stale(setup.coach)  # stale, but the ctag is unchanged: no events read
        assert searches == []
        assert _connection(setup).last_synced_at is not None
        caldav_server.put("b", vevent("b", "DTSTART;TZID=America/Chicago:20261209T130000",
                                      "DTEND;TZID=America/Chicago:20261209T140000"))
        clock.shift(timedelta(minutes=2))
        services.refresh_if_stale(setup.coach)
        assert searches == [1]
    assert slot_hours(http, setup) == [9, 11, 12, 14, 15, 16]


def test_a_failing_calendar_keeps_blocking_and_is_shown(org: Any, caldav_server: Any, clock: Any) -> None:
    setup, http = business(org), DjangoClient()
    caldav_server.put("a", vevent("a", "DTSTART;TZID=America/Chicago:20261209T100000",
                                  "DTEND;TZID=America/Chicago:20261209T110000"))
    assert connect(http, setup, caldav_server).status_code == 201
    caldav_server.set_password("changed-on-the-server")  # the app password was revoked
    clock.shift(timedelta(minutes=2))
    with scope(organization=org):
        client = ClientFactory(organization=org)
        booking = bookings.booking_create(coach=setup.coach, session_type=setup.session_type, client=client,
                                          starts_at=chicago(WEDNESDAY, 12), actor=None)
        assert booking.pk  # booking still works
    listed = http.get(f"/api/v1/coaches/{setup.coach.pk}/calendars", **setup.headers).json()
    assert listed[0]["status"] == "revoked" and "Unauthorized" in listed[0]["status_detail"]
    assert 10 not in slot_hours(http, setup)  # the last known busy time still blocks


def test_disconnect_removes_the_secret_and_busy_times(org: Any, caldav_server: Any, clock: Any) -> None:
    setup, http = business(org), DjangoClient()
    caldav_server.put("a", vevent("a", "DTSTART;TZID=America/Chicago:20261209T100000",
                                  "DTEND;TZID=America/Chicago:20261209T110000"))
    calendar_id = connect(http, setup, caldav_server).json()["id"]
    assert 10 not in slot_hours(http, setup)
    response = http.delete(f"/api/v1/coaches/{setup.coach.pk}/calendars/{calendar_id}", **setup.headers)
    assert response.status_code == 204
    with scopes_disabled():
        assert CalendarConnection.objects.count() == 0 and BusyBlock.objects.count() == 0
    assert slot_hours(http, setup) == ALL_HOURS
