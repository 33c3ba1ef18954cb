"""The calendar's day by coach (one column per coach), its legend, and short events' full text."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from coachos.scheduling import day_grid
from coachos.scheduling.models import TrainingSession
from coachos.tenancy.roles import Role

from ..conftest import login_as
from ..factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    member,
)

CHICAGO = ZoneInfo("America/Chicago")
pytestmark = pytest.mark.django_db
DAY = "2030-07-01"


def at(hour: int, minute: int = 0, day: int = 1) -> datetime:
    return datetime(2030, 7, day, hour, minute, tzinfo=CHICAGO)


def day_url(org: Any) -> str:
    return reverse("calendar:day", kwargs={"org_slug": org.slug})


def session(coach: Any, starts_at: datetime, minutes: int = 60, **kwargs: Any) -> TrainingSession:
    return TrainingSessionFactory(coach=coach, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                                  **kwargs)


def column(html: str, coach: Any) -> str:
    """The markup of one coach's column."""
    match = re.search(rf'<section class="dg-col"[^>]*data-coach="{coach.pk}">(.*?)</section>', html, re.S)
    assert match, f"no column for coach {coach.pk}"
    return match.group(1)


@pytest.fixture
def pt(org: Any) -> Any:
    return SessionTypeFactory(organization=org, name="Personal training", color="#1e88e5")


@pytest.fixture
def maya(org: Any) -> Any:
    return CoachFactory(organization=org, display_name="Maya Chen")


@pytest.fixture
def sam(org: Any) -> Any:
    return CoachFactory(organization=org, display_name="Sam Okafor")


def test_owner_sees_a_column_per_coach_with_each_coachs_sessions(web, org, pt, maya, sam):
    zoe = ClientFactory(organization=org, first_name="Zoe", last_name="Allen")
    leo = ClientFactory(organization=org, first_name="Leo", last_name="Brandt")
    BookingFactory(session=session(maya, at(9), session_type=pt), client=zoe)
    BookingFactory(session=session(sam, at(9), session_type=pt), client=leo)
    session(sam, at(9, day=2), session_type=pt)  # another day

    response = web.get(day_url(org), {"date": DAY})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="dg-coach-{maya.pk}"' in html and ">Maya Chen</h3>" in html
    assert ">Sam Okafor</h3>" in html
    assert "Zoe Allen" in column(html, maya) and "Leo Brandt" not in column(html, maya)
    assert "Leo Brandt" in column(html, sam) and "Zoe Allen" not in column(html, sam)
    assert column(html, sam).count('class="dg-event') == 1


def test_rows_follow_the_time_of_day(web, org, pt, maya):
    # 07:00 is the grid's first row; 09:30 for 45 minutes is rows 11–13 (15 minutes a row).
    session(maya, at(9, 30), minutes=45, session_type=pt)
    html = web.get(day_url(org), {"date": DAY}).content.decode()
    assert re.search(r'class="dg-event dg-r11 dg-s3 dg-l1-0', column(html, maya))


def test_a_coach_sees_their_own_column_and_may_switch(org, pt, maya, sam):
    session(maya, at(9), session_type=pt)
    session(sam, at(10), session_type=pt)
    web = login_as(maya.membership.user)

    own = web.get(day_url(org), {"date": DAY}).content.decode()
    assert f'data-coach="{maya.pk}"' in own and f'data-coach="{sam.pk}"' not in own

    everyone = web.get(day_url(org), {"date": DAY, "coach": "all"}).content.decode()
    assert f'data-coach="{maya.pk}"' in everyone and f'data-coach="{sam.pk}"' in everyone

    other = web.get(day_url(org), {"date": DAY, "coach": str(sam.pk)}).content.decode()
    assert f'data-coach="{sam.pk}"' in other and f'data-coach="{maya.pk}"' not in other


def test_front_desk_sees_every_coach(org, pt, maya, sam):
    web = login_as(member(org, Role.STAFF))
    html = web.get(day_url(org), {"date": DAY}).content.decode()
    assert f'data-coach="{maya.pk}"' in html and f'data-coach="{sam.pk}"' in html


def test_another_business_gets_404(org, other_org, maya):
    stranger = login_as(member(other_org, Role.OWNER))
    assert stranger.get(day_url(org), {"date": DAY}).status_code == 404


