"""The public booking pages: /book/<org_slug>/ (type → week of times → hold → details → booked)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from icalendar import Calendar

from coachos.clients.models import Client
from coachos.comms.models import OutboundMessage
from coachos.scheduling.models import Booking, SlotHold, TrainingSession, WaitlistEntry
from coachos.scheduling.picker import encode_slot
from coachos.scheduling.services import COACH, booking_create
from coachos.tenancy.models import AuditEntry
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    AvailabilityAdditionFactory,
    BookingFactory,
    ClientFactory,
    CoachFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
    member,
)

CHICAGO = ZoneInfo("America/Chicago")
# Monday 1 June 2026, 09:00 in Chicago (CDT, UTC−5).
NOW = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
TUESDAY_10 = datetime(2026, 6, 2, 10, 0, tzinfo=CHICAGO)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(org: Any, clock: Any) -> dict[str, Any]:
    org.address = "1450 N Milwaukee Ave\nChicago, IL 60622"
    org.save()
    coach = CoachFactory(organization=org, display_name="Jordan Reyes", min_notice_minutes=60)
    for weekday in range(5):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(9), end_time=time(17))
    session_type = SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)
    return {"org": org, "coach": coach, "type": session_type}


def url(name: str, org: Any, **kwargs: Any) -> str:
    return reverse(f"booking:{name}", kwargs={"org_slug": org.slug, **kwargs})


def times_url(org: Any, session_type: Any, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"type": session_type.pk, **params}.items())
    return f"{url('times', org)}?{query}"


def hold_time(http: DjangoClient, setup: dict[str, Any], starts_at: datetime = TUESDAY_10) -> Any:
    response = http.post(url("hold", setup["org"]), {"type": setup["type"].pk,
                                                     "slot": encode_slot(setup["coach"].pk, starts_at)})
    assert response.status_code == 302, response.content
    return response


def details_data(**overrides: str) -> dict[str, str]:
    return {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "phone": "+1 312 555 0199",
            "note": "Knee niggle", **overrides}


def emailed_code(email: str) -> str:
    """The code in the newest booking-code email to ``email`` (the outbox row is the email)."""
    with scopes_disabled():
        message = OutboundMessage.objects.filter(kind="booking_email_code", to__iexact=email).latest("pk")
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None, "no code in the email"
    return found.group(1)


def book(http: DjangoClient, details: str, data: dict[str, str] | None = None, **kwargs: Any) -> Any:
    """Submit the details, then the code emailed for them (what every visitor not signed in does)."""
    data = data or details_data()
    response = http.post(details, data)
    assert response.status_code == 302 and urlparse(response["Location"]).path == details + "code/", response
    return http.post(response["Location"], {"code": emailed_code(data["email"])}, **kwargs)


def counts(org: Any) -> dict[str, int]:
    with scope(organization=org):
        return {"clients": Client.objects.count(), "bookings": Booking.objects.count(),
                "sessions": TrainingSession.objects.count()}


# --- the business page --------------------------------------------------------------------------

def test_business_page_lists_bookable_types_and_coaches(setup: dict[str, Any]) -> None:
    org = setup["org"]
    SessionTypeFactory(organization=org, name="Staff only", bookable_online=False)
    SessionTypeFactory(organization=org, name="Retired class", active=False)
    CoachFactory(organization=org, display_name="No Hours Coach")  # no availability: not listed
    response = DjangoClient().get(url("index", org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Northside Strength" in html and "1450 N Milwaukee Ave" in html
    assert "Personal training" in html and "Staff only" not in html and "Retired class" not in html
    assert "Jordan Reyes" in html and "No Hours Coach" not in html
    assert times_url(org, setup["type"]).replace("&", "&amp;") in html


def test_coach_page_and_another_business_objects_are_404(setup: dict[str, Any], other_org: Any) -> None:
    org = setup["org"]
    http = DjangoClient()
    response = http.get(url("coach", org, coach=setup["coach"].pk))
    assert response.status_code == 200
    assert "Book with Jordan Reyes" in response.content.decode()
    other_coach = CoachFactory(organization=other_org)
    WeeklyAvailabilityFactory(coach=other_coach)
    other_type = SessionTypeFactory(organization=other_org)
    assert http.get(url("coach", org, coach=other_coach.pk)).status_code == 404
    assert http.get(times_url(org, other_type)).status_code == 404
    # A's own page under B's address: not found either.
    assert http.get(url("coach", other_org, coach=setup["coach"].pk)).status_code == 404
    assert http.get(times_url(other_org, setup["type"])).status_code == 404


def test_a_type_not_bookable_online_has_no_times_page(setup: dict[str, Any]) -> None:
    hidden = SessionTypeFactory(organization=setup["org"], bookable_online=False)
    assert DjangoClient().get(times_url(setup["org"], hidden)).status_code == 404


# --- the week of times and time zones ----------------------------------------------------------

def test_times_show_in_the_business_zone_without_a_zone(setup: dict[str, Any]) -> None:
    response = DjangoClient().get(times_url(setup["org"], setup["type"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Times in America/Chicago, where Northside Strength is" in html
    # Notice is 60 minutes: today's first slot is 10:00 (09:00 is too soon); the week runs Mon–Sun.
    assert encode_slot(setup["coach"].pk, datetime(2026, 6, 1, 10, 0, tzinfo=CHICAGO)) in html
    assert encode_slot(setup["coach"].pk, datetime(2026, 6, 1, 9, 0, tzinfo=CHICAGO)) not in html
    assert encode_slot(setup["coach"].pk, TUESDAY_10) in html
    assert "10:00 AM" in html and "4:00 PM" in html
    assert "Mon, Jun 1" in html and "Sun, Jun 7" in html
    assert 'data-tz-current="America/Chicago"' in html and "data-tz-chosen" not in html


def test_times_show_in_the_visitors_zone(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    response = http.get(times_url(setup["org"], setup["type"], tz="Europe/London"))
    html = response.content.decode()
    assert "Times in Europe/London · Northside Strength is in America/Chicago" in html
    # 10:00 in Chicago is 16:00 in London (BST); 16:00 Chicago is 22:00 London.
    assert "4:00 PM" in html and "10:00 PM" in html
    assert "9:00 AM" not in html
    assert '<option value="Europe/London" selected>' in html
    # The zone is remembered for the visit.
    again = http.get(times_url(setup["org"], setup["type"])).content.decode()
    assert "Times in Europe/London" in again and "data-tz-chosen" in again


def test_an_unknown_zone_falls_back_to_the_business(setup: dict[str, Any]) -> None:
    html = DjangoClient().get(times_url(setup["org"], setup["type"], tz="Mars/Base")).content.decode()
    assert "Times in America/Chicago" in html


def test_a_zone_far_east_moves_slots_to_the_next_local_day(setup: dict[str, Any]) -> None:
    # 16:00 Friday in Chicago is 06:00 Saturday in Tokyo: it is listed under Saturday.
    html = DjangoClient().get(times_url(setup["org"], setup["type"], tz="Asia/Tokyo")).content.decode()
    saturday = html.split('id="d-2026-06-06"')[1].split("</section>")[0]
    assert encode_slot(setup["coach"].pk, datetime(2026, 6, 5, 16, 0, tzinfo=CHICAGO)) in saturday


def test_week_navigation(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    html = http.get(times_url(setup["org"], setup["type"])).content.decode()
    assert 'rel="next"' in html and 'rel="prev"' not in html
    html = http.get(times_url(setup["org"], setup["type"], **{"from": "2026-06-08"})).content.decode()
    assert "Mon, Jun 8" in html and 'rel="prev"' in html
    assert encode_slot(setup["coach"].pk, datetime(2026, 6, 9, 10, 0, tzinfo=CHICAGO)) in html
    # A week in the past shows this week.
    html = http.get(times_url(setup["org"], setup["type"], **{"from": "2020-01-01"})).content.decode()
    assert "Mon, Jun 1" in html


def test_an_empty_week_says_so_and_names_the_first_open_time(org: Any, clock: Any) -> None:
    coach = CoachFactory(organization=org)
    session_type = SessionTypeFactory(organization=org)
    # No weekly hours; one extra opening three weeks from now.
    AvailabilityAdditionFactory(coach=coach, starts_at=datetime(2026, 6, 24, 9, 0, tzinfo=CHICAGO),
                                ends_at=datetime(2026, 6, 24, 11, 0, tzinfo=CHICAGO))
    html = DjangoClient().get(times_url(org, session_type)).content.decode()
    assert "No open times this week" in html
    assert "The first open time is Wednesday, June 24, 2026 at 9:00 AM." in html
    assert "from=2026-06-24" in html


def test_several_coaches_any_coach_or_one(setup: dict[str, Any]) -> None:
    org = setup["org"]
    second = CoachFactory(organization=org, display_name="Sam Second")
    WeeklyAvailabilityFactory(coach=second, weekday=5, start_time=time(8), end_time=time(10))  # Saturdays
    http = DjangoClient()
    html = http.get(times_url(org, setup["type"])).content.decode()
    assert "Any coach" in html and "Sam Second" in html
    saturday_8 = datetime(2026, 6, 6, 8, 0, tzinfo=CHICAGO)
    assert encode_slot(second.pk, saturday_8) in html
    html = http.get(times_url(org, setup["type"], coach=str(setup["coach"].pk))).content.decode()
    assert encode_slot(second.pk, saturday_8) not in html
    assert encode_slot(setup["coach"].pk, TUESDAY_10) in html


# --- hold, details, booking ---------------------------------------------------------------------

def test_choosing_a_time_holds_it_for_ten_minutes(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    response = hold_time(http, setup)
    with scope(organization=setup["org"]):
        hold = SlotHold.objects.get()
    assert hold.starts_at == TUESDAY_10
    assert hold.expires_at == NOW + timedelta(minutes=10)
    assert response["Location"] == url("details", setup["org"], token=hold.token)
    html = http.get(response["Location"]).content.decode()
    assert "Held for you for" in html and "10 minutes" in html and 'data-seconds="600"' in html
    assert "Tuesday, June 2, 2026" in html and "10:00 AM – 11:00 AM" in html
    # The held time is no longer offered to anyone else.
    other = DjangoClient().get(times_url(setup["org"], setup["type"])).content.decode()
    assert encode_slot(setup["coach"].pk, TUESDAY_10) not in other


def test_a_new_person_books_and_the_hold_is_gone(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    response = book(http, details)
    assert response.status_code == 302
    org = setup["org"]
    with scope(organization=org):
        booking = Booking.objects.select_related("client", "session").get()
        assert not SlotHold.objects.exists()
        assert booking.session.starts_at == TUESDAY_10
        assert booking.note == "Knee niggle"
        client = booking.client
        assert (client.first_name, client.last_name, client.email, client.phone) == (
            "Ann", "Lee", "ann@example.com", "+13125550199")
        assert client.status == Client.Status.ACTIVE and client.user is None
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"client.created", "booking.created"} <= actions
    done = http.get(response["Location"])
    html = done.content.decode()
    assert "You're booked" in html and "Tuesday, June 2, 2026, 10:00 AM – 11:00 AM" in html
    assert "Add to calendar" in html and "Go to your portal" not in html
    # A second submit of the same form (back button) lands on the confirmation, books nothing.
    assert http.post(details, details_data())["Location"] == response["Location"]
    assert counts(org)["bookings"] == 1


def test_confirmation_shows_both_zones_and_the_ics_file(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    http.get(times_url(setup["org"], setup["type"], tz="Europe/London"))
    details = hold_time(http, setup)["Location"]
    done_url = book(http, details)["Location"]
    html = http.get(done_url).content.decode()
    assert "4:00 PM – 5:00 PM" in html and "(Europe/London)" in html
    assert "Tue, Jun 2, 10:00 AM in America/Chicago, where Northside Strength is" in html
    ics_link = urlparse(done_url).path + "calendar.ics"
    response = http.get(ics_link)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == TUESDAY_10
    assert event.decoded("dtend") == TUESDAY_10 + timedelta(hours=1)
    assert "Personal training" in str(event.get("summary"))
    assert "1450 N Milwaukee Ave" in str(event.get("location"))


def test_a_forged_confirmation_link_is_404(setup: dict[str, Any]) -> None:
    assert DjangoClient().get(url("done", setup["org"], token="1:forged")).status_code == 404
    assert DjangoClient().get(url("ics", setup["org"], token="1:forged")).status_code == 404


def test_an_expired_hold_is_refused_and_nothing_is_written(setup: dict[str, Any], clock: Any) -> None:
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    before = counts(setup["org"])
    clock.shift(timedelta(minutes=10, seconds=1))
    response = http.post(details, details_data(), follow=True)
    html = response.content.decode()
    assert "Your hold on this time expired. Please choose a time again." in html
    assert response.redirect_chain[-1][0].startswith(url("times", setup["org"]))
    assert "from=2026-06-02" in response.redirect_chain[-1][0]
    assert counts(setup["org"]) == before
    # Opening the form again says the same and goes back to the times.
    response = http.get(details)
    assert response.status_code == 302 and response["Location"].startswith(url("times", setup["org"]))


def test_the_time_taken_meanwhile_is_refused_and_nothing_is_written(setup: dict[str, Any]) -> None:
    org = setup["org"]
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    # The coach books someone else at that time from the calendar (a coach may book over a hold).
    with scope(organization=org):
        booking_create(coach=setup["coach"], session_type=setup["type"], client=ClientFactory(organization=org),
                       starts_at=TUESDAY_10, actor=None, mode=COACH)
    before = counts(org)
    response = book(http, details, details_data(email="new.person@example.com"), follow=True)
    html = response.content.decode()
    assert "That time was just taken. Please choose another time." in html
    assert response.redirect_chain[-1][0].startswith(url("times", org))
    assert counts(org) == before
    with scope(organization=org):
        assert not Client.objects.filter(email="new.person@example.com").exists()


def test_holding_a_time_already_taken_is_refused(setup: dict[str, Any]) -> None:
    org = setup["org"]
    with scope(organization=org):
        booking_create(coach=setup["coach"], session_type=setup["type"], client=ClientFactory(organization=org),
                       starts_at=TUESDAY_10, actor=None, mode=COACH)
    response = DjangoClient().post(url("hold", org), {"type": setup["type"].pk,
                                                      "slot": encode_slot(setup["coach"].pk, TUESDAY_10)},
                                   follow=True)
    assert "That time was just taken" in response.content.decode()
    with scope(organization=org):
        assert not SlotHold.objects.exists()


def test_a_forged_slot_is_refused(setup: dict[str, Any]) -> None:
    org = setup["org"]
    http = DjangoClient()
    for slot in ("nonsense", f"{setup['coach'].pk}@12", encode_slot(999999, TUESDAY_10),
                 encode_slot(setup["coach"].pk, TUESDAY_10.replace(hour=3))):
        response = http.post(url("hold", org), {"type": setup["type"].pk, "slot": slot}, follow=True)
        assert response.status_code == 200
    with scope(organization=org):
        assert not SlotHold.objects.exists()


def test_bad_input_keeps_the_typed_values_and_writes_nothing(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    before = counts(setup["org"])
    response = http.post(details, details_data(first_name="", email="not-an-email", phone="12345",
                                               last_name="Lovelace", note="Hello there"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "This field is required." in html
    assert "Enter a valid email address." in html
    assert "This is not a valid phone number" in html
    assert 'value="Lovelace"' in html and 'value="not-an-email"' in html and 'value="12345"' in html
    assert "Hello there" in html
    assert counts(setup["org"]) == before
    with scope(organization=setup["org"]):
        assert SlotHold.objects.count() == 1  # still held: the person can fix the form


def test_friendly_phone_formats_are_accepted(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    book(http, details, details_data(phone="0044 (20) 7946-0958"))
    with scope(organization=setup["org"]):
        assert Client.objects.get().phone == "+442079460958"


def test_an_existing_client_is_matched_by_email(setup: dict[str, Any]) -> None:
    org = setup["org"]
    existing = ClientFactory(organization=org, first_name="Annabel", last_name="Lee", email="ann@example.com",
                             phone="", status=Client.Status.LEAD)
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    book(http, details, details_data(first_name="Someone", email="Ann@EXAMPLE.com"))
    with scope(organization=org):
        booking = Booking.objects.get()
        assert booking.client_id == existing.pk
        assert Client.objects.count() == 1
        existing.refresh_from_db()
    # Empty fields are filled in; a name typed by whoever knows the email does not replace it.
    assert existing.first_name == "Annabel"
    assert existing.phone == "+13125550199"
    assert existing.status == Client.Status.ACTIVE


def test_a_signed_in_client_books_as_themselves(setup: dict[str, Any]) -> None:
    org = setup["org"]
    user = member(org, Role.CLIENT, email="olivia@example.com", name="Olivia Martinez")
    client = ClientFactory(organization=org, user=user, first_name="Olivia", last_name="Martinez",
                           email="olivia@example.com", phone="+13125550110")
    http = login_as(user)
    details = hold_time(http, setup)["Location"]
    html = http.get(details).content.decode()
    assert "Booking as Olivia Martinez" in html
    assert 'value="Olivia"' in html and 'value="+13125550110"' in html
    assert 'value="olivia@example.com"' in html and "disabled" in html
    # The email field is locked: a different one posted is ignored.
    response = http.post(details, details_data(first_name="Olivia", last_name="Martinez",
                                               email="someone.else@example.com", phone="+13125550110"))
    assert response.status_code == 302
    with scope(organization=org):
        booking = Booking.objects.get()
        assert booking.client_id == client.pk
        assert not Client.objects.filter(email="someone.else@example.com").exists()
    html = http.get(response["Location"]).content.decode()
    assert "Go to your portal" in html


def test_choosing_another_time_frees_the_hold(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    details = hold_time(http, setup)["Location"]
    token = details.rstrip("/").split("/")[-1]
    response = http.post(url("release", setup["org"], token=token))
    assert response.status_code == 302 and response["Location"].startswith(url("times", setup["org"]))
    with scope(organization=setup["org"]):
        assert not SlotHold.objects.exists()


def test_a_new_hold_replaces_the_visitors_previous_one(setup: dict[str, Any]) -> None:
    http = DjangoClient()
    hold_time(http, setup)
    hold_time(http, setup, TUESDAY_10 + timedelta(hours=2))
    with scope(organization=setup["org"]):
        assert list(SlotHold.objects.values_list("starts_at", flat=True)) == [TUESDAY_10 + timedelta(hours=2)]


# --- group classes and the waitlist -------------------------------------------------------------

@pytest.fixture
def group(setup: dict[str, Any]) -> dict[str, Any]:
    org, coach = setup["org"], setup["coach"]
    WeeklyAvailabilityFactory(coach=coach, weekday=2, start_time=time(18), end_time=time(20), for_individual=False,
                              for_group=True)
    bootcamp = SessionTypeFactory(organization=org, name="Bootcamp", capacity=3, duration_minutes=60)
    wed = datetime(2026, 6, 3, 18, 0, tzinfo=CHICAGO)
    almost = TrainingSessionFactory(coach=coach, session_type=bootcamp, starts_at=wed, ends_at=wed + timedelta(hours=1),
                                    capacity=3)
    for _ in range(2):
        BookingFactory(session=almost)
    thu = datetime(2026, 6, 11, 18, 0, tzinfo=CHICAGO)
    full = TrainingSessionFactory(coach=coach, session_type=bootcamp, starts_at=thu, ends_at=thu + timedelta(hours=1),
                                  capacity=3)
    for _ in range(3):
        BookingFactory(session=full)
    return {**setup, "bootcamp": bootcamp, "almost": almost, "full": full}


def test_group_times_show_places_left(group: dict[str, Any]) -> None:
    org = group["org"]
    html = DjangoClient().get(times_url(org, group["bootcamp"])).content.decode()
    almost = html.split(f'value="{encode_slot(group["coach"].pk, group["almost"].starts_at)}"')[1].split("</button>")[0]
    assert "1 place left" in almost
    # 19:00 is a new class time in group hours: all three places.
    new_class = encode_slot(group["coach"].pk, datetime(2026, 6, 3, 19, 0, tzinfo=CHICAGO))
    assert "3 places left" in html.split(f'value="{new_class}"')[1].split("</button>")[0]


def test_joining_a_group_class_books_a_place_in_it(group: dict[str, Any]) -> None:
    org = group["org"]
    http = DjangoClient()
    details = hold_time(http, {**group, "type": group["bootcamp"]}, group["almost"].starts_at)["Location"]
    book(http, details)
    with scope(organization=org):
        assert Booking.objects.filter(session=group["almost"], status="confirmed").count() == 3
        assert TrainingSession.objects.filter(session_type=group["bootcamp"]).count() == 2
    html = DjangoClient().get(times_url(org, group["bootcamp"])).content.decode()
    assert "Full · join the waitlist" in html


def test_a_full_class_offers_the_waitlist_to_a_new_person(group: dict[str, Any]) -> None:
    org, full = group["org"], group["full"]
    http = DjangoClient()
    html = http.get(times_url(org, group["bootcamp"], **{"from": "2026-06-08"})).content.decode()
    waitlist_link = f"{url('waitlist', org)}?session={full.pk}"
    assert waitlist_link in html and "Full · join the waitlist" in html
    assert encode_slot(group["coach"].pk, full.starts_at) not in html  # not a bookable button
    page = http.get(waitlist_link)
    assert "Join the waitlist" in page.content.decode()
    bad = http.post(url("waitlist", org), {"session": full.pk, "first_name": "", "email": "x"})
    assert bad.status_code == 200 and "This field is required." in bad.content.decode()
    asked = http.post(url("waitlist", org), {"session": full.pk, "first_name": "Wes", "last_name": "Wait",
                                             "email": "wes@example.com"})
    # Not signed in: the code emailed to them first (tests/scheduling/test_public_waitlist_code.py).
    assert asked.status_code == 302 and asked["Location"] == f"{url('waitlist_code', org)}?session={full.pk}"
    response = http.post(asked["Location"], {"code": emailed_code("wes@example.com")})
    assert response.status_code == 200
    assert "You're on the waitlist" in response.content.decode()
    with scope(organization=org):
        entry = WaitlistEntry.objects.select_related("client").get()
        assert entry.session_id == full.pk and entry.status == WaitlistEntry.Status.WAITING
        assert entry.client.email == "wes@example.com" and entry.client.status == Client.Status.LEAD


def test_a_signed_in_client_joins_the_waitlist(group: dict[str, Any]) -> None:
    org, full = group["org"], group["full"]
    user = member(org, Role.CLIENT, email="olivia@example.com")
    client = ClientFactory(organization=org, user=user, email="olivia@example.com")
    http = login_as(user)
    response = http.post(url("waitlist", org), {"session": full.pk, "first_name": client.first_name,
                                                "last_name": client.last_name})
    assert "You're on the waitlist" in response.content.decode()
    with scope(organization=org):
        assert WaitlistEntry.objects.get().client_id == client.pk


def test_holding_a_place_in_a_full_class_is_refused(group: dict[str, Any]) -> None:
    org = group["org"]
    response = DjangoClient().post(url("hold", org), {"type": group["bootcamp"].pk,
                                                      "slot": encode_slot(group["coach"].pk, group["full"].starts_at)},
                                   follow=True)
    assert "This class is full. You can join the waitlist." in response.content.decode()
    with scope(organization=org):
        assert not SlotHold.objects.exists()


def test_waitlist_of_another_business_is_404(group: dict[str, Any], other_org: Any) -> None:
    with scopes_disabled():
        session_pk = group["full"].pk
    assert DjangoClient().get(f"{url('waitlist', other_org)}?session={session_pk}").status_code == 404
