"""The scheduling JSON API contract: coaches, session types, slots, bookings, recurring bookings, sessions."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.scheduling.models import (
    AvailabilityAddition,
    BlockedSlot,
    Booking,
    Coach,
    RecurringBooking,
    SessionType,
    TrainingSession,
    WeeklyAvailability,
)
from coachos.tenancy.models import AuditEntry, Organization
from coachos.tenancy.roles import Role
from tests.conftest import bearer
from tests.factories import (
    BlockedSlotFactory,
    BookingFactory,
    ClientFactory,
    CoachFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
    member,
)

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
CHICAGO, LONDON = ZoneInfo("America/Chicago"), ZoneInfo("Europe/London")
# Monday 2 March 2026, 06:00 in Chicago: a week before the US DST change (8 March) and four
# weeks before the UK one (29 March).
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def chicago(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


def call(http: DjangoClient, method: str, path: str, headers: dict[str, str], body: Any = None) -> Any:
    kwargs: dict[str, Any] = dict(headers)
    if body is not None:
        kwargs.update(data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")
    elif method != "get":
        kwargs.update(data="", content_type="application/json")  # no body at all
    return getattr(http, method)(path, **kwargs)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    return body


def state(org: Organization) -> dict[str, Any]:
    """Everything a refused request must leave as it was."""
    with scopes_disabled():
        models = (TrainingSession, Booking, BlockedSlot, AvailabilityAddition, WeeklyAvailability, SessionType,
                  RecurringBooking, AuditEntry)
        rows = {m.__name__: list(m.objects.filter(organization=org).order_by("pk").values()) for m in models}
        rows["Coach"] = list(Coach.objects.filter(organization=org).order_by("pk").values())
        return rows


@pytest.fixture
def now(time_machine: Any) -> datetime:
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def setup(now: datetime, org: Organization, owner: Any) -> dict[str, Any]:
    coach = CoachFactory(organization=org, min_notice_minutes=0, slot_step_minutes=30)
    for weekday in range(5):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(9), end_time=time(12))
    session_type = SessionTypeFactory(organization=org, duration_minutes=60)
    client = ClientFactory(organization=org)
    return {"coach": coach, "type": session_type, "client": client, "headers": bearer(owner, org),
            "coach_headers": bearer(coach.membership.user, org)}


def book(http: DjangoClient, s: dict[str, Any], starts_at: datetime, client: Any = None) -> Any:
    body = {"coach": s["coach"].pk, "session_type": s["type"].pk, "client": (client or s["client"]).pk,
            "starts_at": starts_at.isoformat()}
    return call(http, "post", "/api/v1/bookings", s["headers"], body)


def slot_starts(http: DjangoClient, s: dict[str, Any], start: str, end: str, tz: str | None = None) -> list[str]:
    params = {"coach": s["coach"].pk, "session_type": s["type"].pk, "start": start, "end": end}
    if tz:
        params["tz"] = tz
    response = http.get("/api/v1/slots", params, **s["headers"])
    assert response.status_code == 200, response.content
    return [slot["starts_at"] for slot in response.json()["slots"]]


# --- coaches and their settings -----------------------------------------------------------------

def test_coach_list(client: DjangoClient, setup: dict[str, Any], other_org: Organization) -> None:
    CoachFactory(organization=other_org)

    response = client.get("/api/v1/coaches", **setup["headers"])

    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert [c["id"] for c in body] == [setup["coach"].pk]
    coach = body[0]
    assert coach["name"] == setup["coach"].name
    assert coach["active"] is True
    assert coach["slot_step_minutes"] == 30
    assert coach["max_per_day"] is None
    assert {"buffer_before_minutes", "buffer_after_minutes", "min_notice_minutes", "horizon_days", "max_per_week",
            "default_session_minutes", "cancellation_window_hours"} <= set(coach)


def test_owner_patches_coach_settings_and_it_is_audited(client: DjangoClient, setup: dict[str, Any],
                                                        org: Organization) -> None:
    coach = setup["coach"]
    changes = {"buffer_before_minutes": 10, "buffer_after_minutes": 15, "min_notice_minutes": 240,
               "horizon_days": 30, "max_per_day": 4, "max_per_week": 12, "slot_step_minutes": 15,
               "default_session_minutes": 45, "cancellation_window_hours": 12}

    response = call(client, "patch", f"/api/v1/coaches/{coach.pk}/settings", setup["headers"], changes)

    assert response.status_code == 200
    assert response.json() == {**response.json(), **changes, "id": coach.pk}
    with scopes_disabled():
        coach.refresh_from_db()
        entry = AuditEntry.objects.get(organization=org, action="coach.settings_updated")
    assert {f: getattr(coach, f) for f in changes} == changes
    assert entry.data["changed"]["slot_step_minutes"] == ["30", "15"]


def test_a_subset_of_settings_and_null_clears_a_limit(client: DjangoClient, setup: dict[str, Any]) -> None:
    coach = setup["coach"]
    with scopes_disabled():
        Coach.objects.filter(pk=coach.pk).update(max_per_day=3)

    response = call(client, "patch", f"/api/v1/coaches/{coach.pk}/settings", setup["headers"],
                    {"max_per_day": None, "horizon_days": 90})

    assert response.status_code == 200
    assert response.json()["max_per_day"] is None
    assert response.json()["slot_step_minutes"] == 30  # untouched
    with scopes_disabled():
        coach.refresh_from_db()
    assert (coach.max_per_day, coach.horizon_days) == (None, 90)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"slot_step_minutes": 15, "feed_token": "x"}, "feed_token"),
        ({"display_name": "Renamed"}, "display_name"),
        ({"slot_step_minutes": 0}, "slot_step_minutes"),
        ({"slot_step_minutes": None}, "slot_step_minutes"),
        ({"buffer_before_minutes": -5}, "buffer_before_minutes"),
        ({"horizon_days": 10_000}, "horizon_days"),
        ({"max_per_day": 0}, "max_per_day"),
        ({"max_per_week": 10**30}, "max_per_week"),
        ({"min_notice_minutes": "soon"}, "min_notice_minutes"),
    ],
)
def test_invalid_settings_are_422_and_change_nothing(client: DjangoClient, setup: dict[str, Any], org: Organization,
                                                     body: dict[str, Any], field: str) -> None:
    before = state(org)

    response = call(client, "patch", f"/api/v1/coaches/{setup['coach'].pk}/settings", setup["headers"], body)

    problem = assert_problem(response, 422)
    assert field in [e["field"] for e in problem["errors"]]
    assert state(org) == before


def test_settings_body_that_is_not_json_is_400(client: DjangoClient, setup: dict[str, Any], org: Organization) -> None:
    before = state(org)

    response = call(client, "patch", f"/api/v1/coaches/{setup['coach'].pk}/settings", setup["headers"], "{nope")

    assert_problem(response, 400)
    assert state(org) == before


def test_a_coach_changes_their_own_settings(client: DjangoClient, setup: dict[str, Any]) -> None:
    coach = setup["coach"]

    response = call(client, "patch", f"/api/v1/coaches/{coach.pk}/settings", setup["coach_headers"],
                    {"buffer_after_minutes": 5})

    assert response.status_code == 200
    assert response.json()["buffer_after_minutes"] == 5


def test_a_coach_cannot_change_another_coachs_settings_or_hours(client: DjangoClient, setup: dict[str, Any],
                                                                org: Organization) -> None:
    other = CoachFactory(organization=org)
    headers = setup["coach_headers"]
    before = state(org)
    starts = chicago(3, 4, 9).isoformat()
    ends = chicago(3, 4, 10).isoformat()

    assert_problem(call(client, "patch", f"/api/v1/coaches/{other.pk}/settings", headers,
                        {"slot_step_minutes": 15}), 403)
    assert_problem(call(client, "put", f"/api/v1/coaches/{other.pk}/weekly-availability", headers, []), 403)
    assert_problem(call(client, "post", f"/api/v1/coaches/{other.pk}/blocked-slots", headers,
                        {"starts_at": starts, "ends_at": ends}), 403)
    assert_problem(call(client, "post", f"/api/v1/coaches/{other.pk}/availability-additions", headers,
                        {"starts_at": starts, "ends_at": ends}), 403)

    assert state(org) == before
    # Reading is for the whole team.
    assert client.get(f"/api/v1/coaches/{other.pk}/weekly-availability", **headers).status_code == 200


def test_front_desk_reads_but_cannot_change_a_coachs_settings(client: DjangoClient, setup: dict[str, Any],
                                                              org: Organization) -> None:
    headers = bearer(member(org, Role.STAFF, email="desk@example.com"), org)
    before = state(org)

    assert_problem(call(client, "patch", f"/api/v1/coaches/{setup['coach'].pk}/settings", headers,
                        {"slot_step_minutes": 15}), 403)
    assert state(org) == before
    assert client.get("/api/v1/coaches", **headers).status_code == 200


def test_a_coach_of_another_business_is_404(client: DjangoClient, setup: dict[str, Any], other_org: Organization) -> None:
    foreign = CoachFactory(organization=other_org)

    assert_problem(call(client, "patch", f"/api/v1/coaches/{foreign.pk}/settings", setup["headers"],
                        {"slot_step_minutes": 15}), 404)
    assert_problem(client.get(f"/api/v1/coaches/{foreign.pk}/weekly-availability", **setup["headers"]), 404)
    # Found (or not) before the body is read: an invalid body does not make it a 422.
    assert_problem(call(client, "put", f"/api/v1/coaches/{foreign.pk}/weekly-availability", setup["headers"],
                        {"not": "a list"}), 404)
    assert_problem(call(client, "post", f"/api/v1/coaches/{foreign.pk}/blocked-slots", setup["headers"], {}), 404)
    with scopes_disabled():
        foreign.refresh_from_db()
    assert foreign.slot_step_minutes == 30


# --- weekly availability --------------------------------------------------------------------------

def test_replace_the_weekly_hours(client: DjangoClient, setup: dict[str, Any], org: Organization) -> None:
    coach = setup["coach"]
    url = f"/api/v1/coaches/{coach.pk}/weekly-availability"
    ranges = [
        {"weekday": "mon", "start_time": "07:00", "end_time": "11:30"},
        {"weekday": "mon", "start_time": "13:00", "end_time": "18:00", "for_group": True},
        {"weekday": "sat", "start_time": "08:00", "end_time": "10:00", "for_individual": False, "for_group": True},
    ]

    response = call(client, "put", url, setup["headers"], ranges)

    assert response.status_code == 200
    body = response.json()
    assert [(r["weekday"], r["start_time"], r["end_time"], r["for_individual"], r["for_group"])
            for r in body["ranges"]] == [("mon", "07:00", "11:30", True, False), ("mon", "13:00", "18:00", True, True),
                                         ("sat", "08:00", "10:00", False, True)]
    assert body["conflicts"] == []
    with scopes_disabled():
        stored = sorted((w.weekday, w.start_time) for w in WeeklyAvailability.objects.filter(coach=coach))
    assert stored == [(0, time(7)), (0, time(13)), (5, time(8))]
    assert client.get(url, **setup["headers"]).json() == body
    # The slot engine uses the new hours at once.
    assert slot_starts(client, setup, "2026-03-07", "2026-03-07") == []  # Saturday: group only
    assert slot_starts(client, setup, "2026-03-09", "2026-03-09")[0] == "2026-03-09T07:00:00-05:00"


def test_sessions_outside_new_hours_are_reported_as_conflicts_not_cancelled(
    client: DjangoClient, setup: dict[str, Any]
) -> None:
    coach = setup["coach"]
    tuesday = TrainingSessionFactory(coach=coach, session_type=setup["type"], starts_at=chicago(3, 3, 10),
                                     ends_at=chicago(3, 3, 11))
    monday = TrainingSessionFactory(coach=coach, session_type=setup["type"], starts_at=chicago(3, 9, 10),
                                    ends_at=chicago(3, 9, 11))

    response = call(client, "put", f"/api/v1/coaches/{coach.pk}/weekly-availability", setup["headers"],
                    [{"weekday": "mon", "start_time": "09:00", "end_time": "12:00"}])

    assert response.status_code == 200
    assert response.json()["conflicts"] == [tuesday.pk]
    with scopes_disabled():
        assert TrainingSession.objects.get(pk=tuesday.pk).status == TrainingSession.Status.SCHEDULED
        assert TrainingSession.objects.get(pk=monday.pk).status == TrainingSession.Status.SCHEDULED


def test_an_empty_list_clears_the_weekly_hours(client: DjangoClient, setup: dict[str, Any]) -> None:
    response = call(client, "put", f"/api/v1/coaches/{setup['coach'].pk}/weekly-availability", setup["headers"], [])

    assert response.status_code == 200
    assert response.json()["ranges"] == []
    assert slot_starts(client, setup, "2026-03-03", "2026-03-06") == []


@pytest.mark.parametrize(
    "body",
    [
        [{"weekday": "mon", "start_time": "09:00", "end_time": "12:00"},
         {"weekday": "mon", "start_time": "11:00", "end_time": "14:00"}],
        [{"weekday": "mon", "start_time": "12:00", "end_time": "09:00"}],
        [{"weekday": "mon", "start_time": "09:00", "end_time": "09:00"}],
        [{"weekday": "monday", "start_time": "09:00", "end_time": "12:00"}],
        [{"weekday": 0, "start_time": "09:00", "end_time": "12:00"}],
        [{"weekday": "mon", "start_time": "9:00", "end_time": "12:00"}],
        [{"weekday": "mon", "start_time": "09:00", "end_time": "24:00"}],
        [{"weekday": "mon", "start_time": "09:00:00", "end_time": "12:00"}],
        [{"weekday": "mon", "start_time": "09:00"}],
        [{"weekday": "mon", "start_time": "09:00", "end_time": "12:00", "room": 1}],
        {"weekday": "mon", "start_time": "09:00", "end_time": "12:00"},
        [{"weekday": "mon", "start_time": "09:00", "end_time": "09:30"}] * 71,
    ],
    ids=["overlap", "backwards", "empty-range", "long-day-name", "day-number", "h:mm", "24:00", "seconds",
         "no-end", "unknown-field", "not-a-list", "too-many"],
)
def test_invalid_weekly_hours_are_422_and_change_nothing(client: DjangoClient, setup: dict[str, Any],
                                                         org: Organization, body: Any) -> None:
    before = state(org)

    response = call(client, "put", f"/api/v1/coaches/{setup['coach'].pk}/weekly-availability", setup["headers"], body)

    problem = assert_problem(response, 422)
    assert problem["detail"]
    assert state(org) == before


# --- blocked time and extra hours ---------------------------------------------------------------

@pytest.mark.parametrize(("path", "model"), [("blocked-slots", BlockedSlot),
                                             ("availability-additions", AvailabilityAddition)])
def test_create_list_and_delete_blocked_time_and_additions(client: DjangoClient, setup: dict[str, Any],
                                                           path: str, model: type) -> None:
    url = f"/api/v1/coaches/{setup['coach'].pk}/{path}"
    body = {"starts_at": "2026-03-04T15:00:00Z", "ends_at": "2026-03-04T17:30:00+00:00", "reason": "Dentist"}

    response = call(client, "post", url, setup["headers"], body)

    assert response.status_code == 201
    created = response.json()
    # Shown in the business's zone.
    assert created["starts_at"] == "2026-03-04T09:00:00-06:00"
    assert created["ends_at"] == "2026-03-04T11:30:00-06:00"
    assert created["reason"] == "Dentist"
    with scopes_disabled():
        row = model.objects.get(pk=created["id"])
    assert row.starts_at == datetime(2026, 3, 4, 15, tzinfo=UTC)
    assert [item["id"] for item in client.get(url, **setup["headers"]).json()] == [created["id"]]

    response = client.delete(f"{url}/{created['id']}", **setup["headers"])

    assert response.status_code == 204
    with scopes_disabled():
        assert not model.objects.filter(pk=created["id"]).exists()


def test_blocked_time_removes_slots_and_an_addition_adds_them(client: DjangoClient, setup: dict[str, Any]) -> None:
    coach_url = f"/api/v1/coaches/{setup['coach'].pk}"
    assert len(slot_starts(client, setup, "2026-03-04", "2026-03-04")) == 5  # 09:00 … 11:00

    call(client, "post", f"{coach_url}/blocked-slots", setup["headers"],
         {"starts_at": chicago(3, 4, 9).isoformat(), "ends_at": chicago(3, 4, 11).isoformat()})
    call(client, "post", f"{coach_url}/availability-additions", setup["headers"],
         {"starts_at": chicago(3, 4, 18).isoformat(), "ends_at": chicago(3, 4, 19).isoformat()})

    assert slot_starts(client, setup, "2026-03-04", "2026-03-04") == [
        "2026-03-04T11:00:00-06:00", "2026-03-04T18:00:00-06:00"]


@pytest.mark.parametrize("path", ["blocked-slots", "availability-additions"])
@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"starts_at": "2026-03-04T09:00:00", "ends_at": "2026-03-04T10:00:00-06:00"}, "offset"),
        ({"starts_at": "2026-03-04T09:00:00-06:00", "ends_at": "2026-03-04T10:00:00"}, "offset"),
        ({"starts_at": "2026-03-04T10:00:00-06:00", "ends_at": "2026-03-04T09:00:00-06:00"}, "end"),
        ({"starts_at": "next tuesday", "ends_at": "2026-03-04T10:00:00-06:00"}, "ISO 8601"),
        ({"starts_at": 1772600000, "ends_at": "2026-03-04T10:00:00-06:00"}, "ISO 8601"),
        ({"starts_at": "9999-12-31T23:00:00-12:00", "ends_at": "9999-12-31T23:30:00-12:00"}, "2199"),
        ({"starts_at": "2026-03-04T09:00:00-06:00"}, "ends_at"),
        ({"starts_at": "2026-03-04T09:00:00-06:00", "ends_at": "2026-03-04T10:00:00-06:00", "reason": "a\x00b"},
         "NUL"),
        ({"starts_at": "2026-03-04T09:00:00-06:00", "ends_at": "2026-03-04T10:00:00-06:00", "reason": "x" * 201},
         "reason"),
        ({"starts_at": "2026-03-04T09:00:00-06:00", "ends_at": "2026-03-04T10:00:00-06:00", "coach": 1}, "coach"),
    ],
    ids=["naive-start", "naive-end", "backwards", "words", "number", "far-future", "missing", "nul", "long",
         "unknown-field"],
)
def test_invalid_blocked_time_or_addition_is_422_and_changes_nothing(
    client: DjangoClient, setup: dict[str, Any], org: Organization, path: str, body: dict[str, Any], mentions: str
) -> None:
    before = state(org)

    response = call(client, "post", f"/api/v1/coaches/{setup['coach'].pk}/{path}", setup["headers"], body)

    problem = assert_problem(response, 422)
    assert mentions in problem["detail"]
    assert state(org) == before


def test_a_naive_time_gets_a_clear_message(client: DjangoClient, setup: dict[str, Any]) -> None:
    response = call(client, "post", f"/api/v1/coaches/{setup['coach'].pk}/blocked-slots", setup["headers"],
                    {"starts_at": "2026-03-04T09:00:00", "ends_at": "2026-03-04T10:00:00Z"})

    problem = assert_problem(response, 422)
    assert problem["errors"] == [{"field": "starts_at", "message": (
        "This time has no UTC offset, so it is ambiguous. Add one, e.g. 2026-03-10T10:00:00-05:00 (or Z for UTC).")}]


def test_blocked_time_of_another_coach_cannot_be_deleted_through_this_coach(
    client: DjangoClient, setup: dict[str, Any], org: Organization
) -> None:
    other = BlockedSlotFactory(coach=CoachFactory(organization=org))

    assert_problem(client.delete(f"/api/v1/coaches/{setup['coach'].pk}/blocked-slots/{other.pk}",
                                 **setup["headers"]), 404)
    with scopes_disabled():
        assert BlockedSlot.objects.filter(pk=other.pk).exists()


# --- session types --------------------------------------------------------------------------------

def test_create_and_list_session_types(client: DjangoClient, setup: dict[str, Any], org: Organization) -> None:
    body = {"name": "Small group HIIT", "duration_minutes": 45, "capacity": 6, "price_minor": 2500,
            "color": "#1e88e5", "location": "Studio B", "video_url": "https://meet.example.com/hiit",
            "bookable_online": False}

    response = call(client, "post", "/api/v1/session-types", setup["headers"], body)

    assert response.status_code == 201
    created = response.json()
    assert created == {**created, **body, "active": True}
    with scopes_disabled():
        assert SessionType.objects.get(pk=created["id"]).organization == org
        assert AuditEntry.objects.filter(organization=org, action="session_type.created").count() == 1
    listed = client.get("/api/v1/session-types", **setup["headers"]).json()
    assert {t["id"] for t in listed} == {setup["type"].pk, created["id"]}


def test_a_session_type_with_only_the_required_fields(client: DjangoClient, setup: dict[str, Any]) -> None:
    response = call(client, "post", "/api/v1/session-types", setup["headers"],
                    {"name": "PT", "duration_minutes": 60, "capacity": 1, "price_minor": 0})

    assert response.status_code == 201
    assert response.json()["bookable_online"] is True
    assert response.json()["color"] == "#00895a"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 721}, "duration_minutes"),
        ({"capacity": 0}, "capacity"),
        ({"price_minor": -1}, "price_minor"),
        ({"price_minor": 10**12}, "price_minor"),
        ({"color": "red"}, "color"),
        ({"video_url": "not a url"}, "video_url"),
        ({"video_url": "javascript:alert(1)"}, "video_url"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_session_type_is_422_and_changes_nothing(client: DjangoClient, setup: dict[str, Any],
                                                         org: Organization, change: dict[str, Any], field: str) -> None:
    body = {"name": "PT", "duration_minutes": 60, "capacity": 1, "price_minor": 0, **change}
    before = state(org)

    response = call(client, "post", "/api/v1/session-types", setup["headers"], body)

    problem = assert_problem(response, 422)
    assert field in problem["detail"]
    assert state(org) == before


def test_session_types_are_created_by_the_owner_only(client: DjangoClient, setup: dict[str, Any],
                                                     org: Organization) -> None:
    before = state(org)

    response = call(client, "post", "/api/v1/session-types", setup["coach_headers"],
                    {"name": "PT", "duration_minutes": 60, "capacity": 1, "price_minor": 0})

    assert_problem(response, 403)
    assert state(org) == before
    assert client.get("/api/v1/session-types", **setup["coach_headers"]).status_code == 200


# --- slots ----------------------------------------------------------------------------------------

def test_slots_in_the_business_zone(client: DjangoClient, setup: dict[str, Any]) -> None:
    response = client.get("/api/v1/slots", {"coach": setup["coach"].pk, "session_type": setup["type"].pk,
                                            "start": "2026-03-04", "end": "2026-03-04"}, **setup["headers"])

    assert response.status_code == 200
    assert response.json() == {"slots": [
        {"starts_at": f"2026-03-04T{h}:00-06:00", "ends_at": f"2026-03-04T{e}:00-06:00"}
        for h, e in [("09:00", "10:00"), ("09:30", "10:30"), ("10:00", "11:00"), ("10:30", "11:30"),
                     ("11:00", "12:00")]
    ]}


def test_slots_keep_local_hours_across_the_dst_change(client: DjangoClient, setup: dict[str, Any]) -> None:
    starts = slot_starts(client, setup, "2026-03-06", "2026-03-09")

    # Friday before the change (CST), Monday after it (CDT): 09:00 local both days.
    assert starts[0] == "2026-03-06T09:00:00-06:00"
    assert "2026-03-09T09:00:00-05:00" in starts
    assert len(starts) == 10


def test_slots_in_another_zone_show_the_same_instants_and_read_the_dates_there(
    client: DjangoClient, setup: dict[str, Any]
) -> None:
    coach = setup["coach"]
    with scopes_disabled():
        WeeklyAvailability.objects.filter(coach=coach).delete()
    WeeklyAvailabilityFactory(coach=coach, weekday=6, start_time=time(19), end_time=time(21))  # Sunday evening
    WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(9), end_time=time(10))   # Monday morning
    call(client, "patch", f"/api/v1/coaches/{coach.pk}/settings", setup["headers"], {"slot_step_minutes": 60})

    in_chicago = slot_starts(client, setup, "2026-03-22", "2026-03-30")
    in_london = slot_starts(client, setup, "2026-03-22", "2026-03-30", tz="Europe/London")

    assert in_chicago == [
        "2026-03-22T19:00:00-05:00", "2026-03-22T20:00:00-05:00", "2026-03-23T09:00:00-05:00",
        "2026-03-29T19:00:00-05:00", "2026-03-29T20:00:00-05:00", "2026-03-30T09:00:00-05:00",
    ]
    # The same instants, shown in London: GMT (+00:00) before 29 March, BST (+01:00) after.
    assert [datetime.fromisoformat(s) for s in in_london] == [datetime.fromisoformat(s) for s in in_chicago]
    assert in_london == [
        "2026-03-23T00:00:00+00:00", "2026-03-23T01:00:00+00:00", "2026-03-23T14:00:00+00:00",
        "2026-03-30T01:00:00+01:00", "2026-03-30T02:00:00+01:00", "2026-03-30T15:00:00+01:00",
    ]
    # The dates are days in London: Sunday evening in Chicago is already Monday there.
    assert slot_starts(client, setup, "2026-03-29", "2026-03-29", tz="Europe/London") == []
    assert slot_starts(client, setup, "2026-03-30", "2026-03-30", tz="Europe/London") == [
        "2026-03-30T01:00:00+01:00", "2026-03-30T02:00:00+01:00", "2026-03-30T15:00:00+01:00"]
    assert slot_starts(client, setup, "2026-03-29", "2026-03-29") == [
        "2026-03-29T19:00:00-05:00", "2026-03-29T20:00:00-05:00"]


def test_a_zone_ahead_of_utc_reads_its_own_dates(client: DjangoClient, setup: dict[str, Any]) -> None:
    # 09:00–12:00 Wednesday in Chicago is 00:00–03:00 Thursday in Tokyo.
    assert slot_starts(client, setup, "2026-03-05", "2026-03-05", tz="Asia/Tokyo") == [
        f"2026-03-05T{h}+09:00" for h in ("00:00:00", "00:30:00", "01:00:00", "01:30:00", "02:00:00")]
    assert len(slot_starts(client, setup, "2026-03-04", "2026-03-04", tz="Asia/Tokyo")) == 5  # Tuesday's


def test_booked_times_leave_the_slots(client: DjangoClient, setup: dict[str, Any]) -> None:
    assert book(client, setup, chicago(3, 4, 10)).status_code == 201

    assert slot_starts(client, setup, "2026-03-04", "2026-03-04") == [
        "2026-03-04T09:00:00-06:00", "2026-03-04T11:00:00-06:00"]


def test_an_inactive_coach_or_type_has_no_slots(client: DjangoClient, setup: dict[str, Any]) -> None:
    with scopes_disabled():
        SessionType.objects.filter(pk=setup["type"].pk).update(bookable_online=False)

    assert slot_starts(client, setup, "2026-03-04", "2026-03-04") == []


def test_a_range_of_62_days_is_allowed(client: DjangoClient, setup: dict[str, Any]) -> None:
    assert len(slot_starts(client, setup, "2026-03-02", "2026-05-02")) > 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"tz": "Mars/Olympus_Mons"}, "tz"),
        ({"tz": "../../etc/passwd"}, "tz"),
        ({"tz": ""}, "tz"),
        ({"start": "2026-03-10", "end": "2026-03-09"}, "end"),
        ({"start": "2026-03-01", "end": "2026-05-02"}, "end"),
        ({"start": "2026-03-01", "end": "2027-03-01"}, "end"),
        ({"start": "03/04/2026"}, "start"),
        ({"start": "2026-02-30"}, "start"),
        ({"end": "9999-12-31"}, "end"),
        ({"coach": "abc"}, "coach"),
        ({"coach": None}, "coach"),
        ({"session_type": -1}, "session_type"),
    ],
)
def test_invalid_slot_queries_are_422(client: DjangoClient, setup: dict[str, Any], params: dict[str, Any],
                                      field: str) -> None:
    query = {"coach": setup["coach"].pk, "session_type": setup["type"].pk, "start": "2026-03-04",
             "end": "2026-03-04", **params}
    query = {k: v for k, v in query.items() if v is not None}

    problem = assert_problem(client.get("/api/v1/slots", query, **setup["headers"]), 422)

    assert any(e["field"].endswith(field) for e in problem["errors"]), problem


def test_unknown_or_foreign_coach_or_type_is_404_for_slots(client: DjangoClient, setup: dict[str, Any],
                                                          other_org: Organization) -> None:
    foreign_coach, foreign_type = CoachFactory(organization=other_org), SessionTypeFactory(organization=other_org)
    base = {"coach": setup["coach"].pk, "session_type": setup["type"].pk, "start": "2026-03-04", "end": "2026-03-04"}

    for change in ({"coach": 999999}, {"session_type": 999999}, {"coach": foreign_coach.pk},
                   {"session_type": foreign_type.pk}):
        assert_problem(client.get("/api/v1/slots", {**base, **change}, **setup["headers"]), 404)


# --- bookings -------------------------------------------------------------------------------------

def test_book_an_open_time(client: DjangoClient, setup: dict[str, Any], org: Organization) -> None:
    response = book(client, setup, datetime(2026, 3, 4, 16, tzinfo=UTC))  # 10:00 in Chicago

    assert response.status_code == 201
    body = response.json()
    assert body["starts_at"] == "2026-03-04T10:00:00-06:00"
    assert body["ends_at"] == "2026-03-04T11:00:00-06:00"
    assert body["status"] == "confirmed"
    assert (body["coach"], body["session_type"], body["client"]) == (setup["coach"].pk, setup["type"].pk,
                                                                      setup["client"].pk)
    with scopes_disabled():
        booking = Booking.objects.get(pk=body["id"])
        assert booking.session_id == body["session"]
        assert AuditEntry.objects.filter(organization=org, action="booking.created").count() == 1
    assert client.get(f"/api/v1/bookings/{body['id']}", **setup["headers"]).json() == body


def test_a_taken_time_is_409_and_changes_nothing(client: DjangoClient, setup: dict[str, Any], org: Organization) -> None:
    assert book(client, setup, chicago(3, 4, 10)).status_code == 201
    before = state(org)

    for starts_at in (chicago(3, 4, 10), chicago(3, 4, 10, 30)):
        response = book(client, setup, starts_at, client=ClientFactory(organization=org))
        problem = assert_problem(response, 409)
        assert problem["code"] == "taken"
        assert "taken" in problem["detail"]

    assert state(org) == before


@pytest.mark.parametrize(
    ("starts_at", "code"),
    [
        (chicago(3, 4, 7), "unavailable"),      # before the coach's hours
        (chicago(3, 4, 11, 30), "unavailable"),  # would end after them
        (chicago(3, 4, 9, 10), "unavailable"),  # not on the 30-minute step
        (chicago(3, 7, 10), "unavailable"),      # Saturday
        (chicago(3, 2, 5), "unavailable"),       # in the past
        (chicago(6, 1, 10), "unavailable"),      # beyond the 60-day horizon
    ],
)
def test_a_time_that_is_not_open_is_409(client: DjangoClient, setup: dict[str, Any], org: Organization,
                                        starts_at: datetime, code: str) -> None:
    before = state(org)

    problem = assert_problem(book(client, setup, starts_at), 409)

    assert problem["code"] == code
    assert state(org) == before


def test_the_per_day_limit_is_409(client: DjangoClient, setup: dict[str, Any], org: Organization) -> None:
    call(client, "patch", f"/api/v1/coaches/{setup['coach'].pk}/settings", setup["headers"], {"max_per_day": 1})
    assert book(client, setup, chicago(3, 4, 9)).status_code == 201

    problem = assert_problem(book(client, setup, chicago(3, 4, 11), client=ClientFactory(organization=org)), 409)

    assert problem["code"] == "limit"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "2026-03-04T10:00:00"}, "starts_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"client": 999999}, "client"),
        ({"coach": 999999}, "coach"),
        ({"session_type": 999999}, "session_type"),
        ({"client": "x"}, "client"),
        ({"coach": None}, "coach"),
        ({"note": "x" * 2001}, "note"),
        ({"status": "confirmed"}, "status"),
    ],
)
def test_invalid_booking_is_422_and_changes_nothing(client: DjangoClient, setup: dict[str, Any], org: Organization,
                                                    change: dict[str, Any], field: str) -> None:
    body = {"coach": setup["coach"].pk, "session_type": setup["type"].pk, "client": setup["client"].pk,
            "starts_at": chicago(3, 4, 10).isoformat(), **change}
    before = state(org)

    problem = assert_problem(call(client, "post", "/api/v1/bookings", setup["headers"], body), 422)

    assert field in [e["field"] for e in problem["errors"]]
    assert state(org) == before


def test_another_businesss_client_cannot_be_booked(client: DjangoClient, setup: dict[str, Any], org: Organization,
                                                   other_org: Organization) -> None:
    foreign = ClientFactory(organization=other_org)
    before = state(org)

    problem = assert_problem(book(client, setup, chicago(3, 4, 10), client=foreign), 422)

    assert problem["errors"] == [{"field": "client", "message": "No such client in this business."}]
    assert state(org) == before


def test_cancel_a_booking(client: DjangoClient, setup: dict[str, Any], org: Organization) -> None:
    booking_id = book(client, setup, chicago(3, 4, 10)).json()["id"]

    response = call(client, "post", f"/api/v1/bookings/{booking_id}/cancel", setup["headers"], {"reason": "Ill"})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled_by_coach"
    assert response.json()["cancelled_at"] == "2026-03-02T06:00:00-06:00"
    with scopes_disabled():
        entry = AuditEntry.objects.get(organization=org, action="booking.cancelled")
    assert entry.data["reason"] == "Ill"
    assert entry.data["by"] == "coach"
    # The time is open again.
    assert "2026-03-04T10:00:00-06:00" in slot_starts(client, setup, "2026-03-04", "2026-03-04")


def test_cancel_without_a_body_and_twice(client: DjangoClient, setup: dict[str, Any], org: Organization) -> None:
    booking_id = book(client, setup, chicago(3, 4, 10)).json()["id"]

    assert call(client, "post", f"/api/v1/bookings/{booking_id}/cancel", setup["headers"]).status_code == 200
    before = state(org)
    problem = assert_problem(call(client, "post", f"/api/v1/bookings/{booking_id}/cancel", setup["headers"]), 422)

    assert "already" in problem["detail"]
    assert state(org) == before


def test_reschedule_a_booking(client: DjangoClient, setup: dict[str, Any]) -> None:
    booking_id = book(client, setup, chicago(3, 4, 10)).json()["id"]

    response = call(client, "post", f"/api/v1/bookings/{booking_id}/reschedule", setup["headers"],
                    {"starts_at": "2026-03-05T11:00:00-06:00"})

    assert response.status_code == 200
    assert response.json()["starts_at"] == "2026-03-05T11:00:00-06:00"
    assert response.json()["ends_at"] == "2026-03-05T12:00:00-06:00"
    assert response.json()["id"] == booking_id
    assert "2026-03-04T10:00:00-06:00" in slot_starts(client, setup, "2026-03-04", "2026-03-04")


def test_reschedule_onto_a_taken_time_is_409_and_changes_nothing(client: DjangoClient, setup: dict[str, Any],
                                                                 org: Organization) -> None:
    booking_id = book(client, setup, chicago(3, 4, 9)).json()["id"]
    book(client, setup, chicago(3, 4, 11), client=ClientFactory(organization=org))
    before = state(org)

    response = call(client, "post", f"/api/v1/bookings/{booking_id}/reschedule", setup["headers"],
                    {"starts_at": chicago(3, 4, 10, 30).isoformat()})

    assert assert_problem(response, 409)["code"] == "taken"
    assert state(org) == before


@pytest.mark.parametrize("body", [{"starts_at": "2026-03-05T11:00:00"}, {}, {"starts_at": "soon"}, "[]"])
def test_invalid_reschedule_is_422_and_changes_nothing(client: DjangoClient, setup: dict[str, Any],
                                                       org: Organization, body: Any) -> None:
    booking_id = book(client, setup, chicago(3, 4, 10)).json()["id"]
    before = state(org)

    assert_problem(call(client, "post", f"/api/v1/bookings/{booking_id}/reschedule", setup["headers"], body), 422)

    assert state(org) == before


def test_a_booking_of_another_business_is_404(client: DjangoClient, setup: dict[str, Any],
                                              other_org: Organization) -> None:
    foreign = BookingFactory(session=TrainingSessionFactory(coach=CoachFactory(organization=other_org)))

    assert_problem(client.get(f"/api/v1/bookings/{foreign.pk}", **setup["headers"]), 404)
    assert_problem(client.post(f"/api/v1/bookings/{foreign.pk}/cancel", **setup["headers"]), 404)
    with scopes_disabled():
        assert Booking.objects.get(pk=foreign.pk).status == Booking.Status.CONFIRMED


# --- recurring bookings ---------------------------------------------------------------------------

def recurring_body(s: dict[str, Any], **change: Any) -> dict[str, Any]:
    return {"coach": s["coach"].pk, "session_type": s["type"].pk, "client": s["client"].pk, "weekday": "tue",
            "start_time": "10:00", "start_date": "2026-03-03", "end_date": None, "every_weeks": 1, **change}


def test_a_weekly_booking_keeps_10_00_local_across_the_march_dst_change(client: DjangoClient,
                                                                         setup: dict[str, Any]) -> None:
    response = call(client, "post", "/api/v1/recurring-bookings", setup["headers"], recurring_body(setup))

    assert response.status_code == 201
    body = response.json()
    # Six weeks from Monday 2 March: the Tuesdays 3 March … 7 April.
    assert body["sessions_created"] == 6
    assert body["skipped"] == []
    starts = [s["starts_at"] for s in body["sessions"]]
    assert starts == ["2026-03-03T10:00:00-06:00", "2026-03-10T10:00:00-05:00", "2026-03-17T10:00:00-05:00",
                      "2026-03-24T10:00:00-05:00", "2026-03-31T10:00:00-05:00", "2026-04-07T10:00:00-05:00"]
    with scopes_disabled():
        sessions = list(TrainingSession.objects.filter(recurring_booking_id=body["id"]).order_by("starts_at"))
        assert all(s.bookings.get().client_id == setup["client"].pk for s in sessions)
    # In UTC the hour moves (16:00 → 15:00); in Chicago it stays 10:00.
    assert [s.starts_at.astimezone(UTC).hour for s in sessions] == [16, 15, 15, 15, 15, 15]
    assert {s.starts_at.astimezone(CHICAGO).time() for s in sessions} == {time(10)}
    got = client.get(f"/api/v1/recurring-bookings/{body['id']}", **setup["headers"]).json()
    assert (got["weekday"], got["start_time"], got["status"]) == ("tue", "10:00", "active")
    assert [s["starts_at"] for s in got["sessions"]] == starts


def test_occurrences_that_cannot_be_booked_are_skipped_and_reported(client: DjangoClient,
                                                                     setup: dict[str, Any], org: Organization) -> None:
    BlockedSlotFactory(coach=setup["coach"], starts_at=chicago(3, 17, 0), ends_at=chicago(3, 18, 0))
    assert book(client, setup, chicago(3, 24, 10, 30), client=ClientFactory(organization=org)).status_code == 201

    response = call(client, "post", "/api/v1/recurring-bookings", setup["headers"],
                    recurring_body(setup, every_weeks=1, end_date="2026-03-31"))

    assert response.status_code == 201
    body = response.json()
    assert body["sessions_created"] == 3
    assert [(s["date"], s["reason"]) for s in body["skipped"]] == [("2026-03-17", "blocked"), ("2026-03-24", "taken")]
    assert body["skipped"][0]["starts_at"] == "2026-03-17T10:00:00-05:00"
    assert body["skipped"][0]["message"]


def test_every_other_week(client: DjangoClient, setup: dict[str, Any]) -> None:
    body = call(client, "post", "/api/v1/recurring-bookings", setup["headers"],
                recurring_body(setup, every_weeks=2)).json()

    assert [s["starts_at"][:10] for s in body["sessions"]] == ["2026-03-03", "2026-03-17", "2026-03-31"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"weekday": "tuesday"}, "weekday"),
        ({"weekday": 1}, "weekday"),
        ({"start_time": "10am"}, "start_time"),
        ({"start_date": "2026-03-32"}, "start_date"),
        ({"end_date": "2026-03-01"}, ""),
        ({"every_weeks": 3}, "every_weeks"),
        ({"client": 999999}, "client"),
        ({"coach": 999999}, "coach"),
        ({"start_date": None}, "start_date"),
        ({"extra": True}, "extra"),
    ],
)
def test_invalid_recurring_booking_is_422_and_changes_nothing(client: DjangoClient, setup: dict[str, Any],
                                                              org: Organization, change: dict[str, Any],
                                                              field: str) -> None:
    before = state(org)

    response = call(client, "post", "/api/v1/recurring-bookings", setup["headers"], recurring_body(setup, **change))

    problem = assert_problem(response, 422)
    assert field in [e["field"] for e in problem["errors"]]
    assert state(org) == before


def test_cancel_a_recurring_booking(client: DjangoClient, setup: dict[str, Any], time_machine: Any) -> None:
    rb_id = call(client, "post", "/api/v1/recurring-bookings", setup["headers"], recurring_body(setup)).json()["id"]
    time_machine.move_to(chicago(3, 12, 9), tick=False)  # two sessions are past

    response = client.post(f"/api/v1/recurring-bookings/{rb_id}/cancel", **setup["headers"])

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["sessions_cancelled"] == 4
    assert response.json()["sessions"] == []
    with scopes_disabled():
        statuses = list(TrainingSession.objects.filter(recurring_booking_id=rb_id).order_by("starts_at")
                        .values_list("status", flat=True))
    assert statuses == ["scheduled"] * 2 + ["cancelled"] * 4


# --- sessions -------------------------------------------------------------------------------------

def test_list_sessions_by_dates_in_the_business_zone(client: DjangoClient, setup: dict[str, Any],
                                                     org: Organization) -> None:
    booking = book(client, setup, chicago(3, 4, 10)).json()
    book(client, setup, chicago(3, 5, 11), client=ClientFactory(organization=org))
    other_coach = CoachFactory(organization=org)
    TrainingSessionFactory(coach=other_coach, starts_at=chicago(3, 4, 23), ends_at=chicago(3, 5, 0))

    response = client.get("/api/v1/sessions", {"start": "2026-03-04", "end": "2026-03-04"}, **setup["headers"])

    assert response.status_code == 200
    sessions = response.json()
    assert [s["starts_at"] for s in sessions] == ["2026-03-04T10:00:00-06:00", "2026-03-04T23:00:00-06:00"]
    first = sessions[0]
    assert first == {**first, "id": booking["session"], "status": "scheduled", "coach": setup["coach"].pk,
                     "session_type": setup["type"].pk, "capacity": 1, "spots_left": 0,
                     "bookings": [{"id": booking["id"], "client": setup["client"].pk, "status": "confirmed"}]}
    only_coach = client.get("/api/v1/sessions", {"start": "2026-03-04T00:00:00-06:00", "end": "2026-03-06",
                                                 "coach": setup["coach"].pk}, **setup["headers"]).json()
    assert [s["starts_at"] for s in only_coach] == ["2026-03-04T10:00:00-06:00", "2026-03-05T11:00:00-06:00"]


def test_cancelled_sessions_are_listed_on_request(client: DjangoClient, setup: dict[str, Any]) -> None:
    booking = book(client, setup, chicago(3, 4, 10)).json()
    call(client, "post", f"/api/v1/bookings/{booking['id']}/cancel", setup["headers"])
    params = {"start": "2026-03-04", "end": "2026-03-04"}

    assert client.get("/api/v1/sessions", params, **setup["headers"]).json() == []
    listed = client.get("/api/v1/sessions", {**params, "include_cancelled": "true"}, **setup["headers"]).json()
    assert [(s["status"], s["spots_left"]) for s in listed] == [("cancelled", 1)]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"start": "2026-03-01", "end": "2026-06-03"}, 422),  # 95 days
        ({"start": "2026-03-05", "end": "2026-03-04"}, 422),
        ({"start": "2026-03-04T10:00:00", "end": "2026-03-05"}, 422),
        ({"start": "2026-03-04T10:00:00-06:00", "end": "2026-03-04T10:00:00-06:00"}, 422),
        ({"start": "yesterday", "end": "2026-03-05"}, 422),
        ({"end": "2026-03-05"}, 422),
        ({"start": "2026-03-04", "end": "2026-03-05", "coach": 999999}, 404),
    ],
)
def test_invalid_session_queries(client: DjangoClient, setup: dict[str, Any], params: dict[str, Any],
                                 status: int) -> None:
    assert_problem(client.get("/api/v1/sessions", params, **setup["headers"]), status)


def test_a_93_day_range_is_allowed(client: DjangoClient, setup: dict[str, Any]) -> None:
    response = client.get("/api/v1/sessions", {"start": "2026-03-01", "end": "2026-06-01"}, **setup["headers"])

    assert response.status_code == 200


@pytest.mark.parametrize(("action", "session_status", "booking_status"),
                         [("complete", "completed", "completed"), ("no-show", "no_show", "no_show")])
def test_mark_a_past_session(client: DjangoClient, setup: dict[str, Any], time_machine: Any, action: str,
                             session_status: str, booking_status: str) -> None:
    booking = book(client, setup, chicago(3, 4, 10)).json()
    time_machine.move_to(chicago(3, 4, 11, 5), tick=False)

    response = client.post(f"/api/v1/sessions/{booking['session']}/{action}", **setup["headers"])

    assert response.status_code == 200
    assert response.json()["status"] == session_status
    assert response.json()["bookings"][0]["status"] == booking_status
    assert client.get(f"/api/v1/bookings/{booking['id']}", **setup["headers"]).json()["status"] == booking_status


@pytest.mark.parametrize("action", ["complete", "no-show"])
def test_a_future_session_cannot_be_marked(client: DjangoClient, setup: dict[str, Any], org: Organization,
                                           action: str) -> None:
    session_id = book(client, setup, chicago(3, 4, 10)).json()["session"]
    before = state(org)

    problem = assert_problem(client.post(f"/api/v1/sessions/{session_id}/{action}", **setup["headers"]), 422)

    assert "started" in problem["detail"]
    assert state(org) == before


def test_cancel_a_session(client: DjangoClient, setup: dict[str, Any]) -> None:
    booking = book(client, setup, chicago(3, 4, 10)).json()

    response = call(client, "post", f"/api/v1/sessions/{booking['session']}/cancel", setup["headers"],
                    {"reason": "Coach ill"})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["bookings"][0]["status"] == "cancelled_by_coach"
    again = call(client, "post", f"/api/v1/sessions/{booking['session']}/cancel", setup["headers"])
    assert "already" in assert_problem(again, 422)["detail"]


def test_move_a_session_as_the_coach(client: DjangoClient, setup: dict[str, Any]) -> None:
    session_id = book(client, setup, chicago(3, 4, 10)).json()["session"]

    # Outside the weekly hours: the coach's own calendar may do that.
    response = call(client, "post", f"/api/v1/sessions/{session_id}/move", setup["headers"],
                    {"starts_at": "2026-03-04T19:00:00-06:00"})

    assert response.status_code == 200
    assert (response.json()["starts_at"], response.json()["ends_at"]) == ("2026-03-04T19:00:00-06:00",
                                                                          "2026-03-04T20:00:00-06:00")
    assert client.get(f"/api/v1/sessions/{session_id}", **setup["headers"]).json()["starts_at"] == (
        "2026-03-04T19:00:00-06:00")


def test_move_onto_another_session_is_409_and_changes_nothing(client: DjangoClient, setup: dict[str, Any],
                                                              org: Organization) -> None:
    session_id = book(client, setup, chicago(3, 4, 9)).json()["session"]
    book(client, setup, chicago(3, 4, 11), client=ClientFactory(organization=org))
    before = state(org)

    for body in ({"starts_at": chicago(3, 4, 11, 30).isoformat()}, {"starts_at": chicago(3, 4, 10, 30).isoformat()}):
        response = call(client, "post", f"/api/v1/sessions/{session_id}/move", setup["headers"], body)
        assert assert_problem(response, 409)["code"] == "taken"
    problem = assert_problem(call(client, "post", f"/api/v1/sessions/{session_id}/move", setup["headers"],
                                  {"starts_at": "2026-03-04T19:00:00"}), 422)
    assert "offset" in problem["detail"]

    assert state(org) == before


# --- roles, tokens and the spec -------------------------------------------------------------------

def _every_operation(s: dict[str, Any]) -> list[tuple[str, str, Any]]:
    coach, session_type, client = s["coach"].pk, s["type"].pk, s["client"].pk
    span = {"starts_at": chicago(3, 4, 9).isoformat(), "ends_at": chicago(3, 4, 10).isoformat()}
    session = TrainingSessionFactory(coach=s["coach"], session_type=s["type"])
    booking = BookingFactory(session=session, client=s["client"])
    blocked = BlockedSlotFactory(coach=s["coach"])
    from tests.factories import AvailabilityAdditionFactory, RecurringBookingFactory

    addition = AvailabilityAdditionFactory(coach=s["coach"])
    rb = RecurringBookingFactory(coach=s["coach"], client=s["client"], session_type=s["type"])
    return [
        ("get", "/api/v1/coaches", None),
        ("patch", f"/api/v1/coaches/{coach}/settings", {"slot_step_minutes": 15}),
        ("get", f"/api/v1/coaches/{coach}/weekly-availability", None),
        ("put", f"/api/v1/coaches/{coach}/weekly-availability", []),
        ("get", f"/api/v1/coaches/{coach}/blocked-slots", None),
        ("post", f"/api/v1/coaches/{coach}/blocked-slots", span),
        ("delete", f"/api/v1/coaches/{coach}/blocked-slots/{blocked.pk}", None),
        ("get", f"/api/v1/coaches/{coach}/availability-additions", None),
        ("post", f"/api/v1/coaches/{coach}/availability-additions", span),
        ("delete", f"/api/v1/coaches/{coach}/availability-additions/{addition.pk}", None),
        ("get", "/api/v1/session-types", None),
        ("post", "/api/v1/session-types", {"name": "PT", "duration_minutes": 60, "capacity": 1, "price_minor": 0}),
        ("get", f"/api/v1/slots?coach={coach}&session_type={session_type}&start=2026-03-04&end=2026-03-04", None),
        ("post", "/api/v1/bookings", {"coach": coach, "session_type": session_type, "client": client,
                                      "starts_at": chicago(3, 5, 9).isoformat()}),
        ("get", f"/api/v1/bookings/{booking.pk}", None),
        ("post", f"/api/v1/bookings/{booking.pk}/cancel", {}),
        ("post", f"/api/v1/bookings/{booking.pk}/reschedule", {"starts_at": chicago(3, 5, 11).isoformat()}),
        ("post", "/api/v1/recurring-bookings", recurring_body(s)),
        ("get", f"/api/v1/recurring-bookings/{rb.pk}", None),
        ("post", f"/api/v1/recurring-bookings/{rb.pk}/cancel", None),
        ("get", "/api/v1/sessions?start=2026-03-01&end=2026-03-31", None),
        ("get", f"/api/v1/sessions/{session.pk}", None),
        ("post", f"/api/v1/sessions/{session.pk}/complete", None),
        ("post", f"/api/v1/sessions/{session.pk}/no-show", None),
        ("post", f"/api/v1/sessions/{session.pk}/cancel", {}),
        ("post", f"/api/v1/sessions/{session.pk}/move", {"starts_at": chicago(3, 6, 9).isoformat()}),
    ]


def test_a_client_token_is_403_everywhere_and_changes_nothing(client: DjangoClient, setup: dict[str, Any],
                                                              org: Organization) -> None:
    operations = _every_operation(setup)
    headers = bearer(member(org, Role.CLIENT, email="cleo@example.com"), org)
    before = state(org)

    for method, path, body in operations:
        response = call(client, method, path, headers, body)
        assert response.status_code == 403, (method, path, response.content)
        assert response["Content-Type"] == PROBLEM

    assert state(org) == before


def test_no_token_is_401_everywhere(client: DjangoClient, setup: dict[str, Any], org: Organization) -> None:
    operations = _every_operation(setup)
    before = state(org)

    for method, path, body in operations:
        assert_problem(call(client, method, path, {}, body), 401)

    assert state(org) == before


def test_every_scheduling_route_is_in_the_openapi_spec(client: DjangoClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    expected = [
        ("get", "/api/v1/coaches"),
        ("patch", "/api/v1/coaches/{coach_id}/settings"),
        ("get", "/api/v1/coaches/{coach_id}/weekly-availability"),
        ("put", "/api/v1/coaches/{coach_id}/weekly-availability"),
        ("get", "/api/v1/coaches/{coach_id}/blocked-slots"),
        ("post", "/api/v1/coaches/{coach_id}/blocked-slots"),
        ("delete", "/api/v1/coaches/{coach_id}/blocked-slots/{blocked_id}"),
        ("get", "/api/v1/coaches/{coach_id}/availability-additions"),
        ("post", "/api/v1/coaches/{coach_id}/availability-additions"),
        ("delete", "/api/v1/coaches/{coach_id}/availability-additions/{addition_id}"),
        ("get", "/api/v1/session-types"),
        ("post", "/api/v1/session-types"),
        ("get", "/api/v1/slots"),
        ("post", "/api/v1/clients"),
        ("post", "/api/v1/bookings"),
        ("get", "/api/v1/bookings/{booking_id}"),
        ("post", "/api/v1/bookings/{booking_id}/cancel"),
        ("post", "/api/v1/bookings/{booking_id}/reschedule"),
        ("post", "/api/v1/recurring-bookings"),
        ("get", "/api/v1/recurring-bookings/{recurring_id}"),
        ("post", "/api/v1/recurring-bookings/{recurring_id}/cancel"),
        ("get", "/api/v1/sessions"),
        ("get", "/api/v1/sessions/{session_id}"),
        ("post", "/api/v1/sessions/{session_id}/complete"),
        ("post", "/api/v1/sessions/{session_id}/no-show"),
        ("post", "/api/v1/sessions/{session_id}/cancel"),
        ("post", "/api/v1/sessions/{session_id}/move"),
    ]
    for method, path in expected:
        operation = spec["paths"][path][method]
        assert operation["summary"], (method, path)
    documented = {(m, p) for p, item in spec["paths"].items() for m in item}
    assert set(expected) <= documented
    # The conflict is part of the contract of the booking writes.
    assert "409" in spec["paths"]["/api/v1/bookings"]["post"]["responses"]
    slot_params = {p["name"]: p for p in spec["paths"]["/api/v1/slots"]["get"]["parameters"]}
    assert {"coach", "session_type", "start", "end", "tz"} <= set(slot_params)
    assert slot_params["tz"]["description"]
    booking_in = spec["components"]["schemas"]["BookingIn"]["properties"]
    assert "offset" in booking_in["starts_at"]["description"]


ODD_VALUES = [None, "", [], {}, 10**40, -1, True, "\x00", "é" * 300, "2026-03-04T09:00:00", "24:00",
              "9999-12-31T23:59:59+14:00", "2026-03-04T09:00:00+23:59"]
ODD_BODIES = ["null", "[]", '"x"', "123", '"\\ud800"', "{bad"]


def test_odd_input_is_a_4xx_problem_never_a_server_error(client: DjangoClient, setup: dict[str, Any],
                                                         org: Organization) -> None:
    failures = []
    for method, path, body in _every_operation(setup):
        if method == "get":
            continue
        attempts: list[Any] = list(ODD_BODIES)
        if isinstance(body, dict):
            attempts += [{**body, key: value} for key in body for value in ODD_VALUES]
        for attempt in attempts:
            response = call(client, method, path, setup["headers"], attempt)
            ok = response.status_code < 300 or (
                400 <= response.status_code < 500 and response["Content-Type"] == PROBLEM)
            if not ok:
                failures.append(f"{method.upper()} {path} {attempt!r} → {response.status_code}")
    for url in ["/api/v1/bookings/99999999999999999999999", "/api/v1/bookings/%C2%B2", "/api/v1/sessions/0",
                "/api/v1/sessions?start=2000-01-01T00:00:00%2B23:59&end=2000-01-02",
                "/api/v1/slots?coach=9223372036854775808&session_type=1&start=2026-01-01&end=2026-01-02"]:
        response = client.get(url, **setup["headers"])
        if not 400 <= response.status_code < 500:
            failures.append(f"GET {url} → {response.status_code}")
    assert not failures, "\n".join(failures)
