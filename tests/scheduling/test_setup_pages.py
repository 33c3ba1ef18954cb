"""The schedule setup pages: weekly hours, time off, extra time, booking settings, session types,
rooms and the coach's calendar link. Happy paths, bad input (nothing changes) and role limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone
from django_scopes import scope

from coachos.scheduling.models import (
    WEEKDAY_CODES,
    AvailabilityAddition,
    BlockedSlot,
    Coach,
    Room,
    SessionType,
    WeeklyAvailability,
)
from coachos.scheduling.services import coach_ensure
from coachos.scheduling.views_setup import describe_span
from coachos.tenancy.models import AuditEntry, Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    BlockedSlotFactory,
    RoomFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
    member,
)

pytestmark = pytest.mark.django_db


# --- helpers ----------------------------------------------------------------------------------

def coach_of(org: Organization, user: Any) -> Coach:
    with scope(organization=org):
        coach = coach_ensure(membership=Membership.objects.get(user=user))
        assert coach is not None
        return coach


def new_coach(org: Organization, **user_fields: Any) -> tuple[Any, Coach]:
    user = member(org, Role.COACH, **user_fields)
    return user, coach_of(org, user)


def base(org: Organization) -> str:
    return f"/o/{org.slug}/schedule/"


def hours_url(org: Organization, coach: Coach) -> str:
    return f"{base(org)}coaches/{coach.pk}/hours/"


def hours_data(days: dict[str, list[dict[str, Any]]], existing: dict[str, int] | None = None) -> dict[str, str]:
    """What the weekly hours form posts: rows per day (``existing`` of them were on the page)."""
    existing = existing or {}
    data: dict[str, str] = {}
    for code in WEEKDAY_CODES:
        rows = days.get(code, [])
        data[f"{code}-TOTAL_FORMS"] = str(len(rows))
        data[f"{code}-INITIAL_FORMS"] = str(existing.get(code, 0))
        data[f"{code}-MIN_NUM_FORMS"] = "0"
        data[f"{code}-MAX_NUM_FORMS"] = "1000"
        for i, row in enumerate(rows):
            data[f"{code}-{i}-start_time"] = row.get("start", "")
            data[f"{code}-{i}-end_time"] = row.get("end", "")
            if row.get("individual", True):
                data[f"{code}-{i}-for_individual"] = "on"
            if row.get("group"):
                data[f"{code}-{i}-for_group"] = "on"
            data[f"{code}-{i}-room"] = str(row["room"]) if row.get("room") else ""
            if row.get("delete"):
                data[f"{code}-{i}-DELETE"] = "on"
    return data


def ranges_of(org: Organization, coach: Coach) -> list[tuple[int, str, str, bool, bool, int | None]]:
    with scope(organization=org):
        return [(w.weekday, f"{w.start_time:%H:%M}", f"{w.end_time:%H:%M}", w.for_individual, w.for_group, w.room_id)
                for w in WeeklyAvailability.objects.filter(coach=coach).order_by("weekday", "start_time")]


def actions(org: Organization) -> list[str]:
    with scope(organization=org):
        return list(AuditEntry.objects.values_list("action", flat=True))


def page(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def owner_coach(org: Organization, owner: Any) -> Coach:
    return coach_of(org, owner)


@pytest.fixture
def staff(org: Organization) -> Any:
    return member(org, Role.STAFF, email="desk@example.com", name="Dana Desk")


# --- navigation and overview ------------------------------------------------------------------

def test_the_back_office_menu_links_the_schedule(org, web):
    assert f'href="{base(org)}"' in page(web.get(f"/o/{org.slug}/"))


def test_a_new_coach_is_told_what_to_do_first(org, owner, web):
    response = web.get(base(org))
    assert response.status_code == 200
    text = page(response)
    assert "Start with your weekly hours" in text
    assert "Set weekly hours" in text
    with scope(organization=org):
        coach = Coach.objects.get(membership__user=owner)  # the owner is made bookable on first visit
    assert hours_url(org, coach) in text
    assert "Calendar feed" in text


def test_overview_shows_the_week_time_off_extra_time_and_settings(org, owner_coach, web):
    room = RoomFactory(organization=org, name="Studio A")
    WeeklyAvailabilityFactory(coach=owner_coach, weekday=0, start_time=time(9), end_time=time(12))
    WeeklyAvailabilityFactory(coach=owner_coach, weekday=0, start_time=time(14), end_time=time(18), for_group=True,
                              for_individual=False, room=room)
    BlockedSlotFactory(coach=owner_coach, reason="Dentist")
    text = page(web.get(base(org)))
    assert "9:00\u202fAM–12:00\u202fPM" in text and "2:00\u202fPM–6:00\u202fPM" in text
    assert "Studio A" in text
    assert "7h a week" in text
    assert "Dentist" in text
    assert "Closed" in text  # the other days
    assert "No extra time planned." in text
    assert "Minimum notice" in text


def test_a_coach_sees_only_their_own_schedule(org, owner_coach):
    coach_user, coach = new_coach(org, name="Jordan Reyes")
    browser = login_as(coach_user)
    text = page(browser.get(base(org)))
    assert 'class="coach-picker"' not in text  # nobody else to pick
    assert hours_url(org, coach) in text
    assert hours_url(org, owner_coach) not in text
    assert browser.get(f"{base(org)}coaches/{owner_coach.pk}/").status_code == 403
    assert browser.get(hours_url(org, owner_coach)).status_code == 403


def test_the_owner_picks_a_coach(org, owner_coach, web):
    _user, coach = new_coach(org, name="Jordan Reyes")
    text = page(web.get(base(org)))
    assert 'class="coach-picker"' in text
    assert f"{base(org)}coaches/{coach.pk}/" in text
    assert web.get(f"{base(org)}coaches/{coach.pk}/").status_code == 200


def test_the_front_desk_reads_but_does_not_change(org, owner_coach, staff):
    browser = login_as(staff)
    overview = browser.get(f"{base(org)}coaches/{owner_coach.pk}/")
    assert overview.status_code == 200
    assert "Edit weekly hours" not in page(overview)
    assert "Calendar feed" not in page(overview)  # the coach's private link
    assert browser.get(hours_url(org, owner_coach)).status_code == 403
    assert browser.get(f"{base(org)}coaches/{owner_coach.pk}/settings/").status_code == 403
    response = browser.post(f"{base(org)}coaches/{owner_coach.pk}/time-off/",
                            {"span": "days", "start_date": (timezone.now().date() + timedelta(days=3)).isoformat()})
    assert response.status_code == 403
    assert browser.post(hours_url(org, owner_coach), hours_data({"mon": [{"start": "09:00", "end": "10:00"}]})
                        ).status_code == 403
    assert ranges_of(org, owner_coach) == []
    with scope(organization=org):
        assert not BlockedSlot.objects.exists()


def test_a_client_cannot_open_the_schedule(org):
    client_user = member(org, Role.CLIENT)
    assert login_as(client_user).get(base(org)).status_code == 403


# --- weekly hours -----------------------------------------------------------------------------

def test_save_several_ranges_a_day_with_kinds_and_rooms(org, owner, owner_coach, web):
    room = RoomFactory(organization=org, name="Studio A")
    response = web.post(hours_url(org, owner_coach), hours_data({
        "mon": [{"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "18:00", "group": True,
                                                     "individual": False}],
        "wed": [{"start": "07:30", "end": "10:00", "group": True, "room": room.pk}],
        "fri": [{"start": "", "end": ""}],  # the empty row: skipped
    }))
    assert response.status_code == 302
    assert response.headers["Location"] == f"{base(org)}coaches/{owner_coach.pk}/"
    assert ranges_of(org, owner_coach) == [
        (0, "09:00", "12:00", True, False, None),
        (0, "14:00", "18:00", False, True, None),
        (2, "07:30", "10:00", True, True, room.pk),
    ]
    assert "availability.weekly_replaced" in actions(org)
    assert "Weekly hours saved." in page(web.get(response.headers["Location"]))


def test_the_editor_shows_the_current_ranges(org, owner_coach, web):
    WeeklyAvailabilityFactory(coach=owner_coach, weekday=3, start_time=time(6, 15), end_time=time(8, 45))
    text = page(web.get(hours_url(org, owner_coach)))
    assert 'name="thu-0-start_time" value="06:15"' in text
    assert 'name="thu-INITIAL_FORMS" value="1"' in text
    assert 'id="range-template-thu"' in text  # for "+ Add a range"


@pytest.mark.parametrize(("rows", "message"), [
    ([{"start": "09:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}], "overlap"),
    ([{"start": "12:00", "end": "09:00"}], "Must be after the start"),
    ([{"start": "12:00", "end": "12:00"}], "Must be after the start"),
    ([{"start": "09:00", "end": "10:00", "individual": False}], "Choose one-to-one, group or both"),
    ([{"start": "9 am", "end": "10:00"}], "Enter a valid time"),
])
def test_bad_ranges_are_refused_with_typed_values_kept(org, owner_coach, web, rows, message):
    WeeklyAvailabilityFactory(coach=owner_coach, weekday=1, start_time=time(8), end_time=time(9))
    before = ranges_of(org, owner_coach)
    audit_before = actions(org)
    data = hours_data({"mon": rows, "tue": [{"start": "08:00", "end": "09:00"}]}, existing={"tue": 1})
    response = web.post(hours_url(org, owner_coach), data)
    assert response.status_code == 200
    text = page(response)
    assert message in text
    assert "Nothing was saved" in text
    assert f'value="{rows[0]["start"]}"' in text  # what was typed is still there
    assert ranges_of(org, owner_coach) == before
    assert actions(org) == audit_before


def test_remove_a_range(org, owner_coach, web):
    WeeklyAvailabilityFactory(coach=owner_coach, weekday=0, start_time=time(8), end_time=time(9))
    WeeklyAvailabilityFactory(coach=owner_coach, weekday=0, start_time=time(10), end_time=time(11))
    data = hours_data({"mon": [{"start": "08:00", "end": "09:00", "delete": True}, {"start": "10:00", "end": "11:00"}]},
                      existing={"mon": 2})
    assert web.post(hours_url(org, owner_coach), data).status_code == 302
    assert ranges_of(org, owner_coach) == [(0, "10:00", "11:00", True, False, None)]


def test_a_removed_range_may_hold_bad_values(org, owner_coach, web):
    WeeklyAvailabilityFactory(coach=owner_coach, weekday=0, start_time=time(8), end_time=time(9))
    data = hours_data({"mon": [{"start": "10:00", "end": "", "delete": True}]}, existing={"mon": 1})
    assert web.post(hours_url(org, owner_coach), data).status_code == 302
    assert ranges_of(org, owner_coach) == []


def test_a_room_of_another_business_is_refused(org, other_org, owner_coach, web):
    foreign = RoomFactory(organization=other_org)
    response = web.post(hours_url(org, owner_coach), hours_data({"mon": [{"start": "09:00", "end": "10:00",
                                                                          "room": foreign.pk}]}))
    assert response.status_code == 200
    assert "Select a valid choice" in page(response)
    assert ranges_of(org, owner_coach) == []


def test_a_coach_edits_their_own_hours(org):
    coach_user, coach = new_coach(org)
    response = login_as(coach_user).post(hours_url(org, coach), hours_data({"sat": [{"start": "08:00",
                                                                                     "end": "12:00"}]}))
    assert response.status_code == 302
    assert ranges_of(org, coach) == [(5, "08:00", "12:00", True, False, None)]


def test_the_owner_edits_a_coachs_hours_a_coach_not_the_owners(org, owner, owner_coach, web):
    coach_user, coach = new_coach(org)
    assert web.post(hours_url(org, coach), hours_data({"sun": [{"start": "10:00", "end": "11:00"}]})).status_code == 302
    assert ranges_of(org, coach) == [(6, "10:00", "11:00", True, False, None)]
    response = login_as(coach_user).post(hours_url(org, owner_coach),
                                         hours_data({"sun": [{"start": "10:00", "end": "11:00"}]}))
    assert response.status_code == 403
    assert ranges_of(org, owner_coach) == []


# --- time off ---------------------------------------------------------------------------------

def blocked_url(org: Organization, coach: Coach) -> str:
    return f"{base(org)}coaches/{coach.pk}/time-off/"


def test_whole_days_run_midnight_to_midnight_in_the_business_zone(org, owner_coach, web):
    first = timezone.now().astimezone(org.tzinfo).date() + timedelta(days=10)
    last = first + timedelta(days=4)
    response = web.post(blocked_url(org, owner_coach), {
        "span": "days", "start_date": first.isoformat(), "end_date": last.isoformat(), "reason": "Holiday",
        "start_time": "", "end_time": "",
    })
    assert response.status_code == 302
    with scope(organization=org):
        blocked = BlockedSlot.objects.get(coach=owner_coach)
    assert blocked.starts_at == datetime.combine(first, time(0), tzinfo=org.tzinfo)
    assert blocked.ends_at == datetime.combine(last + timedelta(days=1), time(0), tzinfo=org.tzinfo)
    assert blocked.reason == "Holiday"
    text = page(web.get(response.headers["Location"]))
    assert "Time off added" in text
    assert "(5 days)" in text
    assert "Holiday" in text


def test_one_day_and_a_morning(org, owner_coach, web):
    day = timezone.now().astimezone(org.tzinfo).date() + timedelta(days=3)
    web.post(blocked_url(org, owner_coach), {"span": "days", "start_date": day.isoformat()})
    web.post(blocked_url(org, owner_coach), {"span": "times", "start_date": day.isoformat(), "start_time": "08:00",
                                             "end_time": "12:30"})
    with scope(organization=org):
        spans = [(b.starts_at, b.ends_at) for b in BlockedSlot.objects.filter(coach=owner_coach).order_by("ends_at")]
    tz = org.tzinfo
    assert spans == [
        (datetime.combine(day, time(8), tzinfo=tz), datetime.combine(day, time(12, 30), tzinfo=tz)),
        (datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)),
    ]
    text = page(web.get(blocked_url(org, owner_coach)))
    assert "all day" in text
    assert "8:00\u202fAM–12:30\u202fPM" in text


@pytest.mark.parametrize(("data", "message"), [
    ({"span": "times", "start_time": "", "end_time": "10:00"}, "Enter a time, or choose whole days."),
    ({"span": "times", "start_time": "12:00", "end_time": "09:00"}, "The end must be after the start."),
    ({"span": "days", "end_offset": -2}, "The last day must be on or after the first day."),
    ({"span": "days", "start_offset": -5, "end_offset": -4}, "That time is already over."),
    ({"span": "weeks"}, "Select a valid choice"),
    ({"span": "days", "start_date": ""}, "This field is required."),
])
def test_bad_time_off_is_refused_and_nothing_changes(org, owner_coach, web, data, message):
    today = timezone.now().astimezone(org.tzinfo).date()
    posted = {
        "span": data["span"],
        "start_date": data.get("start_date", (today + timedelta(days=7 + data.get("start_offset", 0))).isoformat()),
        "end_date": (today + timedelta(days=7 + data["end_offset"])).isoformat() if "end_offset" in data else "",
        "start_time": data.get("start_time", ""), "end_time": data.get("end_time", ""), "reason": "typed note",
    }
    if "start_offset" in data:
        posted["start_date"] = (today + timedelta(days=data["start_offset"])).isoformat()
        posted["end_date"] = (today + timedelta(days=data["end_offset"])).isoformat()
    response = web.post(blocked_url(org, owner_coach), posted)
    assert response.status_code == 200
    text = page(response)
    assert message in text
    assert 'value="typed note"' in text
    with scope(organization=org):
        assert not BlockedSlot.objects.exists()


def test_remove_time_off(org, owner_coach, web):
    blocked = BlockedSlotFactory(coach=owner_coach)
    text = page(web.get(blocked_url(org, owner_coach)))
    assert f"{base(org)}time-off/{blocked.pk}/remove/" in text
    assert "data-confirm=" in text
    response = web.post(f"{base(org)}time-off/{blocked.pk}/remove/")
    assert response.status_code == 302
    with scope(organization=org):
        assert not BlockedSlot.objects.exists()
    assert "availability.unblocked" in actions(org)
    assert web.get(f"{base(org)}time-off/{blocked.pk}/remove/").status_code == 405


def test_a_coach_cannot_remove_another_coachs_time_off(org, owner_coach):
    blocked = BlockedSlotFactory(coach=owner_coach)
    coach_user, _coach = new_coach(org)
    assert login_as(coach_user).post(f"{base(org)}time-off/{blocked.pk}/remove/").status_code == 403
    with scope(organization=org):
        assert BlockedSlot.objects.filter(pk=blocked.pk).exists()


def test_time_off_over_booked_sessions_warns(org, owner_coach, web):
    session = TrainingSessionFactory(coach=owner_coach)
    day = session.starts_at.astimezone(org.tzinfo).date()
    response = web.post(blocked_url(org, owner_coach), {"span": "days", "start_date": day.isoformat()}, follow=True)
    text = page(response)
    assert "1 booked session is in this time off and now conflicts." in text
    assert "1 booked session is in your time off." in text
    assert f'href="/o/{org.slug}/schedule/conflicts/#coach-{owner_coach.pk}">Review conflicts</a>' in text


# --- extra time -------------------------------------------------------------------------------

def test_add_and_remove_extra_time(org, owner_coach, web):
    room = RoomFactory(organization=org, name="Studio B")
    day = timezone.now().astimezone(org.tzinfo).date() + timedelta(days=5)
    url = f"{base(org)}coaches/{owner_coach.pk}/extra-time/"
    assert re.search(r'value="times"[^>]*checked', page(web.get(url)))  # extra time is usually a few hours
    response = web.post(url, {"span": "times", "start_date": day.isoformat(), "start_time": "18:00",
                              "end_time": "20:00", "for_group": "on", "room": room.pk, "reason": "Late class"})
    assert response.status_code == 302
    with scope(organization=org):
        addition = AvailabilityAddition.objects.get(coach=owner_coach)
    assert addition.starts_at == datetime.combine(day, time(18), tzinfo=org.tzinfo)
    assert addition.ends_at == datetime.combine(day, time(20), tzinfo=org.tzinfo)
    assert (addition.for_individual, addition.for_group, addition.room_id) == (False, True, room.pk)
    text = page(web.get(url))
    assert "6:00\u202fPM–8:00\u202fPM" in text and "Studio B" in text and "Late class" in text
    assert web.post(f"{base(org)}extra-time/{addition.pk}/remove/").status_code == 302
    with scope(organization=org):
        assert not AvailabilityAddition.objects.exists()


def test_extra_time_needs_a_kind(org, owner_coach, web):
    day = timezone.now().astimezone(org.tzinfo).date() + timedelta(days=5)
    response = web.post(f"{base(org)}coaches/{owner_coach.pk}/extra-time/", {
        "span": "times", "start_date": day.isoformat(), "start_time": "18:00", "end_time": "20:00"})
    assert response.status_code == 200
    assert "Choose one-to-one, group or both." in page(response)
    with scope(organization=org):
        assert not AvailabilityAddition.objects.exists()


# --- booking settings -------------------------------------------------------------------------

def settings_data(coach: Coach, **changes: Any) -> dict[str, Any]:
    data = {
        "display_name": coach.display_name, "bio": coach.bio, "active": "on" if coach.active else "",
        "default_session_minutes": coach.default_session_minutes,
        "buffer_before_minutes": coach.buffer_before_minutes, "buffer_after_minutes": coach.buffer_after_minutes,
        "slot_step_minutes": coach.slot_step_minutes, "default_room": coach.default_room_id or "",
        "min_notice_minutes": coach.min_notice_minutes, "horizon_days": coach.horizon_days,
        "max_per_day": coach.max_per_day or "", "max_per_week": coach.max_per_week or "",
        "cancellation_window_hours": coach.cancellation_window_hours,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != "" or k not in ("active",)}


def test_the_owner_edits_a_coachs_booking_settings(org, owner, owner_coach, web):
    _user, coach = new_coach(org)
    room = RoomFactory(organization=org, name="Studio A")
    url = f"{base(org)}coaches/{coach.pk}/settings/"
    response = web.post(url, settings_data(coach, display_name="Coach Jo", default_session_minutes=45,
                                           buffer_after_minutes=15, max_per_day=6, default_room=room.pk,
                                           bio="Strength and mobility."))
    assert response.status_code == 302
    coach.refresh_from_db()
    assert (coach.display_name, coach.default_session_minutes, coach.buffer_after_minutes, coach.max_per_day,
            coach.default_room_id) == ("Coach Jo", 45, 15, 6, room.pk)
    with scope(organization=org):
        entry = AuditEntry.objects.get(action="coach.settings_updated")
    assert entry.actor == owner
    assert entry.data["changed"]["default_session_minutes"] == ["60", "45"]
    assert "Booking settings saved." in page(web.get(url))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("slot_step_minutes", "0", "greater than or equal to 5"),
    ("horizon_days", "5000", "less than or equal to 730"),
    ("default_session_minutes", "abc", "Enter a whole number"),
    ("max_per_week", "0", "greater than or equal to 1"),
])
def test_bad_booking_settings_change_nothing(org, owner_coach, web, field, value, message):
    url = f"{base(org)}coaches/{owner_coach.pk}/settings/"
    with scope(organization=org):
        before = Coach.objects.filter(pk=owner_coach.pk).values().get()
    response = web.post(url, settings_data(owner_coach, display_name="Typed name", **{field: value}))
    assert response.status_code == 200
    text = page(response)
    assert message in text
    assert 'value="Typed name"' in text
    with scope(organization=org):
        assert Coach.objects.filter(pk=owner_coach.pk).values().get() == before


def test_a_coach_edits_only_their_own_settings(org, owner_coach):
    coach_user, coach = new_coach(org)
    browser = login_as(coach_user)
    assert browser.post(f"{base(org)}coaches/{coach.pk}/settings/",
                        settings_data(coach, min_notice_minutes=1440)).status_code == 302
    coach.refresh_from_db()
    assert coach.min_notice_minutes == 1440
    response = browser.post(f"{base(org)}coaches/{owner_coach.pk}/settings/",
                            settings_data(owner_coach, min_notice_minutes=5))
    assert response.status_code == 403
    owner_coach.refresh_from_db()
    assert owner_coach.min_notice_minutes == 120


def test_turning_bookings_off(org, owner_coach, web):
    data = settings_data(owner_coach)
    data.pop("active")
    assert web.post(f"{base(org)}coaches/{owner_coach.pk}/settings/", data).status_code == 302
    owner_coach.refresh_from_db()
    assert owner_coach.active is False


# --- session types ----------------------------------------------------------------------------

TYPE_FORM = {"name": "Personal training", "duration_minutes": "60", "price": "80.50", "capacity": "1",
             "color": "#1e88e5", "location": "", "video_url": "", "bookable_online": "on"}


def test_create_edit_and_deactivate_a_session_type(org, owner_coach, web):
    url = f"{base(org)}session-types/"
    assert 'type="color"' in page(web.get(url))
    response = web.post(url, TYPE_FORM)
    assert response.status_code == 302
    with scope(organization=org):
        created = SessionType.objects.get()
    assert (created.name, created.price_minor, created.color, created.capacity) == ("Personal training", 8050,
                                                                                   "#1e88e5", 1)
    text = page(web.get(url))
    assert "$80.50" in text and "One-to-one" in text

    edit = f"{url}{created.pk}/"
    assert 'value="80.50"' in page(web.get(edit))
    response = web.post(edit, {**TYPE_FORM, "name": "Small group", "capacity": "6", "price": "25", "active": "on"})
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.name, created.capacity, created.price_minor) == ("Small group", 6, 2500)
    assert "Group of up to 6" in page(web.get(url))

    assert web.post(f"{edit}deactivate/").status_code == 302
    created.refresh_from_db()
    assert created.active is False
    assert "not offered" in page(web.get(url))
    assert web.post(f"{edit}activate/").status_code == 302
    created.refresh_from_db()
    assert created.active is True
    assert {"session_type.created", "session_type.updated"} <= set(actions(org))


@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "This field is required."),
    ({"duration_minutes": "2"}, "greater than or equal to 5"),
    ({"price": "-1"}, "greater than or equal to 0"),
    ({"capacity": "0"}, "greater than or equal to 1"),
    ({"color": "blue"}, "Use a colour like #1e88e5."),
    ({"video_url": "not a link"}, "Enter a valid URL."),
])
def test_bad_session_types_are_refused(org, owner_coach, web, changes, message):
    typed = {**TYPE_FORM, "location": "Typed place", **changes}
    response = web.post(f"{base(org)}session-types/", typed)
    assert response.status_code == 200
    assert message in page(response)
    assert 'value="Typed place"' in page(response)
    with scope(organization=org):
        assert not SessionType.objects.exists()


def test_bad_edit_changes_nothing(org, owner_coach, web):
    session_type = SessionTypeFactory(organization=org, name="PT", duration_minutes=60)
    response = web.post(f"{base(org)}session-types/{session_type.pk}/", {**TYPE_FORM, "name": "New",
                                                                         "duration_minutes": "1"})
    assert response.status_code == 200
    session_type.refresh_from_db()
    assert (session_type.name, session_type.duration_minutes) == ("PT", 60)


def test_the_front_desk_cannot_change_session_types_or_rooms(org, owner_coach, staff):
    session_type = SessionTypeFactory(organization=org, name="PT")
    browser = login_as(staff)
    listing = page(browser.get(f"{base(org)}session-types/"))
    assert "PT" in listing and "Add a session type" not in listing
    assert browser.post(f"{base(org)}session-types/", TYPE_FORM).status_code == 403
    assert browser.get(f"{base(org)}session-types/{session_type.pk}/").status_code == 403
    assert browser.post(f"{base(org)}session-types/{session_type.pk}/deactivate/").status_code == 403
    assert browser.post(f"{base(org)}rooms/", {"name": "Studio", "capacity": "1"}).status_code == 403
    with scope(organization=org):
        assert SessionType.objects.get().active is True
        assert not Room.objects.exists()


def test_a_coach_manages_session_types(org):
    coach_user, _coach = new_coach(org)
    assert login_as(coach_user).post(f"{base(org)}session-types/", TYPE_FORM).status_code == 302


# --- rooms ------------------------------------------------------------------------------------

def test_create_a_room_and_refuse_bad_input(org, owner_coach, web):
    url = f"{base(org)}rooms/"
    assert "No rooms yet" in page(web.get(url))
    assert web.post(url, {"name": "Studio A", "capacity": "2"}).status_code == 302
    response = web.post(url, {"name": "", "capacity": "0"})
    assert response.status_code == 200
    assert "This field is required." in page(response)
    with scope(organization=org):
        assert [(r.name, r.capacity) for r in Room.objects.all()] == [("Studio A", 2)]
    assert "Studio A" in page(web.get(url))


# --- the coach's calendar link ----------------------------------------------------------------

def test_the_calendar_link_shows_and_resets(org, owner_coach, web, settings):
    old = owner_coach.feed_token
    text = page(web.get(base(org)))
    assert f"{settings.PUBLIC_BASE_URL}/ical/coach/{old}.ics" in text
    assert f"webcal://{settings.PUBLIC_BASE_URL.split('://', 1)[1]}/ical/coach/{old}.ics" in text
    response = web.post(f"{base(org)}coaches/{owner_coach.pk}/calendar-link/reset/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#calendar-feed")
    owner_coach.refresh_from_db()
    assert owner_coach.feed_token != old
    assert DjangoClient().get(f"/ical/coach/{old}.ics").status_code == 404
    assert DjangoClient().get(f"/ical/coach/{owner_coach.feed_token}.ics").status_code == 200
    with scope(organization=org):
        entry = AuditEntry.objects.get(action="coach.feed_reset")
    assert old not in str(entry.data) and owner_coach.feed_token not in str(entry.data)


def test_only_the_owner_or_the_coach_resets_the_link(org, owner_coach, staff):
    coach_user, _coach = new_coach(org)
    for user in (staff, coach_user):
        assert login_as(user).post(f"{base(org)}coaches/{owner_coach.pk}/calendar-link/reset/").status_code == 403
    token = owner_coach.feed_token
    owner_coach.refresh_from_db()
    assert owner_coach.feed_token == token


def test_pages_render_for_every_tab(org, owner_coach, web):
    """Every page of the section opens (no template errors), in the business's zone."""
    session_type = SessionTypeFactory(organization=org)
    urls = [base(org), f"{base(org)}coaches/{owner_coach.pk}/", hours_url(org, owner_coach),
            blocked_url(org, owner_coach), f"{base(org)}coaches/{owner_coach.pk}/extra-time/",
            f"{base(org)}coaches/{owner_coach.pk}/settings/", f"{base(org)}session-types/",
            f"{base(org)}session-types/{session_type.pk}/", f"{base(org)}rooms/", f"{base(org)}conflicts/"]
    for url in urls:
        response = web.get(url)
        assert response.status_code == 200, url
        assert "<script>" not in page(response)  # strict CSP: no inline scripts


def test_describe_span_reads_well_across_dst():
    tz = ZoneInfo("America/Chicago")
    now = datetime(2026, 3, 1, tzinfo=UTC)
    # 8 March 2026 is the spring-forward day in Chicago: a 23-hour whole day.
    start = datetime(2026, 3, 8, tzinfo=tz)
    end = datetime(2026, 3, 9, tzinfo=tz)
    assert describe_span(start, end, tz, now) == "Sunday, March 8, all day"
    assert describe_span(start, datetime(2026, 3, 13, tzinfo=tz), tz, now) == (
        "Sunday, March 8 – Thursday, March 12 (5 days)")
    assert describe_span(datetime(2026, 3, 9, 9, tzinfo=tz), datetime(2026, 3, 9, 12, tzinfo=tz), tz,
                         now) == "Monday, March 9, 9:00\u202fAM–12:00\u202fPM"
    assert describe_span(datetime(2027, 1, 4, 18, tzinfo=tz), datetime(2027, 1, 5, 8, tzinfo=tz), tz,
                         now) == "Monday, January 4, 2027, 6:00\u202fPM – Tuesday, January 5, 2027, 8:00\u202fAM"