def test_a_bad_date_shows_today(web, org, maya):
    assert web.get(day_url(org), {"date": "2030-13-45"}).status_code == 200


def test_short_events_carry_their_full_text(web, org, pt, maya):
    zoe = ClientFactory(organization=org, first_name="Zoe", last_name="Allen-Montgomery-Fitzgerald")
    BookingFactory(session=session(maya, at(9), minutes=15, session_type=pt), client=zoe)
    html = column(web.get(day_url(org), {"date": DAY}).content.decode(), maya)
    event = re.search(r'<li class="dg-event[^"]*dg-short[^"]*".*?</li>', html, re.S)
    assert event, html
    label = re.search(r'aria-label="([^"]*)"', event.group(0))
    title = re.search(r'title="([^"]*)"', event.group(0))
    assert label and title and label.group(1) == title.group(1)
    assert "Zoe Allen-Montgomery-Fitzgerald" in label.group(1) and "Personal training" in label.group(1)
    # One line: time and name together, no second line that would be clipped.
    assert 'class="dg-line"' in event.group(0) and "dg-meta" not in event.group(0)


# --- the legend: generated from what colours the events -------------------------------------------

def test_legend_shows_each_session_type_in_the_colour_its_events_have(web, org, pt, maya):
    SessionTypeFactory(organization=org, name="Bootcamp", color="#fdd835", capacity=8)
    SessionTypeFactory(organization=org, name="Retired", color="#123456", active=False)
    s = session(maya, at(9), session_type=pt)
    page = web.get(reverse("calendar:index", kwargs={"org_slug": org.slug})).content.decode()
    legend = re.search(r'<ul class="calendar-legend"[^>]*data-legend="types">(.*?)</ul>', page, re.S)
    assert legend, "the legend names no session types"
    items = {color: name.strip() for color, name in re.findall(
        r'<li data-color="(#[0-9a-fA-F]{6})">.*?</svg>([^<]+)</li>', legend.group(1), re.S)}
    assert items == {"#1e88e5": "Personal training", "#fdd835": "Bootcamp"}
    events = web.get(reverse("calendar:events", kwargs={"org_slug": org.slug}),
                     {"start": "2030-07-01T00:00:00", "end": "2030-07-02T00:00:00"}).json()
    assert [(e["id"], e["backgroundColor"]) for e in events] == [(str(s.pk), "#1e88e5")]
    for status in TrainingSession.Status:
        assert f"legend-swatch cal-status-{status.value.replace('_', '-')}" in page


def test_day_legend_names_an_inactive_type_shown_that_day(web, org, maya):
    old = SessionTypeFactory(organization=org, name="Old class", color="#aa00aa", active=False)
    session(maya, at(9), session_type=old)
    html = web.get(day_url(org), {"date": DAY}).content.decode()
    assert '<li data-color="#aa00aa">' in html and 'fill="#aa00aa"' in column(html, maya)


# --- placing sessions (pure) ---------------------------------------------------------------------

def test_overlapping_sessions_sit_side_by_side():
    win = day_grid.window([], day=date(2030, 7, 1), tz=CHICAGO)
    placed = day_grid.place([(1, at(9), at(10)), (2, at(9, 30), at(10, 30)), (3, at(11), at(12))],
                            day=date(2030, 7, 1), tz=CHICAGO, win=win)
    lanes = {p.key: (p.lane, p.lanes) for p in placed}
    assert lanes == {1: (0, 2), 2: (1, 2), 3: (0, 1)}


def test_the_window_widens_to_early_and_late_sessions():
    win = day_grid.window([(at(5, 30), at(6, 30)), (at(21), at(22, 15))], day=date(2030, 7, 1), tz=CHICAGO)
    assert (win.first_hour, win.last_hour) == (5, 23)
    placed = day_grid.place([(1, at(5, 30), at(6, 30))], day=date(2030, 7, 1), tz=CHICAGO, win=win)
    assert (placed[0].row, placed[0].span) == (3, 4)


def test_a_session_past_midnight_stops_at_the_days_end():
    win = day_grid.window([(at(23), at(1, day=2))], day=date(2030, 7, 1), tz=CHICAGO)
    assert win.last_hour == 24
    placed = day_grid.place([(1, at(23), at(1, day=2))], day=date(2030, 7, 1), tz=CHICAGO, win=win)
    assert placed[0].row + placed[0].span - 1 == win.rows
