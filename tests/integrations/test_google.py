"""Google Calendar through the official client libraries (google-auth-oauthlib, google-api-python-client)
against a local stand-in of Google's endpoints: OAuth connect, busy times (time zones, all-day, free
events), incremental sync with sync tokens, push notifications, channel renewal, session events
written exactly once, a revoked grant, and disconnecting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from coachos.integrations import google_sync, services, sync_jobs, writes
from coachos.integrations.models import BusyBlock, CalendarConnection, RemoteEvent
from coachos.scheduling.services import bookings
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import ClientFactory, member

from .google_standin import GoogleState, google_standin
from .helpers import NOW, WEDNESDAY, business, chicago, slot_hours

pytestmark = pytest.mark.django_db

ALL_HOURS = [9, 10, 11, 12, 13, 14, 15, 16]


@pytest.fixture
def google(settings: Any, monkeypatch: Any) -> Iterator[GoogleState]:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the stand-in speaks plain HTTP on loopback
    with google_standin() as state:
        settings.GOOGLE_CLIENT_ID = "client-id.apps.googleusercontent.com"
        settings.GOOGLE_CLIENT_SECRET = "client-secret"
        settings.GOOGLE_AUTH_URI = f"{state.base}/auth"
        settings.GOOGLE_TOKEN_URI = f"{state.base}/token"
        settings.GOOGLE_CALENDAR_API_URL = state.api
        yield state


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


def _connect(setup: Any, google: GoogleState) -> tuple[DjangoClient, CalendarConnection]:
    """The coach's browser: Connect → Google's consent (skipped) → back with a code."""
    http = login_as(setup.coach_user)
    response = http.post(reverse("integrations:google_start", args=[setup.org.slug, setup.coach.pk]))
    assert response.status_code == 302 and response["Location"].startswith(google.base + "/auth?")
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["access_type"] == ["offline"] and "code_challenge" in query
    google.grant("good-code")
    response = http.get(reverse("google_calendar:oauth_callback"), {"state": query["state"][0], "code": "good-code"})
    assert response.status_code == 302, response.content
    with scope(organization=setup.org):
        return http, CalendarConnection.objects.get(coach=setup.coach)


def _event(event_id: str, start: dict[str, str], end: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"id": event_id, "summary": "Private", "start": start, "end": end, **extra}


def test_oauth_connect_stores_the_refresh_token_encrypted_and_watches(org: Any, google: GoogleState,
                                                                      clock: Any) -> None:
    setup = business(org)
    _http, connection = _connect(setup, google)
    assert connection.provider == "google" and connection.status == "active"
    assert connection.calendar_id == "coach@example.com" and connection.name == "Casey's calendar"
    assert connection.secret.startswith("fernet:") and "refresh-" not in connection.secret
    assert connection.channel_id in google.channels and connection.channel_expires_at is not None
    assert google.channels[connection.channel_id]["address"].endswith("/integrations/google/notifications/")
    listed = DjangoClient().get(f"/api/v1/coaches/{setup.coach.pk}/calendars", **setup.headers).json()
    assert [(c["provider"], c["status"], c["write_target"]) for c in listed] == [("google", "active", True)]


def test_a_forged_or_replayed_callback_connects_nothing(org: Any, other_org: Any, google: GoogleState,
                                                        clock: Any) -> None:
    setup = business(org)
    http = login_as(setup.coach_user)
    google.grant("good-code")
    response = http.get(reverse("google_calendar:oauth_callback"), {"state": "made-up", "code": "good-code"})
    assert response.status_code == 404
    with scopes_disabled():
        assert CalendarConnection.objects.count() == 0


def test_busy_events_block_slots_in_every_zone_and_all_day(org: Any, google: GoogleState, clock: Any) -> None:
    setup = business(org)
    # 10:30–11:15 Chicago as UTC; 13:00–14:00 given with London's offset (= 07:00 Chicago: no slot lost);
    # 15:00 marked free; Thursday all day.
    google.put(_event("dentist", {"dateTime": "2026-12-09T16:30:00Z"}, {"dateTime": "2026-12-09T17:15:00Z"}))
    google.put(_event("london", {"dateTime": "2026-12-09T13:00:00+00:00", "timeZone": "Europe/London"},
                      {"dateTime": "2026-12-09T14:00:00+00:00"}))
    google.put(_event("free", {"dateTime": "2026-12-09T15:00:00-06:00"}, {"dateTime": "2026-12-09T16:00:00-06:00"},
                      transparency="transparent"))
    google.put(_event("trip", {"date": "2026-12-10"}, {"date": "2026-12-11"}))
    _connect(setup, google)
    http = DjangoClient()
    assert slot_hours(http, setup) == [9, 12, 13, 14, 15, 16]
    assert slot_hours(http, setup, WEDNESDAY + timedelta(days=1)) == []
    with scope(organization=org):
        trip = BusyBlock.objects.get(source="trip")
    assert trip.starts_at == chicago(WEDNESDAY + timedelta(days=1), 0)


def test_incremental_sync_and_push_notifications(org: Any, google: GoogleState, clock: Any) -> None:
    setup = business(org)
    google.put(_event("a", {"dateTime": "2026-12-09T16:00:00Z"}, {"dateTime": "2026-12-09T17:00:00Z"}))
    _http, connection = _connect(setup, google)
    http = DjangoClient()
    assert 10 not in slot_hours(http, setup)
    token_before = connection.sync_state
    google.remove("a")
    google.put(_event("b", {"dateTime": "2026-12-09T19:00:00Z"}, {"dateTime": "2026-12-09T20:00:00Z"}))
    # Google calls us: a wrong token is refused and changes nothing; the right one reads the changes.
    url = reverse("google_calendar:notification")
    wrong = http.post(url, HTTP_X_GOOG_CHANNEL_ID=connection.channel_id, HTTP_X_GOOG_CHANNEL_TOKEN="guess",
                      HTTP_X_GOOG_RESOURCE_STATE="exists")
    assert wrong.status_code == 404
    assert 10 not in slot_hours(http, setup)
    google.requests.clear()
    ok = http.post(url, HTTP_X_GOOG_CHANNEL_ID=connection.channel_id,
                   HTTP_X_GOOG_CHANNEL_TOKEN=connection.channel_token, HTTP_X_GOOG_RESOURCE_STATE="exists")
    assert ok.status_code == 200
    assert slot_hours(http, setup) == [9, 10, 11, 12, 14, 15, 16]
    lists = [p for m, p in google.requests if m == "GET" and p.endswith("/events")]
    assert lists  # read with the sync token, not the whole window:
    with scope(organization=org):
        connection.refresh_from_db()
        assert connection.sync_state != token_before
        assert set(BusyBlock.objects.values_list("source", flat=True)) == {"b"}


def test_an_expired_sync_token_falls_back_to_a_full_read(org: Any, google: GoogleState, clock: Any) -> None:
    setup = business(org)
    _http, connection = _connect(setup, google)
    google.expired_tokens.add(connection.sync_state)
    google.put(_event("c", {"dateTime": "2026-12-09T16:00:00Z"}, {"dateTime": "2026-12-09T17:00:00Z"}))
    with scope(organization=org):
        services.connection_sync(connection=connection)
    assert 10 not in slot_hours(DjangoClient(), setup)


def test_channels_are_renewed_a_day_before_they_expire(org: Any, google: GoogleState, clock: Any) -> None:
    setup = business(org)
    _http, connection = _connect(setup, google)
    first = connection.channel_id
    assert sync_jobs.calendars_poll(now=NOW + timedelta(days=1))["renewed"] == 0
    result = sync_jobs.calendars_poll(now=NOW + timedelta(days=6, hours=1))
    assert result["renewed"] == 1
    with scope(organization=org):
        connection.refresh_from_db()
    assert connection.channel_id != first and first in google.stopped


def test_sessions_are_written_once_moved_and_removed(org: Any, google: GoogleState, clock: Any) -> None:
    setup = business(org)
    _connect(setup, google)
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name="Dana")
        booking = bookings.booking_create(coach=setup.coach, session_type=setup.session_type, client=client,
                                          starts_at=chicago(WEDNESDAY, 10), actor=None)
        event_id = writes.google_event_id(booking.session)
    assert writes.writes_run() == {"written": 1, "failed": 0}
    assert google.events[event_id]["summary"] == "Personal training · Dana"
    assert google.events[event_id]["start"]["dateTime"] == "2026-12-09T16:00:00+00:00"
    # Our own event does not block our own slot twice, nor the session when it moves.
    with scope(organization=org):
        services.connection_sync(connection=CalendarConnection.objects.get())
        assert not BusyBlock.objects.filter(source=event_id).exists()
        bookings.session_move(session=booking.session, starts_at=chicago(WEDNESDAY, 13), actor=None)
    assert writes.writes_run() == {"written": 1, "failed": 0}
    assert google.events[event_id]["start"]["dateTime"] == "2026-12-09T19:00:00+00:00"
    assert [p for m, p in google.requests if m == "POST" and p.endswith("/events")].__len__() == 1  # one insert
    with scope(organization=org):
        booking.refresh_from_db()
        bookings.booking_cancel(booking=booking, actor=None, by="coach")
    assert writes.writes_run() == {"written": 1, "failed": 0}
    assert google.events[event_id]["status"] == "cancelled"
    with scope(organization=org):
        assert RemoteEvent.objects.get().deleted


def test_a_lost_insert_answer_is_patched_not_duplicated(org: Any, google: GoogleState, clock: Any) -> None:
    setup = business(org)
    _http, connection = _connect(setup, google)
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name="Dana")
        booking = bookings.booking_create(coach=setup.coach, session_type=setup.session_type, client=client,
                                          starts_at=chicago(WEDNESDAY, 10), actor=None)
        content = writes.content_for(booking.session)
        event_id = writes.google_event_id(booking.session)
        google_sync.put_event(connection, event_id=event_id, content=content, exists=False)  # answer "lost"
    assert writes.writes_run() == {"written": 1, "failed": 0}
    assert [e for e in google.events if e.startswith("coachos")] == [event_id]


def test_a_revoked_grant_is_shown_and_keeps_blocking_then_disconnect_removes_it(org: Any, google: GoogleState,
                                                                                clock: Any) -> None:
    setup = business(org)
    google.put(_event("a", {"dateTime": "2026-12-09T16:00:00Z"}, {"dateTime": "2026-12-09T17:00:00Z"}))
    http, connection = _connect(setup, google)
    google.revoke_all()
    with scope(organization=org):
        connection = services.connection_sync(connection=connection)
    assert connection.status == "revoked" and "refused" in connection.status_detail
    assert 10 not in slot_hours(DjangoClient(), setup)
    page = http.get(reverse("integrations:coach", args=[org.slug, setup.coach.pk]))
    assert b"Access refused" in page.content and b"keep blocking" in page.content
    response = http.post(reverse("integrations:connection_disconnect", args=[org.slug, connection.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        assert CalendarConnection.objects.count() == 0 and BusyBlock.objects.count() == 0
    assert slot_hours(DjangoClient(), setup) == ALL_HOURS


def test_another_coach_cannot_start_a_connect_for_a_colleague(org: Any, google: GoogleState, clock: Any) -> None:
    setup = business(org)
    colleague = login_as(member(org, Role.COACH, email="colleague@example.com"))
    response = colleague.post(reverse("integrations:google_start", args=[org.slug, setup.coach.pk]))
    assert response.status_code == 403
