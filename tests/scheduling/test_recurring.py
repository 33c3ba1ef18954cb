"""Recurring bookings: what recurring_create materializes, and what it skips (PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django_scopes import scope

from coachos.scheduling.models import Booking, RecurringBooking, TrainingSession
from coachos.scheduling.services import SchedulingError, occurrences, recurring_cancel, recurring_create
from coachos.tenancy.models import AuditEntry

from ..factories import (
    BlockedSlotFactory,
    ClientFactory,
    CoachFactory,
    OrganizationFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = date(2025, 6, 2)  # "today" in most tests; today + 6 weeks is Monday 14 July


def local(org, day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=org.tzinfo)


@pytest.fixture
def setup(org, time_machine):
    time_machine.move_to(local(org, MONDAY, 9), tick=False)
    coach = CoachFactory(organization=org)
    for weekday in range(7):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(6), end_time=time(21))
    return coach, SessionTypeFactory(organization=org, duration_minutes=60), ClientFactory(organization=org)


def create(coach, session_type, client, **kwargs):
    fields = {"weekday": 1, "start_time": time(10), "start_date": MONDAY, "end_date": None, "every_weeks": 1,
              "actor": None}
    fields.update(kwargs)
    with scope(organization=coach.organization):
        return recurring_create(coach=coach, client=client, session_type=session_type, **fields)


def session_days(rb: RecurringBooking) -> list[date]:
    tz = rb.organization.tzinfo
    with scope(organization=rb.organization):
        return [s.starts_at.astimezone(tz).date() for s in TrainingSession.objects.filter(recurring_booking=rb)]


def test_the_next_six_weeks_are_materialized_at_once(setup, org):
    coach, session_type, client = setup
    rb, result = create(coach, session_type, client)
    tuesdays = [date(2025, 6, 3) + timedelta(weeks=n) for n in range(6)]  # up to 8 July; 15 July is too far
    assert session_days(rb) == tuesdays
    assert [s.starts_at for s in result.created] == [local(org, d, 10) for d in tuesdays]
    assert result.skipped == []
    rb.refresh_from_db()
    assert rb.generated_until == MONDAY + timedelta(weeks=6)
    with scope(organization=org):
        sessions = TrainingSession.objects.filter(recurring_booking=rb)
        assert {(s.ends_at - s.starts_at) for s in sessions} == {timedelta(hours=1)}
        assert {s.status for s in sessions} == {TrainingSession.Status.SCHEDULED}
        bookings = Booking.objects.filter(session__recurring_booking=rb)
        assert bookings.count() == 6
        assert {(b.client_id, b.status) for b in bookings} == {(client.pk, Booking.Status.CONFIRMED)}
        assert AuditEntry.objects.filter(action="recurring_booking.created", object_id=str(rb.pk)).count() == 1


def test_today_counts_when_the_time_is_still_ahead(setup, org):
    coach, session_type, client = setup
    # Now is Monday 09:00: today 10:00 is ahead and 14 July (today + 6 weeks) is included.
    rb, _result = create(coach, session_type, client, weekday=0)
    assert session_days(rb) == [MONDAY + timedelta(weeks=n) for n in range(7)]
    # 08:00 has passed today.
    rb, _result = create(coach, session_type, client, weekday=0, start_time=time(8))
    assert session_days(rb) == [MONDAY + timedelta(weeks=n) for n in range(1, 7)]


def test_every_two_weeks(setup, org):
    coach, session_type, client = setup
    rb, _result = create(coach, session_type, client, weekday=3, every_weeks=2)
    days = session_days(rb)
    assert days == [date(2025, 6, 5), date(2025, 6, 19), date(2025, 7, 3)]
    assert all((b - a).days == 14 for a, b in zip(days, days[1:], strict=False))


def test_every_two_weeks_counts_from_the_first_date(setup, org):
    coach, session_type, client = setup
    rb, _result = create(coach, session_type, client, weekday=3, every_weeks=2, start_date=date(2025, 5, 29))
    # 29 May, 12 June, 26 June, 10 July: the fortnight is anchored on the first date, not on today.
    assert session_days(rb) == [date(2025, 6, 12), date(2025, 6, 26), date(2025, 7, 10)]


def test_the_end_date_is_respected(setup, org):
    coach, session_type, client = setup
    rb, _result = create(coach, session_type, client, end_date=date(2025, 6, 17))
    assert session_days(rb) == [date(2025, 6, 3), date(2025, 6, 10), date(2025, 6, 17)]
    rb2, _result = create(coach, session_type, client, weekday=2, start_time=time(12), end_date=date(2025, 6, 17))
    assert session_days(rb2) == [date(2025, 6, 4), date(2025, 6, 11)]


def test_a_future_first_date(setup, org):
    coach, session_type, client = setup
    rb, _result = create(coach, session_type, client, start_date=date(2025, 7, 1))
    assert session_days(rb) == [date(2025, 7, 1), date(2025, 7, 8)]


def test_occurrences_on_blocked_time_are_skipped_and_reported(setup, org):
    coach, session_type, client = setup
    BlockedSlotFactory(coach=coach, starts_at=local(org, date(2025, 6, 17), 0), ends_at=local(org, date(2025, 6, 18), 0),
                       reason="Conference")
    # Blocked time that only touches an occurrence does not skip it.
    BlockedSlotFactory(coach=coach, starts_at=local(org, date(2025, 6, 24), 11), ends_at=local(org, date(2025, 6, 24), 12))
    rb, result = create(coach, session_type, client)
    assert date(2025, 6, 17) not in session_days(rb)
    assert len(session_days(rb)) == 5
    assert [(s["date"], s["reason"]) for s in result.skipped] == [("2025-06-17", "blocked")]
    assert result.skipped[0]["starts_at"] == local(org, date(2025, 6, 17), 10).isoformat()
    assert result.skipped[0]["message"]


def test_an_occurrence_that_would_overlap_another_session_is_skipped_never_double_booked(setup, org):
    coach, session_type, client = setup
    other = TrainingSessionFactory(coach=coach, starts_at=local(org, date(2025, 6, 24), 10, 30),
                                   ends_at=local(org, date(2025, 6, 24), 11, 30))
    rb, result = create(coach, session_type, client)
    assert session_days(rb) == [date(2025, 6, 3), date(2025, 6, 10), date(2025, 6, 17), date(2025, 7, 1),
                                date(2025, 7, 8)]
    assert [(s["date"], s["reason"]) for s in result.skipped] == [("2025-06-24", "taken")]
    with scope(organization=org):
        other.refresh_from_db()
        assert other.status == TrainingSession.Status.SCHEDULED
        on_the_day = TrainingSession.objects.filter(coach=coach, starts_at__date=date(2025, 6, 24))
        assert list(on_the_day) == [other]


def test_the_coachs_buffers_apply_to_occurrences(setup, org):
    coach, session_type, client = setup
    coach.buffer_after_minutes = 15
    coach.save()
    TrainingSessionFactory(coach=coach, starts_at=local(org, date(2025, 6, 10), 9), ends_at=local(org, date(2025, 6, 10), 9, 50))
    _rb, result = create(coach, session_type, client)
    assert [(s["date"], s["reason"]) for s in result.skipped] == [("2025-06-10", "taken")]


def test_two_recurring_bookings_at_the_same_time_the_second_is_skipped(setup, org):
    coach, session_type, client = setup
    first, _result = create(coach, session_type, client)
    second, result = create(coach, session_type, ClientFactory(organization=org), start_time=time(10, 30))
    assert len(session_days(first)) == 6
    assert session_days(second) == []
    assert {s["reason"] for s in result.skipped} == {"taken"} and len(result.skipped) == 6


def test_occurrences_outside_the_coachs_hours_are_skipped(setup, org):
    coach, session_type, client = setup
    _rb, result = create(coach, session_type, client, start_time=time(20, 30))  # the day ends at 21:00
    assert result.created == []
    assert {s["reason"] for s in result.skipped} == {"unavailable"}


def test_occurrences_keep_ten_oclock_local_across_the_march_change(time_machine):
    org = OrganizationFactory(timezone="America/New_York")
    time_machine.move_to(datetime(2025, 2, 24, 12, tzinfo=org.tzinfo), tick=False)  # a Monday, EST
    coach = CoachFactory(organization=org)
    WeeklyAvailabilityFactory(coach=coach, weekday=1, start_time=time(7), end_time=time(19))
    session_type = SessionTypeFactory(organization=org, duration_minutes=60)
    rb, result = create(coach, session_type, ClientFactory(organization=org), start_date=date(2025, 2, 24))
    starts = [s.starts_at for s in result.created]
    assert [s.astimezone(org.tzinfo).time() for s in starts] == [time(10)] * 6
    assert [s.astimezone(UTC).hour for s in starts] == [15, 15, 14, 14, 14, 14]  # EST, then EDT from 9 March
    assert [s.astimezone(org.tzinfo).date() for s in starts] == [date(2025, 2, 25) + timedelta(weeks=n)
                                                                  for n in range(6)]
    # Each lasts one real hour.
    assert {s.ends_at - s.starts_at for s in result.created} == {timedelta(hours=1)}


def test_bad_input_changes_nothing(setup, org):
    coach, session_type, client = setup
    for kwargs in ({"every_weeks": 3}, {"weekday": 7}, {"end_date": MONDAY - timedelta(days=1)}):
        with pytest.raises(SchedulingError):
            create(coach, session_type, client, **kwargs)
    with pytest.raises(SchedulingError):
        create(coach, session_type, ClientFactory())  # a client of another business
    with scope(organization=org):
        assert RecurringBooking.objects.count() == 0
        assert TrainingSession.objects.count() == 0


def test_recurring_cancel_cancels_only_future_sessions(setup, org, time_machine):
    coach, session_type, client = setup
    rb, _result = create(coach, session_type, client)
    time_machine.move_to(local(org, date(2025, 6, 11), 12), tick=False)  # two have happened
    with scope(organization=org):
        assert recurring_cancel(rb=rb, actor=None) == 4
        rb.refresh_from_db()
        assert rb.status == RecurringBooking.Status.CANCELLED
        sessions = TrainingSession.objects.filter(recurring_booking=rb).order_by("starts_at")
        assert [s.status for s in sessions] == ["scheduled"] * 2 + ["cancelled"] * 4
        assert Booking.objects.filter(session__recurring_booking=rb,
                                      status=Booking.Status.CANCELLED_BY_COACH).count() == 4


def test_occurrences_helper():
    rb = RecurringBooking(weekday=4, start_date=date(2025, 6, 2), end_date=date(2025, 6, 30), every_weeks=2)
    assert list(occurrences(rb, after=None, until=date(2025, 12, 31))) == [date(2025, 6, 6), date(2025, 6, 20)]
    assert list(occurrences(rb, after=date(2025, 6, 6), until=date(2025, 12, 31))) == [date(2025, 6, 20)]
    assert list(occurrences(rb, after=None, until=date(2025, 6, 19))) == [date(2025, 6, 6)]


def test_occurrences_after_a_date_match_the_plain_walk():
    for every_weeks in (1, 2):
        rb = RecurringBooking(weekday=2, start_date=date(2023, 1, 5), end_date=None, every_weeks=every_weeks)
        walk = []
        day = date(2023, 1, 11)
        while day <= date(2025, 12, 31):
            walk.append(day)
            day += timedelta(weeks=every_weeks)
        for after in (None, date(2023, 1, 10), date(2023, 1, 11), date(2024, 2, 29), date(2025, 6, 3),
                      date(2025, 6, 4), date(2025, 12, 31)):
            expected = [d for d in walk if after is None or d > after]
            assert list(occurrences(rb, after=after, until=date(2025, 12, 31))) == expected, (every_weeks, after)
