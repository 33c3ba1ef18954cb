"""Occurrences the daily job skips (time off, a clash) are recorded once, announced once, and wait
on the Conflicts page for the coach to book another time or dismiss."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django_scopes import scope, scopes_disabled

from coachos.common import events
from coachos.scheduling.models import Booking, RecurringBooking, SkippedOccurrence
from coachos.scheduling.services import recurring_create, recurring_extend_all
from coachos.tenancy.models import AuditEntry
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    BlockedSlotFactory,
    ClientFactory,
    CoachFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
    member,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2025, 6, 2)
NAME = "recurring.occurrence_skipped"


def local(org: Any, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=org.tzinfo)


@pytest.fixture
def heard() -> Iterator[list[events.Event]]:
    found: list[events.Event] = []

    def listener(event: events.Event) -> None:
        found.append(event)

    events.subscribe(listener, [NAME])
    try:
        yield found
    finally:
        events.unsubscribe(listener)


@pytest.fixture
def tuesdays(org: Any, time_machine: Any) -> RecurringBooking:
    """Tuesdays at 10:00 from Monday 2 June 2025 (the first 6 weeks, to 8 July, made at once)."""
    time_machine.move_to(local(org, MONDAY, 12), tick=False)
    coach = CoachFactory(organization=org, display_name="Jordan Reyes")
    for weekday in range(7):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(6), end_time=time(21))
    with scope(organization=org):
        rb, result = recurring_create(
            coach=coach, client=ClientFactory(organization=org, first_name="Ann", last_name="Lee"),
            session_type=SessionTypeFactory(organization=org, name="Strength"), weekday=1, start_time=time(10),
            start_date=MONDAY, end_date=None, every_weeks=1, actor=None)
    assert len(result.created) == 6 and not result.skipped
    return rb


def extend(org: Any) -> dict[str, int]:
    with scope(organization=org):
        return recurring_extend_all(organization=org)


def skipped(rb: RecurringBooking) -> list[tuple[datetime, str, str]]:
    with scopes_disabled():
        return list(SkippedOccurrence.objects.filter(recurring_booking=rb).order_by("starts_at")
                    .values_list("starts_at", "reason", "status"))


def test_the_job_records_and_announces_each_skipped_occurrence_once(org, time_machine, tuesdays, heard):
    rb = tuesdays
    BlockedSlotFactory(coach=rb.coach, starts_at=local(org, date(2025, 7, 15), 9),
                       ends_at=local(org, date(2025, 7, 15), 12))
    TrainingSessionFactory(coach=rb.coach, starts_at=local(org, date(2025, 7, 22), 10, 30),
                           ends_at=local(org, date(2025, 7, 22), 11, 30))

    time_machine.move_to(local(org, date(2025, 6, 9), 3), tick=False)
    assert extend(org)["skipped"] == 1
    time_machine.move_to(local(org, date(2025, 6, 16), 3), tick=False)
    assert extend(org)["skipped"] == 1

    july15, july22 = local(org, date(2025, 7, 15), 10), local(org, date(2025, 7, 22), 10)
    assert skipped(rb) == [(july15, "blocked", "open"), (july22, "clash", "open")]
    with scopes_disabled():
        rows = list(SkippedOccurrence.objects.filter(recurring_booking=rb).order_by("starts_at"))
        assert AuditEntry.objects.filter(action="recurring_booking.occurrence_skipped").count() == 2
    assert [(e.object_type, e.object_id, e.client_id, e.data, e.key) for e in heard] == [
        ("recurringbooking", rb.pk, rb.client_id,
         {"starts_at": row.starts_at.isoformat(), "reason": row.reason, "skipped_id": row.pk},
         f"{NAME}:{row.pk}")
        for row in rows
    ]
    assert rows[0].ends_at - rows[0].starts_at == timedelta(hours=1)

    # Again, and even with the bookings looked at again from the start: nothing twice.
    assert extend(org)["skipped"] == 0
    with scopes_disabled():
        RecurringBooking.objects.filter(pk=rb.pk).update(generated_until=MONDAY)
    assert extend(org)["skipped"] == 2  # found skipped again by the engine …
    assert len(skipped(rb)) == 2  # … but neither recorded …
    assert len(heard) == 2  # … nor announced twice


def test_the_conflicts_page_offers_book_another_time_which_marks_it_rebooked(org, time_machine, tuesdays, web):
    rb = tuesdays
    BlockedSlotFactory(coach=rb.coach, starts_at=local(org, date(2025, 7, 15), 9),
                       ends_at=local(org, date(2025, 7, 15), 12))
    time_machine.move_to(local(org, date(2025, 6, 9), 3), tick=False)
    extend(org)
    with scopes_disabled():
        row = SkippedOccurrence.objects.get(recurring_booking=rb)

    page = web.get(f"/o/{org.slug}/schedule/conflicts/").content.decode()
    assert "Not booked from recurring bookings" in page
    assert "Ann Lee" in page and "Strength" in page and "The coach is away" in page
    assert "Book another time" in page and f"/conflicts/skipped/{row.pk}/dismiss/" in page
    found = re.search(r'<a href="([^"]+)" role="button" class="secondary">Book another time</a>', page)
    assert found, page
    link = found.group(1).replace("&amp;", "&")
    params = parse_qs(urlsplit(link).query)
    assert params == {"client": [str(rb.client_id)], "session_type": [str(rb.session_type_id)],
                      "coach": [str(rb.coach_id)], "skipped": [str(row.pk)], "start": ["2025-07-15T10:00"]}

    form = web.get(link).content.decode()  # the booking form, filled in
    assert f'<option value="{rb.client_id}" selected>' in form
    assert f'<option value="{rb.session_type_id}" selected>' in form
    assert f'name="skipped" value="{row.pk}"' in form
    assert 'value="2025-07-15T10:00"' in form

    response = web.post(urlsplit(link).path, {
        "client": rb.client_id, "session_type": rb.session_type_id, "coach": rb.coach_id,
        "starts_at": "2025-07-16T10:00", "skipped": row.pk, "note": ""})
    assert response.status_code == 302, response.content.decode()
    with scopes_disabled():
        row.refresh_from_db()
        booking = Booking.objects.get(client=rb.client, session__starts_at=local(org, date(2025, 7, 16), 10))
    assert row.status == SkippedOccurrence.Status.REBOOKED
    assert row.rebooked_session_id == booking.session_id
    assert "Not booked from recurring bookings" not in web.get(f"/o/{org.slug}/schedule/conflicts/").content.decode()

    # The same link again books nothing more: the row is no longer open.
    again = web.post(urlsplit(link).path, {
        "client": rb.client_id, "session_type": rb.session_type_id, "coach": rb.coach_id,
        "starts_at": "2025-07-17T10:00", "skipped": row.pk, "note": ""})
    assert again.status_code == 422
    assert "That skipped session was already booked at another time or dismissed." in again.content.decode()
    with scopes_disabled():
        assert not Booking.objects.filter(session__starts_at=local(org, date(2025, 7, 17), 10)).exists()


def test_dismiss_takes_it_off_the_conflicts_page(org, time_machine, tuesdays, web):
    rb = tuesdays
    TrainingSessionFactory(coach=rb.coach, starts_at=local(org, date(2025, 7, 15), 10),
                           ends_at=local(org, date(2025, 7, 15), 11))
    time_machine.move_to(local(org, date(2025, 6, 9), 3), tick=False)
    extend(org)
    with scopes_disabled():
        row = SkippedOccurrence.objects.get(recurring_booking=rb)
    assert row.reason == "clash"
    response = web.post(f"/o/{org.slug}/schedule/conflicts/skipped/{row.pk}/dismiss/", follow=True)
    text = response.content.decode()
    assert "Dismissed" in text and "Not booked from recurring bookings" not in text
    row.refresh_from_db()
    assert row.status == SkippedOccurrence.Status.DISMISSED
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="recurring_booking.skipped_dismissed").count() == 1


def test_another_business_gets_404_and_nothing_changes(org, other_org, time_machine, tuesdays):
    rb = tuesdays
    BlockedSlotFactory(coach=rb.coach, starts_at=local(org, date(2025, 7, 15), 9),
                       ends_at=local(org, date(2025, 7, 15), 12))
    time_machine.move_to(local(org, date(2025, 6, 9), 3), tick=False)
    extend(org)
    with scopes_disabled():
        row = SkippedOccurrence.objects.get(recurring_booking=rb)
    stranger = login_as(member(other_org, Role.OWNER))
    assert stranger.post(f"/o/{other_org.slug}/schedule/conflicts/skipped/{row.pk}/dismiss/").status_code == 404
    row.refresh_from_db()
    assert row.status == SkippedOccurrence.Status.OPEN
