"""The scheduling jobs: the daily extension of recurring bookings (from 02:00 local, 6 weeks
ahead, idempotent, safe from two workers at once), held slots and waitlist offers."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django_scopes import scope, scopes_disabled

from coachos import jobs
from coachos.scheduling import tasks
from coachos.scheduling.models import Booking, RecurringBooking, SlotHold, TrainingSession, WaitlistEntry
from coachos.scheduling.services import booking_cancel, recurring_create, recurring_extend_all, waitlist_join

from ..concurrency import run_concurrently, run_each
from ..factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    OrganizationFactory,
    RecurringBookingFactory,
    RoomFactory,
    SessionTypeFactory,
    SlotHoldFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
)

MONDAY = date(2025, 6, 2)


def local(org, day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=org.tzinfo)


def open_all_week(coach) -> None:
    for weekday in range(7):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(6), end_time=time(21))


def extend(org) -> dict[str, int]:
    with scope(organization=org):
        return recurring_extend_all(organization=org)


def days_of(rb: RecurringBooking) -> list[date]:
    with scopes_disabled():
        return [s.starts_at.astimezone(rb.organization.tzinfo).date()
                for s in TrainingSession.objects.filter(recurring_booking=rb).order_by("starts_at")]


@pytest.fixture
def tuesday_and_wednesday(org, time_machine):
    """Two weekly bookings made on Monday 2 June at noon: Tuesdays and Wednesdays at 10:00."""
    time_machine.move_to(local(org, MONDAY, 12), tick=False)
    coach = CoachFactory(organization=org)
    open_all_week(coach)
    session_type = SessionTypeFactory(organization=org)
    made = []
    for weekday in (1, 2):
        with scope(organization=org):
            rb, _result = recurring_create(coach=coach, client=ClientFactory(organization=org),
                                           session_type=session_type, weekday=weekday, start_time=time(10),
                                           start_date=MONDAY, end_date=None, every_weeks=1, actor=None)
        made.append(rb)
    return made


def weekly_from(first: date, last: date) -> list[date]:
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


@pytest.mark.django_db
def test_before_two_oclock_the_job_reaches_today_plus_six_weeks_minus_a_day(org, time_machine, tuesday_and_wednesday):
    tue, wed = tuesday_and_wednesday
    assert days_of(tue)[-1] == date(2025, 7, 8) and days_of(wed)[-1] == date(2025, 7, 9)
    time_machine.move_to(local(org, date(2025, 6, 10), 1, 59, 59), tick=False)  # Tuesday, just before 02:00
    assert extend(org) == {"created": 2, "skipped": 0, "coaches": 1}
    # Until Monday 21 July (10 June + 6 weeks - 1 day): Tuesday 15 and Wednesday 16 July.
    assert days_of(tue)[-1] == date(2025, 7, 15) and days_of(wed)[-1] == date(2025, 7, 16)
    for rb in (tue, wed):
        rb.refresh_from_db()
        assert rb.generated_until == date(2025, 7, 21)


@pytest.mark.django_db
def test_from_two_oclock_the_job_reaches_today_plus_six_weeks(org, time_machine, tuesday_and_wednesday):
    tue, wed = tuesday_and_wednesday
    time_machine.move_to(local(org, date(2025, 6, 10), 1, 59, 59), tick=False)
    extend(org)
    time_machine.move_to(local(org, date(2025, 6, 10), 2), tick=False)
    assert extend(org) == {"created": 1, "skipped": 0, "coaches": 1}
    assert days_of(tue) == weekly_from(date(2025, 6, 3), date(2025, 7, 22))  # 22 July = 10 June + 6 weeks
    assert days_of(wed) == weekly_from(date(2025, 6, 4), date(2025, 7, 16))
    tue.refresh_from_db()
    assert tue.generated_until == date(2025, 7, 22)


@pytest.mark.django_db
def test_a_week_later_exactly_the_newly_due_occurrences_are_created(org, time_machine, tuesday_and_wednesday):
    tue, wed = tuesday_and_wednesday
    time_machine.move_to(local(org, date(2025, 6, 9), 3), tick=False)  # a week after they were made
    assert extend(org)["created"] == 2  # Tuesday 15 and Wednesday 16 July are new; nothing else
    assert days_of(tue) == weekly_from(date(2025, 6, 3), date(2025, 7, 15))
    assert days_of(wed) == weekly_from(date(2025, 6, 4), date(2025, 7, 16))
    time_machine.move_to(local(org, date(2025, 6, 16), 3), tick=False)
    assert extend(org)["created"] == 2
    with scopes_disabled():
        assert TrainingSession.objects.filter(recurring_booking__in=[tue, wed]).count() == 16
        assert Booking.objects.filter(session__recurring_booking__in=[tue, wed]).count() == 16


@pytest.mark.django_db
def test_running_the_job_twice_creates_nothing_twice(org, time_machine, tuesday_and_wednesday):
    time_machine.move_to(local(org, date(2025, 6, 10), 2, 30), tick=False)
    assert extend(org)["created"] == 3
    # The second run finds nothing due: no coach is even locked again.
    assert extend(org) == {"created": 0, "skipped": 0, "coaches": 0}
    # Next day (Wednesday) brings Wednesday 23 July; Thursday's run brings nothing and, once
    # recorded, is not redone either.
    time_machine.move_to(local(org, date(2025, 6, 11), 2, 30), tick=False)
    assert extend(org)["created"] == 1
    time_machine.move_to(local(org, date(2025, 6, 12), 2, 30), tick=False)
    assert extend(org) == {"created": 0, "skipped": 0, "coaches": 1}
    for rb in tuesday_and_wednesday:
        rb.refresh_from_db()
        assert rb.generated_until == date(2025, 7, 24)
    assert extend(org) == {"created": 0, "skipped": 0, "coaches": 0}
    with scopes_disabled():
        assert TrainingSession.objects.count() == 12 + 3 + 1


@pytest.mark.django_db
def test_the_hourly_task_extends_each_business_from_two_oclock_in_its_own_zone(time_machine):
    chicago = OrganizationFactory(timezone="America/Chicago")
    london = OrganizationFactory(timezone="Europe/London")
    rbs = {}
    for org in (chicago, london):
        coach = CoachFactory(organization=org)
        open_all_week(coach)
        rbs[org.pk] = RecurringBookingFactory(coach=coach, weekday=1, start_time=time(10), start_date=MONDAY)
    # 07:30 UTC on Tuesday 3 June: 08:30 in London, 02:30 in Chicago.
    time_machine.move_to(datetime(2025, 6, 3, 7, 30, tzinfo=UTC), tick=False)
    result = tasks.extend_recurring_bookings()
    # From 3 June to 15 July in both (Chicago from 02:00 includes today + 6 weeks too).
    assert result == {"created": 14, "skipped": 0, "businesses": 2}
    # 06:30 UTC the next Tuesday: 07:30 in London (after 02:00), 01:30 in Chicago (before).
    time_machine.move_to(datetime(2025, 6, 10, 6, 30, tzinfo=UTC), tick=False)
    assert tasks.extend_recurring_bookings()["created"] == 1
    assert days_of(rbs[london.pk])[-1] == date(2025, 7, 22)
    assert days_of(rbs[chicago.pk])[-1] == date(2025, 7, 15)
    time_machine.move_to(datetime(2025, 6, 10, 7, 0, tzinfo=UTC), tick=False)  # 02:00 in Chicago
    assert tasks.extend_recurring_bookings()["created"] == 1
    assert days_of(rbs[chicago.pk])[-1] == date(2025, 7, 22)


@pytest.mark.django_db
def test_ended_recurring_bookings_become_ended_and_stop(org, time_machine):
    time_machine.move_to(local(org, MONDAY, 12), tick=False)
    coach = CoachFactory(organization=org)
    open_all_week(coach)
    ending = RecurringBookingFactory(coach=coach, weekday=1, start_date=MONDAY, end_date=date(2025, 6, 20))
    going_on = RecurringBookingFactory(coach=coach, weekday=2, start_date=MONDAY, end_date=date(2025, 12, 31))
    extend(org)
    assert days_of(ending) == [date(2025, 6, 3), date(2025, 6, 10), date(2025, 6, 17)]
    time_machine.move_to(local(org, date(2025, 6, 20), 12), tick=False)  # the last date itself: still active
    extend(org)
    ending.refresh_from_db()
    assert ending.status == RecurringBooking.Status.ACTIVE
    time_machine.move_to(local(org, date(2025, 6, 21), 12), tick=False)
    extend(org)
    ending.refresh_from_db()
    going_on.refresh_from_db()
    assert ending.status == RecurringBooking.Status.ENDED
    assert going_on.status == RecurringBooking.Status.ACTIVE
    assert len(days_of(ending)) == 3
    assert days_of(going_on)[-1] == date(2025, 7, 30)


@pytest.mark.django_db
def test_occurrences_made_in_one_run_count_as_busy_for_the_next(org, time_machine):
    """Two recurring bookings of one coach that clash (of different session types) and are
    extended in the same run: the earlier one wins each week, the other is skipped, never both."""
    time_machine.move_to(local(org, MONDAY, 12), tick=False)
    coach = CoachFactory(organization=org)
    open_all_week(coach)
    mobility = SessionTypeFactory(organization=org, name="Mobility", duration_minutes=45)
    first = RecurringBookingFactory(coach=coach, weekday=1, start_time=time(10), start_date=MONDAY)
    second = RecurringBookingFactory(coach=coach, session_type=mobility, weekday=1, start_time=time(10, 30),
                                     start_date=MONDAY)
    third = RecurringBookingFactory(coach=coach, session_type=mobility, weekday=1, start_time=time(11),
                                    start_date=MONDAY)
    assert extend(org) == {"created": 12, "skipped": 6, "coaches": 1}
    assert len(days_of(first)) == 6 and days_of(second) == [] and len(days_of(third)) == 6


@pytest.mark.django_db
def test_each_occurrence_is_checked_with_its_own_session_types_length(org, time_machine):
    time_machine.move_to(local(org, MONDAY, 12), tick=False)
    mobility = SessionTypeFactory(organization=org, name="Mobility", duration_minutes=45)
    personal = SessionTypeFactory(organization=org, name="Personal training", duration_minutes=60)
    coach = CoachFactory(organization=org)
    WeeklyAvailabilityFactory(coach=coach, weekday=1, start_time=time(8), end_time=time(19))
    morning = RecurringBookingFactory(coach=coach, session_type=personal, weekday=1, start_time=time(10),
                                      start_date=MONDAY)
    # 45 minutes from 18:15 ends at 19:00 and fits; an hour would not.
    evening = RecurringBookingFactory(coach=coach, session_type=mobility, weekday=1, start_time=time(18, 15),
                                      start_date=MONDAY)
    late = RecurringBookingFactory(coach=coach, session_type=personal, weekday=1, start_time=time(18, 15),
                                   start_date=MONDAY + timedelta(weeks=10))  # starts later: nothing yet
    assert extend(org) == {"created": 12, "skipped": 0, "coaches": 1}
    assert len(days_of(morning)) == len(days_of(evening)) == 6 and days_of(late) == []
    with scopes_disabled():
        lengths = {(s.session_type_id, s.ends_at - s.starts_at) for s in TrainingSession.objects.filter(coach=coach)}
    assert lengths == {(personal.pk, timedelta(hours=1)), (mobility.pk, timedelta(minutes=45))}


@pytest.mark.django_db
def test_two_coaches_sharing_a_room_in_one_run_never_overfill_it(org, time_machine):
    time_machine.move_to(local(org, MONDAY, 12), tick=False)
    room = RoomFactory(organization=org, capacity=1)
    made = []
    for _ in range(2):
        coach = CoachFactory(organization=org)
        WeeklyAvailabilityFactory(coach=coach, weekday=1, start_time=time(8), end_time=time(18), room=room)
        made.append(RecurringBookingFactory(coach=coach, weekday=1, start_time=time(10), start_date=MONDAY))
    assert extend(org) == {"created": 6, "skipped": 6, "coaches": 2}
    assert len(days_of(made[0])) == 6 and days_of(made[1]) == []
    with scopes_disabled():
        assert TrainingSession.objects.filter(room=room).count() == 6


@pytest.mark.django_db
def test_the_job_is_declared_in_the_schedule():
    schedule = jobs.beat_schedule()
    assert schedule["extend-recurring-bookings"]["task"] == "coachos.scheduling.tasks.extend_recurring_bookings"
    assert schedule["extend-recurring-bookings"]["schedule"] <= timedelta(hours=1)
    assert schedule["clear-expired-holds"]["task"] == "coachos.scheduling.tasks.clear_expired_holds"
    assert tasks.extend_recurring_bookings.name == "coachos.scheduling.tasks.extend_recurring_bookings"
    assert tasks.clear_expired_holds.name == "coachos.scheduling.tasks.clear_expired_holds"


@pytest.mark.postgres
@pytest.mark.xdist_group("concurrency")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_create_every_occurrence_exactly_once(time_machine):
    org = OrganizationFactory(timezone="America/Chicago")
    time_machine.move_to(local(org, MONDAY, 12), tick=False)
    session_type = SessionTypeFactory(organization=org, duration_minutes=45)
    expected: dict[int, list[date]] = {}
    for _coach in range(4):
        coach = CoachFactory(organization=org)
        open_all_week(coach)
        for weekday in range(5):
            rb = RecurringBookingFactory(coach=coach, session_type=session_type, weekday=weekday,
                                         start_time=time(10 + weekday % 2), start_date=MONDAY)
            # Up to today + 6 weeks; Monday 2 June at 10:00 has passed (it is noon).
            expected[rb.pk] = [d for d in weekly_from(MONDAY + timedelta(days=weekday), MONDAY + timedelta(weeks=6))
                               if d != MONDAY]
    results = run_concurrently(lambda _i: extend(org), 2, timeout=120).values
    total = sum(len(days) for days in expected.values())
    assert total == 4 * (6 + 6 + 6 + 6 + 6)
    created = [r["created"] for r in results if isinstance(r, dict)]
    assert len(created) == 2, results
    with scopes_disabled():
        sessions = TrainingSession.objects.filter(organization=org)
        assert sessions.count() == total
        assert sum(created) == total
        pairs = list(sessions.values_list("recurring_booking_id", "starts_at"))
        assert len(pairs) == len(set(pairs))
        assert Booking.objects.filter(organization=org).count() == total
        for rb_id, days in expected.items():
            got = [s.astimezone(org.tzinfo).date() for r, s in sorted(pairs, key=lambda p: p[1]) if r == rb_id]
            assert got == days, rb_id
    # And once more, sequentially: nothing new.
    assert extend(org) == {"created": 0, "skipped": 0, "coaches": 0}


@pytest.mark.django_db
def test_clear_expired_holds_removes_only_expired_holds(org, time_machine):
    now = local(org, MONDAY, 12)
    time_machine.move_to(now, tick=False)
    coach = CoachFactory(organization=org)
    expired = SlotHoldFactory(coach=coach, expires_at=now - timedelta(seconds=1))
    just_now = SlotHoldFactory(coach=coach, expires_at=now)
    alive = SlotHoldFactory(coach=coach, expires_at=now + timedelta(minutes=5))
    assert tasks.clear_expired_holds() == {"holds": 2, "offers": 0}
    with scopes_disabled():
        assert list(SlotHold.objects.values_list("pk", flat=True)) == [alive.pk]
    assert expired.pk != just_now.pk
    time_machine.move_to(now + timedelta(minutes=5), tick=False)
    assert tasks.clear_expired_holds() == {"holds": 1, "offers": 0}
    with scopes_disabled():
        assert not SlotHold.objects.exists()


@pytest.mark.django_db
def test_waitlist_offers_expire_and_pass_on(org, time_machine):
    now = local(org, MONDAY, 12)
    time_machine.move_to(now, tick=False)
    coach = CoachFactory(organization=org)
    group = SessionTypeFactory(organization=org, name="Small group", capacity=2)
    starts = local(org, date(2025, 6, 3), 18)  # 30 hours ahead
    session = TrainingSessionFactory(coach=coach, session_type=group, capacity=2, starts_at=starts,
                                     ends_at=starts + timedelta(hours=1))
    first = BookingFactory(session=session)
    BookingFactory(session=session)
    waiting = [ClientFactory(organization=org) for _ in range(3)]
    with scope(organization=org):
        for client in waiting:
            waitlist_join(session=session, client=client, actor=None)
        booking_cancel(booking=first, actor=None, by="coach")
        entries = list(WaitlistEntry.objects.filter(session=session).order_by("created_at", "id"))
    assert [e.status for e in entries] == ["offered", "waiting", "waiting"]
    assert entries[0].offer_expires_at == now + timedelta(hours=12)
    # Before it expires, the job leaves the offer alone.
    time_machine.move_to(now + timedelta(hours=11, minutes=59), tick=False)
    assert tasks.clear_expired_holds() == {"holds": 0, "offers": 0}
    time_machine.move_to(now + timedelta(hours=12), tick=False)
    assert tasks.clear_expired_holds() == {"holds": 0, "offers": 1}
    with scopes_disabled():
        statuses = [e.status for e in WaitlistEntry.objects.filter(session=session).order_by("created_at", "id")]
        second = WaitlistEntry.objects.get(session=session, client=waiting[1])
    assert statuses == ["expired", "offered", "waiting"]
    assert second.offer_expires_at == now + timedelta(hours=24)
    # Running the job again changes nothing.
    assert tasks.clear_expired_holds() == {"holds": 0, "offers": 0}
    # The last offer ends when the class starts, not 12 hours later.
    time_machine.move_to(now + timedelta(hours=24), tick=False)
    assert tasks.clear_expired_holds()["offers"] == 1
    with scopes_disabled():
        last = WaitlistEntry.objects.get(session=session, client=waiting[2])
    assert last.status == "offered"
    assert last.offer_expires_at == starts


@pytest.mark.postgres
@pytest.mark.xdist_group("concurrency")
@pytest.mark.django_db(transaction=True)
def test_the_job_and_bookings_of_the_same_coaches_at_once_both_finish(time_machine):
    """The job locks a batch of coaches (then their business); a booking locks its coach with
    the business. Both orders agree, so neither side dies of a deadlock."""
    from coachos.scheduling.services import COACH, booking_create

    org = OrganizationFactory(timezone="America/Chicago")
    time_machine.move_to(local(org, MONDAY, 12), tick=False)
    session_type = SessionTypeFactory(organization=org)
    coaches = []
    for _n in range(4):
        coach = CoachFactory(organization=org)
        open_all_week(coach)
        for weekday in range(7):
            RecurringBookingFactory(coach=coach, session_type=session_type, weekday=weekday, start_time=time(8),
                                    start_date=MONDAY)
        coaches.append(coach)
    clients = [ClientFactory(organization=org) for _ in coaches]
    def run(fn):
        def in_scope() -> str:
            with scope(organization=org):
                fn()
            return "ok"
        return in_scope

    def book(i: int):
        return lambda: booking_create(coach=coaches[i], session_type=session_type, client=clients[i],
                                      starts_at=local(org, date(2025, 6, 3), 15), actor=None, mode=COACH)

    threads = [run(lambda: recurring_extend_all(organization=org))] + [run(book(i)) for i in range(len(coaches))]
    outcomes = run_each(threads, timeout=120).values
    assert outcomes == ["ok"] * len(threads)
    with scopes_disabled():
        # Every day from Tuesday 3 June to Monday 14 July at 08:00, for each coach, plus the bookings.
        assert TrainingSession.objects.filter(recurring_booking__isnull=False).count() == 4 * 42
        assert TrainingSession.objects.filter(recurring_booking__isnull=True).count() == 4
