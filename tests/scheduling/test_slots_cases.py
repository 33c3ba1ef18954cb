"""Concrete cases of the slot engine, each with the exact slots a coach would see.

The first part is pure (no database); the last tests go through selectors.slots_for so that
rooms shared by two coaches and group classes are read from the database as the pages do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scope

from coachos.scheduling import selectors
from coachos.scheduling import slots as engine
from coachos.scheduling.slots import GROUP, Interval, SlotQuery, WeeklyRange, Window

from ..factories import (
    AvailabilityAdditionFactory,
    BlockedSlotFactory,
    BookingFactory,
    CoachFactory,
    RoomFactory,
    SessionTypeFactory,
    SlotHoldFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
)

CHICAGO = ZoneInfo("America/Chicago")
MONDAY = date(2025, 6, 2)
EARLY = datetime(2025, 5, 1, tzinfo=UTC)  # "now", well before every case


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=CHICAGO).astimezone(UTC)


def query(**kwargs: object) -> SlotQuery:
    defaults: dict[str, object] = {
        "tz": CHICAGO, "first_day": MONDAY, "last_day": MONDAY, "duration": timedelta(minutes=60), "now": EARLY,
        "weekly": [WeeklyRange(0, time(9), time(12))], "horizon": timedelta(days=365),
    }
    defaults.update(kwargs)
    return SlotQuery(**defaults)  # type: ignore[arg-type]


def local_starts(q: SlotQuery) -> list[str]:
    return [f"{s.start.astimezone(q.tz):%a %H:%M}" for s in engine.compute_slots(q)]


def test_the_plain_template():
    assert local_starts(query()) == ["Mon 09:00", "Mon 09:30", "Mon 10:00", "Mon 10:30", "Mon 11:00"]


def test_buffers_keep_the_gap_before_plus_after():
    q = query(weekly=[WeeklyRange(0, time(8), time(14))], step=timedelta(minutes=15),
              buffer_before=timedelta(minutes=15), buffer_after=timedelta(minutes=30),
              busy=[Interval(at(10), at(11))])
    # Before the session: end + 30 + 15 <= 10:00, so end <= 09:15. After: start >= 11:00 + 45.
    assert local_starts(q) == ["Mon 08:00", "Mon 08:15", "Mon 11:45", "Mon 12:00", "Mon 12:15", "Mon 12:30",
                               "Mon 12:45", "Mon 13:00"]
    for slot in engine.compute_slots(q):
        gap = at(10) - slot.end if slot.end <= at(10) else slot.start - at(11)
        assert gap >= timedelta(minutes=45)
    assert engine.check_start(q, at(11, 40))[0] == engine.TAKEN
    assert engine.check_start(q, at(11, 45)) == (None, None)


def test_without_buffers_sessions_may_touch():
    q = query(busy=[Interval(at(10), at(11))])
    assert local_starts(q) == ["Mon 09:00", "Mon 11:00"]


def test_minimum_notice():
    q = query(now=at(8, 20), min_notice=timedelta(hours=2))
    assert local_starts(q) == ["Mon 10:30", "Mon 11:00"]
    assert engine.check_start(q, at(10))[0] == engine.NOTICE
    # Exactly the notice is enough.
    assert local_starts(query(now=at(8, 30), min_notice=timedelta(hours=2)))[0] == "Mon 10:30"


def test_horizon():
    q = query(first_day=MONDAY, last_day=MONDAY + timedelta(days=2), weekly=[WeeklyRange(d, time(9), time(11))
                                                                              for d in range(7)],
              now=at(9, 30), horizon=timedelta(days=1))
    # Up to exactly now + 1 day (Tuesday 09:30) and not after.
    assert local_starts(q) == ["Mon 09:30", "Mon 10:00", "Tue 09:00", "Tue 09:30"]
    assert engine.check_start(q, at(10, day=MONDAY + timedelta(days=1)))[0] == engine.HORIZON


def test_step_runs_from_each_free_windows_start():
    q = query(weekly=[WeeklyRange(0, time(9), time(11))], step=timedelta(minutes=20))
    assert local_starts(q) == ["Mon 09:00", "Mon 09:20", "Mon 09:40", "Mon 10:00"]
    blocked = query(weekly=[WeeklyRange(0, time(9), time(11))], step=timedelta(minutes=20),
                    blocked=[Interval(at(9), at(9, 10))])
    assert local_starts(blocked) == ["Mon 09:10", "Mon 09:30", "Mon 09:50"]
    # A session does not move the grid: its neighbours stay on the window's step.
    busy = query(weekly=[WeeklyRange(0, time(9), time(12))], step=timedelta(minutes=45),
                 busy=[Interval(at(9, 10), at(9, 40))])
    assert local_starts(busy) == ["Mon 09:45", "Mon 10:30"]


def test_max_per_day():
    week = [WeeklyRange(d, time(9), time(12)) for d in range(7)]
    tuesday = MONDAY + timedelta(days=1)
    q = query(weekly=week, last_day=tuesday, max_per_day=2,
              busy=[Interval(at(9), at(10)), Interval(at(11), at(12))])
    assert local_starts(q) == ["Tue 09:00", "Tue 09:30", "Tue 10:00", "Tue 10:30", "Tue 11:00"]
    assert engine.check_start(q, at(10))[0] == engine.LIMIT
    one = query(weekly=week, last_day=tuesday, max_per_day=2, busy=[Interval(at(9), at(10))])
    assert "Mon 10:00" in local_starts(one)


def test_max_per_week_counts_the_local_monday_to_sunday_week():
    week = [WeeklyRange(d, time(9), time(12)) for d in range(7)]
    sunday, next_monday = MONDAY + timedelta(days=6), MONDAY + timedelta(days=7)
    # Sunday 23:30 in Chicago is Monday in UTC; it still counts for the week it was in locally.
    late_sunday = datetime.combine(sunday, time(23, 30), tzinfo=CHICAGO).astimezone(UTC)
    assert late_sunday.date() == next_monday
    q = query(weekly=week, first_day=MONDAY, last_day=next_monday, max_per_week=2,
              busy=[Interval(at(9, day=MONDAY + timedelta(days=2)), at(10, day=MONDAY + timedelta(days=2))),
                    Interval(late_sunday, late_sunday + timedelta(minutes=30))])
    assert {s.start.astimezone(CHICAGO).date() for s in engine.compute_slots(q)} == {next_monday}
    assert engine.check_start(q, at(10))[0] == engine.LIMIT


def test_room_with_capacity_one():
    q = query(weekly=[WeeklyRange(0, time(9), time(12), room=7)], room_busy={7: [Interval(at(10), at(11))]},
              room_capacity={7: 1})
    # Another coach has the room 10:00-11:00.
    assert local_starts(q) == ["Mon 09:00", "Mon 11:00"]
    assert {s.room for s in engine.compute_slots(q)} == {7}
    assert engine.check_start(q, at(10, 30))[0] == engine.ROOM_FULL


def test_room_with_capacity_two_is_full_only_where_two_overlap():
    sessions = [Interval(at(10), at(11)), Interval(at(10, 30), at(11, 30))]
    assert engine.saturated(sessions, 2) == [Interval(at(10, 30), at(11))]
    assert engine.saturated(sessions, 1) == [Interval(at(10), at(11, 30))]
    assert engine.saturated(sessions, 3) == []
    q = query(weekly=[WeeklyRange(0, time(9), time(13), room=7)], room_busy={7: sessions}, room_capacity={7: 2})
    assert local_starts(q) == ["Mon 09:00", "Mon 09:30", "Mon 11:00", "Mon 11:30", "Mon 12:00"]
    one = query(weekly=[WeeklyRange(0, time(9), time(13), room=7)], room_busy={7: sessions[:1]},
                room_capacity={7: 2})
    assert len(local_starts(one)) == 7


def test_back_to_back_room_sessions_do_not_fill_the_room():
    sessions = [Interval(at(10), at(11)), Interval(at(11), at(12))]
    assert engine.saturated(sessions, 2) == []
    assert engine.saturated(sessions, 1) == [Interval(at(10), at(12))]


def test_group_and_individual_windows():
    weekly = [WeeklyRange(0, time(9), time(11)), WeeklyRange(0, time(17), time(19), individual=False, group=True),
              WeeklyRange(0, time(12), time(13), individual=True, group=True)]
    assert local_starts(query(weekly=weekly)) == ["Mon 09:00", "Mon 09:30", "Mon 10:00", "Mon 12:00"]
    assert local_starts(query(weekly=weekly, kind=GROUP)) == ["Mon 12:00", "Mon 17:00", "Mon 17:30", "Mon 18:00"]


def test_additions_add_time_of_their_kind():
    saturday = MONDAY + timedelta(days=5)
    addition = Window(Interval(at(10, day=saturday), at(12, day=saturday)), individual=True, group=False)
    q = query(first_day=saturday, last_day=saturday, additions=[addition])
    assert local_starts(q) == ["Sat 10:00", "Sat 10:30", "Sat 11:00"]
    assert local_starts(query(first_day=saturday, last_day=saturday, additions=[addition], kind=GROUP)) == []
    # An addition overlapping the template extends it; the starts stay unique.
    longer = query(additions=[Window(Interval(at(11), at(13)))])
    assert local_starts(longer) == ["Mon 09:00", "Mon 09:30", "Mon 10:00", "Mon 10:30", "Mon 11:00", "Mon 11:30",
                                    "Mon 12:00"]


def test_blocked_time_removes_availability():
    q = query(blocked=[Interval(at(10), at(10, 30))])
    assert local_starts(q) == ["Mon 09:00", "Mon 10:30", "Mon 11:00"]
    assert engine.check_start(q, at(9, 30))[0] == engine.UNAVAILABLE
    # Blocked time also removes an addition.
    assert local_starts(query(weekly=[], additions=[Window(Interval(at(9), at(11)))],
                              blocked=[Interval(at(8), at(12))])) == []
    # A whole blocked day.
    assert local_starts(query(blocked=[Interval(at(0), at(0, day=MONDAY + timedelta(days=1)))])) == []


def test_holds_are_busy_for_others():
    q = query(holds=[Interval(at(10), at(11))])
    assert local_starts(q) == ["Mon 09:00", "Mon 11:00"]
    assert engine.check_start(q, at(10, 30))[0] == engine.HELD
    # Holds get the buffers too, and do not count toward the limits.
    buffered = query(weekly=[WeeklyRange(0, time(9), time(13))], holds=[Interval(at(10), at(11))],
                     buffer_after=timedelta(minutes=30), max_per_day=1)
    assert local_starts(buffered) == ["Mon 11:30", "Mon 12:00"]


def test_a_slot_must_fit_in_one_window():
    q = query(weekly=[WeeklyRange(0, time(9), time(10, 30)), WeeklyRange(0, time(11), time(12))],
              duration=timedelta(minutes=90))
    assert local_starts(q) == ["Mon 09:00"]


def test_bad_durations_are_refused():
    with pytest.raises(ValueError):
        engine.compute_slots(query(duration=timedelta(0)))
    with pytest.raises(ValueError):
        engine.compute_slots(query(step=timedelta(0)))
    with pytest.raises(ValueError):
        Interval(datetime(2025, 1, 1), datetime(2025, 1, 2))  # naive


# --- through the selector (database) ------------------------------------------------------------

def _next_monday(org) -> date:
    today = timezone.now().astimezone(org.tzinfo).date()
    return today + timedelta(days=7 - today.weekday())


def _starts(found: list[engine.Slot], tz: ZoneInfo) -> list[str]:
    return [f"{s.start.astimezone(tz):%H:%M}" for s in found]


@pytest.mark.django_db
def test_a_shared_room_of_capacity_two_through_the_selector(org):
    monday = _next_monday(org)
    tz = org.tzinfo
    room = RoomFactory(organization=org, capacity=2)
    coaches = [CoachFactory(organization=org) for _ in range(3)]
    for coach in coaches:
        WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(9), end_time=time(12), room=room)
    session_type = SessionTypeFactory(organization=org, duration_minutes=60)
    ten = datetime.combine(monday, time(10), tzinfo=tz)
    TrainingSessionFactory(coach=coaches[0], room=room, starts_at=ten, ends_at=ten + timedelta(hours=1))
    with scope(organization=org):
        found = selectors.slots_for(coach=coaches[2], session_type=session_type, first_day=monday, last_day=monday)
        assert _starts(found, tz) == ["09:00", "09:30", "10:00", "10:30", "11:00"]
        assert {s.room for s in found} == {room.pk}
    TrainingSessionFactory(coach=coaches[1], room=room, starts_at=ten, ends_at=ten + timedelta(hours=1))
    with scope(organization=org):
        found = selectors.slots_for(coach=coaches[2], session_type=session_type, first_day=monday, last_day=monday)
    assert _starts(found, tz) == ["09:00", "11:00"]
    room.capacity = 1
    room.save()
    # A cancelled session frees its place in the room.
    TrainingSessionFactory(coach=coaches[2], room=room, starts_at=ten - timedelta(hours=1), ends_at=ten,
                           status="cancelled")
    with scope(organization=org):
        found = selectors.slots_for(coach=coaches[2], session_type=session_type, first_day=monday, last_day=monday)
    assert _starts(found, tz) == ["09:00", "11:00"]


@pytest.mark.django_db
def test_group_classes_with_places_come_first_then_new_group_times(org):
    monday = _next_monday(org)
    tz = org.tzinfo
    coach = CoachFactory(organization=org)
    WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(9), end_time=time(12))
    WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(17), end_time=time(19), for_individual=False,
                              for_group=True)
    group = SessionTypeFactory(organization=org, name="Small group", capacity=2, duration_minutes=60)
    one_to_one = SessionTypeFactory(organization=org, duration_minutes=60)
    # A class at 13:00 (outside any window, put there by the coach) with one place left.
    one = datetime.combine(monday, time(13), tzinfo=tz)
    session = TrainingSessionFactory(coach=coach, session_type=group, capacity=2, starts_at=one,
                                     ends_at=one + timedelta(hours=1))
    BookingFactory(session=session)
    with scope(organization=org):
        group_slots = selectors.slots_for(coach=coach, session_type=group, first_day=monday, last_day=monday)
        individual = selectors.slots_for(coach=coach, session_type=one_to_one, first_day=monday, last_day=monday)
    assert _starts(group_slots, tz) == ["13:00", "17:00", "17:30", "18:00"]
    assert _starts(individual, tz) == ["09:00", "09:30", "10:00", "10:30", "11:00"]
    BookingFactory(session=session)  # now full
    with scope(organization=org):
        group_slots = selectors.slots_for(coach=coach, session_type=group, first_day=monday, last_day=monday)
    assert _starts(group_slots, tz) == ["17:00", "17:30", "18:00"]


@pytest.mark.django_db
def test_holds_through_the_selector(org):
    monday = _next_monday(org)
    tz = org.tzinfo
    coach = CoachFactory(organization=org)
    WeeklyAvailabilityFactory(coach=coach, weekday=0, start_time=time(9), end_time=time(12))
    session_type = SessionTypeFactory(organization=org, duration_minutes=60)
    ten = datetime.combine(monday, time(10), tzinfo=tz)
    hold = SlotHoldFactory(coach=coach, session_type=session_type, starts_at=ten, ends_at=ten + timedelta(hours=1),
                           expires_at=timezone.now() + timedelta(minutes=10))
    SlotHoldFactory(coach=coach, session_type=session_type, starts_at=ten + timedelta(hours=1),
                    ends_at=ten + timedelta(hours=2), expires_at=timezone.now() - timedelta(minutes=1))  # expired
    with scope(organization=org):
        others = selectors.slots_for(coach=coach, session_type=session_type, first_day=monday, last_day=monday)
        holder = selectors.slots_for(coach=coach, session_type=session_type, first_day=monday, last_day=monday,
                                     exclude_hold=hold)
    assert _starts(others, tz) == ["09:00", "11:00"]
    assert _starts(holder, tz) == ["09:00", "09:30", "10:00", "10:30", "11:00"]


@pytest.mark.django_db
def test_slot_queries_for_several_coaches_equal_one_query_each(org):
    """The batch read the recurring job uses gives each coach exactly what slot_query gives."""
    monday = _next_monday(org)
    tz = org.tzinfo
    room = RoomFactory(organization=org, capacity=2)
    coaches = [CoachFactory(organization=org, buffer_before_minutes=10 * n, buffer_after_minutes=15, max_per_day=3)
               for n in range(3)]
    group = SessionTypeFactory(organization=org, capacity=4, duration_minutes=45)
    one_to_one = SessionTypeFactory(organization=org, duration_minutes=60)
    for n, coach in enumerate(coaches):
        WeeklyAvailabilityFactory(coach=coach, weekday=n, start_time=time(8), end_time=time(18),
                                  room=room if n else None, for_group=True)
        for week in range(4):
            day = monday + timedelta(weeks=week, days=n)
            start = datetime.combine(day, time(9 + week), tzinfo=tz)
            TrainingSessionFactory(coach=coach, room=room, starts_at=start, ends_at=start + timedelta(hours=1))
            SlotHoldFactory(coach=coach, starts_at=start + timedelta(hours=3), ends_at=start + timedelta(hours=4),
                            expires_at=timezone.now() + timedelta(minutes=5 - 10 * (week % 2)))
            BlockedSlotFactory(coach=coach, starts_at=start + timedelta(hours=5), ends_at=start + timedelta(hours=6))
            AvailabilityAdditionFactory(coach=coach, room=room, starts_at=start + timedelta(hours=10),
                                        ends_at=start + timedelta(hours=12))
    requests = [
        (coaches[0], one_to_one, monday, monday + timedelta(days=3)),
        (coaches[1], group, monday + timedelta(weeks=2), monday + timedelta(weeks=3)),
        (coaches[2], one_to_one, monday + timedelta(weeks=1), monday + timedelta(weeks=1)),
        (coaches[2], group, monday + timedelta(weeks=1), monday + timedelta(weeks=1)),
    ]
    now = timezone.now()
    with scope(organization=org):
        batch = selectors.slot_queries(requests=requests, now=now)
        one_by_one = [selectors.slot_query(coach=c, session_type=t, first_day=f, last_day=last, now=now)
                      for c, t, f, last in requests]
    for together, alone in zip(batch, one_by_one, strict=True):
        assert together == alone
    # The requests were not trivial: each saw sessions, and the room's coaches their room.
    assert all(q.busy for q in batch)
    assert batch[1].room_busy and batch[1].room_capacity == {room.pk: 2}
    assert batch[0].holds or batch[2].holds


def test_a_slot_straddles_the_end_of_the_hours_and_extra_time_that_starts_then():
    """Hours 06:00–20:00 plus extra time 20:00–22:00: free all evening, so 19:30 is offered."""
    q = query(weekly=[WeeklyRange(0, time(6), time(20))], additions=[Window(Interval(at(20), at(22)))])
    starts = local_starts(q)
    assert "Mon 19:30" in starts
    assert starts[-5:] == ["Mon 19:00", "Mon 19:30", "Mon 20:00", "Mon 20:30", "Mon 21:00"]
    assert engine.check_start(q, at(19, 30)) == (None, None)
    # The same for a session already booked there: it fits, so it is no conflict.
    assert engine.fits_template(Interval(at(19, 30), at(20, 30)), tz=CHICAGO, weekly=q.weekly,
                                additions=[Interval(at(20), at(22))])
    # Blocked time inside the stretch still splits it.
    blocked = query(weekly=q.weekly, additions=q.additions, blocked=[Interval(at(19, 45), at(20, 15))])
    assert "Mon 19:30" not in local_starts(blocked)
