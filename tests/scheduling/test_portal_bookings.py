"""The client portal's bookings: list, "I'll be there", cancel, move, a regular weekly time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as DjangoClient
from django.urls import reverse
from django_scopes import scope

from coachos.scheduling.models import Booking, RecurringBooking, TrainingSession, WaitlistEntry
from coachos.scheduling.picker import encode_slot
from coachos.scheduling.services import COACH, booking_create, waitlist_join, waitlist_offer_next
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    BlockedSlotFactory,
    BookingFactory,
    ClientFactory,
    CoachFactory,
    OrganizationFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
    member,
)

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)  # Monday 1 June 2026, 09:00 in Chicago
TUESDAY_10 = datetime(2026, 6, 2, 10, 0, tzinfo=CHICAGO)  # 25 hours ahead
FRIDAY_10 = datetime(2026, 6, 5, 10, 0, tzinfo=CHICAGO)


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(org: Any, clock: Any) -> dict[str, Any]:
    coach = CoachFactory(organization=org, display_name="Jordan Reyes", cancellation_window_hours=24)
    for weekday in range(5):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(9), end_time=time(17))
    session_type = SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)
    user = member(org, Role.CLIENT, email="olivia@example.com", name="Olivia Martinez")
    client = ClientFactory(organization=org, user=user, first_name="Olivia", email="olivia@example.com")
    with scope(organization=org):
        booking = booking_create(coach=coach, session_type=session_type, client=client, starts_at=FRIDAY_10,
                                 actor=None, mode=COACH)
    return {"org": org, "coach": coach, "type": session_type, "user": user, "client": client, "booking": booking,
            "http": login_as(user)}


def url(name: str, org: Any, **kwargs: Any) -> str:
    return reverse(f"portal_bookings:{name}", kwargs={"org_slug": org.slug, **kwargs})


def reload(booking: Booking) -> Booking:
    with scope(organization=booking.organization):
        return Booking.objects.select_related("session").get(pk=booking.pk)


def book(setup: dict[str, Any], starts_at: datetime) -> Booking:
    with scope(organization=setup["org"]):
        return booking_create(coach=setup["coach"], session_type=setup["type"], client=setup["client"],
                              starts_at=starts_at, actor=None, mode=COACH)


def test_the_list_shows_upcoming_and_past_bookings(setup: dict[str, Any]) -> None:
    org = setup["org"]
    past = TrainingSessionFactory(coach=setup["coach"], session_type=setup["type"],
                                  starts_at=NOW - timedelta(days=3), ends_at=NOW - timedelta(days=3, hours=-1))
    BookingFactory(session=past, client=setup["client"], status=Booking.Status.COMPLETED)
    someone_else = BookingFactory(session=TrainingSessionFactory(coach=setup["coach"], session_type=setup["type"],
                                                                 starts_at=TUESDAY_10 + timedelta(hours=4),
                                                                 ends_at=TUESDAY_10 + timedelta(hours=5)))
    response = setup["http"].get(url("index", org))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Friday, June 5, 2026" in html and "10:00 AM – 11:00 AM" in html
    assert "Past and cancelled" in html and "Friday, May 29, 2026" in html and "Completed" in html
    assert url("cancel", org, booking_id=setup["booking"].pk) in html
    assert url("cancel", org, booking_id=someone_else.pk) not in html
    assert reverse("booking:index", kwargs={"org_slug": org.slug}) in html  # "Book a session"
    assert 'href="/portal/northside-test/bookings/" aria-current="page">Bookings</a>' in html


def test_the_clients_own_zone_is_shown_when_it_differs(setup: dict[str, Any]) -> None:
    html = setup["http"].get(url("index", setup["org"]) + "?tz=Europe/London").content.decode()
    assert "4:00 PM – 5:00 PM" in html and "(London time)" in html
    assert "Fri, Jun 5, 10:00 AM Chicago time" in html


def test_portal_home_shows_the_next_sessions(setup: dict[str, Any]) -> None:
    html = setup["http"].get(reverse("portal:home", kwargs={"org_slug": setup["org"].slug})).content.decode()
    assert "Your next sessions" in html and "Friday, June 5, 2026, 10:00 AM" in html
    assert "Book a session" in html


def test_ill_be_there(setup: dict[str, Any]) -> None:
    booking = setup["booking"]
    response = setup["http"].post(url("confirm", setup["org"], booking_id=booking.pk), follow=True)
    assert "knows you&#x27;re coming" in response.content.decode()
    assert reload(booking).client_confirmed_at == NOW
    assert "You confirmed" in response.content.decode()


def test_cancel_outside_the_window(setup: dict[str, Any]) -> None:
    org, booking = setup["org"], setup["booking"]
    page = setup["http"].get(url("cancel", org, booking_id=booking.pk)).content.decode()
    assert "Cancel this booking?" in page and "late cancellation" not in page
    response = setup["http"].post(url("cancel", org, booking_id=booking.pk), {"reason": "Work trip"}, follow=True)
    assert "Your booking is cancelled." in response.content.decode()
    booking = reload(booking)
    assert booking.status == Booking.Status.CANCELLED_BY_CLIENT and not booking.late_cancellation


def test_cancel_inside_the_window_is_refused_when_late_cancellation_is_not_allowed(setup: dict[str, Any],
                                                                                  clock: Any) -> None:
    org, booking = setup["org"], setup["booking"]
    clock.move_to(FRIDAY_10 - timedelta(hours=5))
    page = setup["http"].get(url("cancel", org, booking_id=booking.pk)).content.decode()
    assert "Sessions can be cancelled online up to 24 hours before they start." in page
    assert 'type="submit" class="danger"' not in page
    response = setup["http"].post(url("cancel", org, booking_id=booking.pk), follow=True)
    assert ("Sessions can be cancelled online up to 24 hours before they start. Please contact Northside Strength."
            in response.content.decode())
    assert reload(booking).status == Booking.Status.CONFIRMED
    listing = setup["http"].get(url("index", org)).content.decode()
    assert url("cancel", org, booking_id=booking.pk) not in listing
    assert "to change it, contact Northside Strength" in listing


def test_a_late_cancellation_is_announced_then_recorded(setup: dict[str, Any], clock: Any) -> None:
    org, booking = setup["org"], setup["booking"]
    org.late_cancellation_allowed = True
    org.save()
    clock.move_to(FRIDAY_10 - timedelta(hours=5))
    page = setup["http"].get(url("cancel", org, booking_id=booking.pk)).content.decode()
    assert "This will be a late cancellation." in page
    response = setup["http"].post(url("cancel", org, booking_id=booking.pk), follow=True)
    assert "It was a late cancellation." in response.content.decode()
    booking = reload(booking)
    assert booking.status == Booking.Status.CANCELLED_BY_CLIENT and booking.late_cancellation


def test_move_to_an_open_time(setup: dict[str, Any]) -> None:
    org, booking = setup["org"], setup["booking"]
    page = setup["http"].get(url("reschedule", org, booking_id=booking.pk)).content.decode()
    # Its own time does not block a neighbouring one (10:30 overlaps the current 10:00 session).
    assert encode_slot(setup["coach"].pk, FRIDAY_10 + timedelta(minutes=30)) in page
    assert encode_slot(setup["coach"].pk, TUESDAY_10) in page
    assert encode_slot(setup["coach"].pk, FRIDAY_10) not in page  # where it is now
    target = FRIDAY_10 + timedelta(minutes=30)
    response = setup["http"].post(url("reschedule", org, booking_id=booking.pk),
                                  {"slot": encode_slot(setup["coach"].pk, target)}, follow=True)
    assert "Moved to Friday, June 5, 2026 at 10:30 AM." in response.content.decode()
    assert reload(booking).session.starts_at == target


def test_move_only_to_an_open_time(setup: dict[str, Any]) -> None:
    org, booking = setup["org"], setup["booking"]
    other = ClientFactory(organization=org)
    with scope(organization=org):
        booking_create(coach=setup["coach"], session_type=setup["type"], client=other, starts_at=TUESDAY_10,
                       actor=None, mode=COACH)
    page = setup["http"].get(url("reschedule", org, booking_id=booking.pk)).content.decode()
    assert encode_slot(setup["coach"].pk, TUESDAY_10) not in page
    for start in (TUESDAY_10, TUESDAY_10.replace(hour=20)):
        response = setup["http"].post(url("reschedule", org, booking_id=booking.pk),
                                      {"slot": encode_slot(setup["coach"].pk, start)}, follow=True)
        assert response.redirect_chain[-1][0].startswith(url("reschedule", org, booking_id=booking.pk))
    assert reload(booking).session.starts_at == FRIDAY_10


def test_move_inside_the_window_is_refused(setup: dict[str, Any], clock: Any) -> None:
    org, booking = setup["org"], setup["booking"]
    clock.move_to(FRIDAY_10 - timedelta(hours=3))
    page = setup["http"].get(url("reschedule", org, booking_id=booking.pk)).content.decode()
    assert "Sessions can be moved online up to 24 hours before they start." in page
    assert "week-form" not in page
    response = setup["http"].post(url("reschedule", org, booking_id=booking.pk),
                                  {"slot": encode_slot(setup["coach"].pk, FRIDAY_10 + timedelta(hours=4))},
                                  follow=True)
    assert "Sessions can be moved online up to 24 hours" in response.content.decode()
    assert reload(booking).session.starts_at == FRIDAY_10


def test_booking_ics_download(setup: dict[str, Any]) -> None:
    response = setup["http"].get(url("ics", setup["org"], booking_id=setup["booking"].pk))
    assert response.status_code == 200 and b"BEGIN:VEVENT" in response.content
    assert b"DTSTART:20260605T150000Z" in response.content


def test_another_clients_booking_is_404_and_unchanged(setup: dict[str, Any]) -> None:
    org = setup["org"]
    theirs = BookingFactory(session=TrainingSessionFactory(coach=setup["coach"], session_type=setup["type"],
                                                           starts_at=TUESDAY_10 + timedelta(days=7),
                                                           ends_at=TUESDAY_10 + timedelta(days=7, hours=1)))
    http = setup["http"]
    for name in ("confirm", "cancel", "reschedule", "ics"):
        target = url(name, org, booking_id=theirs.pk)
        assert http.get(target).status_code in (404, 405), name
        assert http.post(target, {"slot": encode_slot(setup["coach"].pk, TUESDAY_10)}).status_code == 404, name
    theirs = reload(theirs)
    assert theirs.status == Booking.Status.CONFIRMED and theirs.client_confirmed_at is None
    assert theirs.session.starts_at == TUESDAY_10 + timedelta(days=7)


def test_a_client_of_another_business_gets_404(setup: dict[str, Any]) -> None:
    org_b = OrganizationFactory(slug="beta-studio")
    user_b = member(org_b, Role.CLIENT, email="bea@example.com")
    ClientFactory(organization=org_b, user=user_b)
    http = login_as(user_b)
    booking = setup["booking"]
    for name in ("confirm", "cancel", "reschedule", "ics"):
        for slug in (org_b.slug, setup["org"].slug):
            target = reverse(f"portal_bookings:{name}", kwargs={"org_slug": slug, "booking_id": booking.pk})
            assert http.post(target).status_code == 404, (name, slug)
    assert reload(booking).status == Booking.Status.CONFIRMED


def test_team_members_have_no_client_bookings_pages(setup: dict[str, Any], owner: Any) -> None:
    assert login_as(owner).get(url("index", setup["org"])).status_code == 403


def test_an_offered_waitlist_place_can_be_taken(setup: dict[str, Any]) -> None:
    org = setup["org"]
    bootcamp = SessionTypeFactory(organization=org, name="Bootcamp", capacity=2)
    wed = datetime(2026, 6, 3, 18, 0, tzinfo=CHICAGO)
    session = TrainingSessionFactory(coach=setup["coach"], session_type=bootcamp, starts_at=wed,
                                     ends_at=wed + timedelta(hours=1), capacity=2)
    first, _second = BookingFactory(session=session), BookingFactory(session=session)
    with scope(organization=org):
        entry = waitlist_join(session=session, client=setup["client"], actor=None)
        first.status = Booking.Status.CANCELLED_BY_CLIENT
        first.save()
        waitlist_offer_next(session=session)
    html = setup["http"].get(url("index", org)).content.decode()
    assert "A place is yours to take" in html
    response = setup["http"].post(url("take_offer", org, waitlist_id=entry.pk), follow=True)
    assert "You&#x27;re booked into the class." in response.content.decode()
    with scope(organization=org):
        assert Booking.objects.filter(session=session, client=setup["client"], status="confirmed").exists()
        assert WaitlistEntry.objects.get(pk=entry.pk).status == WaitlistEntry.Status.BOOKED


# --- a regular weekly time ----------------------------------------------------------------------

def recurring_data(**overrides: Any) -> dict[str, Any]:
    return {"weekday": 1, "start_time": "10:00", "every_weeks": 1, "start_date": "2026-06-01", "end_date": "",
            **overrides}


def test_every_tuesday_creates_six_weeks_and_reports_skipped_dates(setup: dict[str, Any]) -> None:
    org = setup["org"]
    # The coach is away on Tuesday 16 June.
    BlockedSlotFactory(coach=setup["coach"], starts_at=datetime(2026, 6, 16, 0, 0, tzinfo=CHICAGO),
                       ends_at=datetime(2026, 6, 17, 0, 0, tzinfo=CHICAGO), reason="Holiday")
    http = setup["http"]
    page = http.get(url("recurring", org)).content.decode()
    assert "A regular weekly time" in page and "In the business's time zone (America/Chicago)." in page
    data = recurring_data(session_type=setup["type"].pk, coach=setup["coach"].pk)
    response = http.post(url("recurring", org), data)
    assert response.status_code == 302
    with scope(organization=org):
        rb = RecurringBooking.objects.get()
        starts = list(TrainingSession.objects.filter(recurring_booking=rb).order_by("starts_at")
                      .values_list("starts_at", flat=True))
    local_days = [s.astimezone(CHICAGO).date() for s in starts]
    assert date(2026, 6, 16) not in local_days
    assert local_days[0] == date(2026, 6, 2) and all(s.astimezone(CHICAGO).time() == time(10) for s in starts)
    assert len(local_days) == 5  # 2, 9, 23, 30 June and 7 July; 16 June skipped
    html = http.get(response["Location"]).content.decode()
    assert "Every Tuesday at 10:00" in html
    assert "5 sessions booked" in html
    assert "1 date skipped" in html and "Tuesday, June 16, 2026, 10:00 AM: the coach is away" in html


def test_every_two_weeks_until_a_date(setup: dict[str, Any]) -> None:
    org = setup["org"]
    data = recurring_data(session_type=setup["type"].pk, coach=setup["coach"].pk, every_weeks=2,
                          end_date="2026-06-30")
    setup["http"].post(url("recurring", org), data)
    with scope(organization=org):
        starts = TrainingSession.objects.filter(recurring_booking__isnull=False).values_list("starts_at", flat=True)
        assert sorted(s.astimezone(CHICAGO).date() for s in starts) == [date(2026, 6, 2), date(2026, 6, 16),
                                                                        date(2026, 6, 30)]


def test_a_regular_time_outside_the_coachs_hours_books_nothing(setup: dict[str, Any]) -> None:
    org = setup["org"]
    data = recurring_data(session_type=setup["type"].pk, coach=setup["coach"].pk, start_time="20:00")
    response = setup["http"].post(url("recurring", org), data)
    assert response.status_code == 200
    assert "None of those dates can be booked: outside the coach&#x27;s hours." in response.content.decode()
    with scope(organization=org):
        assert not RecurringBooking.objects.exists()
        assert not TrainingSession.objects.filter(recurring_booking__isnull=False).exists()


def test_a_regular_time_form_refuses_bad_input(setup: dict[str, Any]) -> None:
    org = setup["org"]
    base = {"session_type": setup["type"].pk, "coach": setup["coach"].pk}
    response = setup["http"].post(url("recurring", org), recurring_data(**base, start_date="2026-05-01"))
    assert "Choose today or a later date." in response.content.decode()
    response = setup["http"].post(url("recurring", org), recurring_data(**base, end_date="2026-05-31"))
    assert "The last date must be on or after the first date." in response.content.decode()
    # Today (Monday) at 09:30 is half an hour away; the coach asks for two hours' notice.
    setup["coach"].min_notice_minutes = 120
    setup["coach"].save()
    response = setup["http"].post(url("recurring", org), recurring_data(**base, weekday=0, start_time="09:30"))
    assert "The first session would be too soon to book online." in response.content.decode()
    with scope(organization=org):
        assert not RecurringBooking.objects.exists()


def test_recurring_result_of_another_client_is_404(setup: dict[str, Any]) -> None:
    org = setup["org"]
    with scope(organization=org):
        rb = RecurringBooking.objects.create(organization=org, coach=setup["coach"], client=ClientFactory(
            organization=org), session_type=setup["type"], weekday=1, start_time=time(10), start_date=date(2026, 6, 1))
    assert setup["http"].get(url("recurring_result", org, recurring_id=rb.pk)).status_code == 404


def test_pages_need_a_login(setup: dict[str, Any]) -> None:
    response = DjangoClient().get(url("index", setup["org"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
