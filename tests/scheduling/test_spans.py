"""Overlap queries bounded below by the longest session (coachos/scheduling/spans.py): a coach's past
is not read to find what overlaps this week, and nothing that overlaps is missed."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.validators import MaxValueValidator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from coachos.scheduling import selectors
from coachos.scheduling.api.session_types import SessionTypeIn
from coachos.scheduling.models import SessionType, TrainingSession
from coachos.scheduling.services import SchedulingError, session_create
from coachos.scheduling.spans import LONGEST_SESSION, LONGEST_SESSION_MINUTES

from ..factories import CoachFactory, SessionTypeFactory, TrainingSessionFactory, WeeklyAvailabilityFactory

pytestmark = pytest.mark.django_db


def test_the_bound_is_the_longest_session_a_type_allows() -> None:
    field = SessionType._meta.get_field("duration_minutes")
    model_max = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
    assert model_max == [LONGEST_SESSION_MINUTES]
    api_max = [m.le for m in SessionTypeIn.model_fields["duration_minutes"].metadata if hasattr(m, "le")]
    assert api_max == [LONGEST_SESSION_MINUTES]


@pytest.fixture
def coach(org):
    return CoachFactory(organization=org, min_notice_minutes=0)


def _next_monday(org) -> datetime:
    today = timezone.now().astimezone(org.tzinfo).date()
    return datetime.combine(today + timedelta(days=7 - today.weekday()), time(0), tzinfo=org.tzinfo)


def test_a_session_of_the_longest_length_still_counts_where_it_overlaps(org, coach, owner) -> None:
    monday = _next_monday(org)
    longest = SessionTypeFactory(organization=org, name="Camp", duration_minutes=LONGEST_SESSION_MINUTES)
    short = SessionTypeFactory(organization=org, name="PT", duration_minutes=60)
    with scope(organization=org):
        # Starts 11:59 before the week's calendar starts, ends one minute into it.
        session = TrainingSessionFactory(coach=coach, session_type=longest, starts_at=monday - LONGEST_SESSION
                                         + timedelta(minutes=1), ends_at=monday + timedelta(minutes=1))
        week = list(selectors.sessions_in_range(start=monday, end=monday + timedelta(days=7), coach=coach))
        assert [s.pk for s in week] == [session.pk]
        # The conflict check at booking time still sees it.
        with pytest.raises(SchedulingError):
            session_create(coach=coach, session_type=short, starts_at=monday - timedelta(hours=1), actor=owner)
        # And the slot engine keeps the overlapped minute busy.
        WeeklyAvailabilityFactory(coach=coach, weekday=monday.weekday(), start_time=time(0), end_time=time(4))
        slots = selectors.slots_for(coach=coach, session_type=short, first_day=monday.date(),
                                    last_day=monday.date())
        assert slots and all(s.start >= monday + timedelta(minutes=1) for s in slots)


def test_week_queries_do_not_read_the_coachs_whole_past(org, coach) -> None:
    monday = _next_monday(org)
    with scope(organization=org), CaptureQueriesContext(connection) as captured:
        selectors.slot_query(coach=coach, session_type=SessionTypeFactory(organization=org),
                             first_day=monday.date(), last_day=monday.date() + timedelta(days=6))
        list(selectors.sessions_in_range(start=monday, end=monday + timedelta(days=7), coach=coach))
        selectors.calendar_version(start=monday, end=monday + timedelta(days=7), coach=coach)
    session_reads = [q["sql"] for q in captured.captured_queries
                     if ('FROM "scheduling_trainingsession"' in q["sql"] or 'FROM "scheduling_slothold"' in q["sql"])
                     and '"starts_at" <' in q["sql"]]
    assert len(session_reads) >= 4  # sessions and holds for the slots, the calendar, its version
    assert all('"starts_at" >' in sql for sql in session_reads), session_reads


def test_sessions_before_the_bound_are_not_returned(org, coach) -> None:
    monday = _next_monday(org)
    with scope(organization=org):
        TrainingSessionFactory(coach=coach, starts_at=monday - timedelta(days=30),
                               ends_at=monday - timedelta(days=30) + timedelta(hours=1))
        assert not TrainingSession.objects.filter(coach=coach).filter(
            pk__in=[s.pk for s in selectors.sessions_in_range(start=monday, end=monday + timedelta(days=7))]
        ).exists()
