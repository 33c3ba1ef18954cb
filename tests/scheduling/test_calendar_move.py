"""Moving a session by drag: a time outside the coach's working hours is asked about first, the
client is told only if the coach wants (default on), and Undo moves it back. Messages about times
end in one period, even when the time itself ends in one ("9 a.m.")."""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

import pytest
from django_scopes import scopes_disabled

from coachos.comms.models import OutboundMessage
from coachos.scheduling.models import TrainingSession

from ..factories import (
    AvailabilityAdditionFactory,
    BlockedSlotFactory,
    BookingFactory,
    ClientFactory,
    CoachFactory,
    SessionTypeFactory,
    WeeklyAvailabilityFactory,
)
from .test_calendar import HTMX, JSON_ACCEPT, at, fresh, session, url

pytestmark = pytest.mark.django_db

MONDAY = date(2030, 7, 1)


@pytest.fixture
def coach(org: Any) -> Any:
    return CoachFactory(organization=org, display_name="Jordan Reyes")


@pytest.fixture
def booked(coach: Any) -> TrainingSession:
    """Olivia's one-to-one on Monday 1 July 2030 at 10:00 Chicago time."""
    s = session(coach, at(2030, 7, 1, 10), session_type=SessionTypeFactory(organization=coach.organization))
    BookingFactory(session=s, client=ClientFactory(organization=coach.organization, first_name="Olivia"))
    return s


@pytest.fixture
def hours(coach: Any) -> None:
    """Mondays 08:00–18:00."""
    WeeklyAvailabilityFactory(coach=coach, weekday=MONDAY.weekday(), start_time=time(8), end_time=time(18))


def reschedules(session: TrainingSession) -> int:
    with scopes_disabled():
        return OutboundMessage.objects.filter(kind="reschedule", related_type="booking",
                                              related_id__in=session.bookings.values("pk")).count()


def drag(web: Any, org: Any, session: TrainingSession, starts_at: str, **extra: str) -> Any:
    return web.post(url(org, "move", session_id=session.pk), {"starts_at": starts_at, **extra}, **JSON_ACCEPT)


def test_a_drag_inside_working_hours_moves_at_once_tells_the_client_and_offers_undo(web, org, hours, booked):
    response = drag(web, org, booked, "2030-07-01T14:00:00-05:00")
    assert response.status_code == 200
    body = response.json()
    assert body["undo"] == {"starts_at": "2030-07-01T10:00:00-05:00", "notify": True, "seconds": 10}
    assert fresh(booked).starts_at == at(2030, 7, 1, 14)
    assert reschedules(booked) >= 1


def test_a_drag_outside_working_hours_asks_first_and_moves_nothing(web, org, hours, booked):
    response = drag(web, org, booked, "2030-07-01T19:00:00-05:00")
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "outside_hours"
    assert problem["title"] == "Move outside working hours?"
    assert "outside Jordan Reyes's working hours" in problem["detail"]
    assert fresh(booked).starts_at == at(2030, 7, 1, 10)
    assert reschedules(booked) == 0


def test_time_off_and_extra_time_count_for_working_hours(web, org, coach, hours, booked):
    BlockedSlotFactory(coach=coach, starts_at=at(2030, 7, 1, 14), ends_at=at(2030, 7, 1, 15))
    assert drag(web, org, booked, "2030-07-01T14:00:00-05:00").status_code == 409  # in time off
    # Extra time that starts where the hours end: one stretch, so a session may straddle 18:00.
    AvailabilityAdditionFactory(coach=coach, starts_at=at(2030, 7, 1, 18), ends_at=at(2030, 7, 1, 20))
    assert drag(web, org, booked, "2030-07-01T17:30:00-05:00").status_code == 200


def test_confirmed_without_notifying_the_client_no_message_is_written(web, org, hours, booked):
    response = drag(web, org, booked, "2030-07-01T19:00:00-05:00", outside_hours_ok="1", notify="0")
    assert response.status_code == 200
    body = response.json()
    assert "The client was not told." in body["message"]
    assert body["undo"]["notify"] is False
    assert fresh(booked).starts_at == at(2030, 7, 1, 19)
    assert reschedules(booked) == 0

    # Undo: back to the old time, with the same choice: the client still hears nothing.
    undo = drag(web, org, booked, body["undo"]["starts_at"], outside_hours_ok="1", notify="0")
    assert undo.status_code == 200
    assert fresh(booked).starts_at == at(2030, 7, 1, 10)
    assert reschedules(booked) == 0


def test_confirmed_and_notified_then_undone_the_client_hears_the_time_again(web, org, hours, booked):
    body = drag(web, org, booked, "2030-07-01T19:00:00-05:00", outside_hours_ok="1", notify="1").json()
    told = reschedules(booked)
    assert told >= 1
    drag(web, org, booked, body["undo"]["starts_at"], outside_hours_ok="1", notify="1")
    assert fresh(booked).starts_at == at(2030, 7, 1, 10)
    assert reschedules(booked) == 2 * told  # the second message gives the original time back


def test_the_panels_notify_box_is_on_by_default_and_can_be_turned_off(web, org, hours, booked):
    panel = web.get(url(org, "session", session_id=booked.pk), **HTMX).content.decode()
    assert 'type="hidden" name="notify" value="0"' in panel
    assert re.search(r'<input type="checkbox" name="notify"[^>]* checked', panel), panel
    # The box sends "0" then "on" when ticked; only "0" when not.
    response = web.post(url(org, "move", session_id=booked.pk), {"starts_at": "2030-07-01T12:00", "notify": "0"},
                        **HTMX)
    assert response.status_code == 200
    assert fresh(booked).starts_at == at(2030, 7, 1, 12)
    assert reschedules(booked) == 0
    web.post(url(org, "move", session_id=booked.pk), {"starts_at": "2030-07-01T13:00", "notify": ["0", "on"]},
             **HTMX)
    assert fresh(booked).starts_at == at(2030, 7, 1, 13)
    assert reschedules(booked) >= 1


def test_the_move_message_names_the_new_time_as_the_business_writes_it_in_one_sentence(web, org, hours, booked):
    body = drag(web, org, booked, "2030-07-01T09:00:00-05:00").json()
    assert body["message"] == "Moved to Jul 1, 2030, 9:00\u202fAM.", body["message"]
    response = web.post(url(org, "move", session_id=booked.pk), {"starts_at": "2030-07-01T08:00"}, **HTMX)
    text = response.content.decode()
    assert "Jul 1, 2030, 8:00\u202fAM." in text and "AM.." not in text
