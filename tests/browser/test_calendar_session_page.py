"""The standalone session page (where notifications and the inbox link) and a drag outside the
coach's working hours, in a real browser.

The session page has no calendar and no dialog: every action on it (Add a note, Move, Cancel,
Complete, No-show) must work as a plain page. A drag to a time outside working hours asks first,
offers "Notify the client", and Undo puts the session back.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from coachos.comms.models import OutboundMessage
from coachos.notes.models import Note
from coachos.scheduling.models import TrainingSession
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Role

from ..factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    OrganizationFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    WeeklyAvailabilityFactory,
    member,
)
from .conftest import log_in
from .test_calendar import drag

LONDON = ZoneInfo("Europe/London")

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def fresh(session: TrainingSession) -> TrainingSession:
    with scopes_disabled():
        return TrainingSession.objects.get(pk=session.pk)


def set_up(hours_on: tuple[int, ...] = (1,)) -> tuple[Any, Any, Any, Any]:
    org = OrganizationFactory(name="Camden Strength", slug="camden", timezone="Europe/London")
    user = member(org, Role.COACH, email="casey@example.com", name="Casey Jordan")
    with scopes_disabled():
        coach = CoachFactory(organization=org, membership=Membership.objects.get(user=user), display_name="Casey")
    for weekday in hours_on:
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(8), end_time=time(18))
    pt = SessionTypeFactory(organization=org, name="Personal training", color="#1e88e5")
    return org, user, coach, pt


@pytest.mark.django_db(transaction=True)
def test_every_action_works_on_the_standalone_session_page(live_server: Any, page: Page) -> None:
    org, user, coach, pt = set_up()
    today = timezone.now().astimezone(LONDON).date()
    tuesday = today + timedelta(days=15 - today.weekday())
    upcoming = TrainingSessionFactory(coach=coach, session_type=pt, starts_at=local(tuesday, 10),
                                      ends_at=local(tuesday, 11))
    BookingFactory(session=upcoming, client=ClientFactory(organization=org, first_name="Olivia",
                                                          last_name="Martinez"))
    start = (timezone.now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    started = TrainingSessionFactory(coach=coach, session_type=pt, starts_at=start, ends_at=start + timedelta(hours=1))
    BookingFactory(session=started, client=ClientFactory(organization=org, first_name="Liam", last_name="Johnson"))
    log_in(page, live_server.url, user)
    base = f"{live_server.url}/o/{org.slug}/calendar/sessions"

    # --- Add a note (Notes' part of the panel) ---------------------------------------------------------
    page.goto(f"{base}/{upcoming.pk}/")
    expect(page.get_by_role("heading", name="Olivia Martinez")).to_be_visible()
    page.get_by_text("Add a short note").click()
    page.get_by_label("Note", exact=True).fill("Bring the kettlebell")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Note added.")).to_be_visible()
    assert page.url == f"{base}/{upcoming.pk}/"
    with scopes_disabled():
        assert Note.objects.get(session=upcoming).body_text == "Bring the kettlebell"
    assert fresh(upcoming).notes == ""  # nothing goes to the session's old text field

    # --- Move --------------------------------------------------------------------------------------
    page.get_by_label("New start").fill(f"{tuesday + timedelta(days=1)}T14:00")
    page.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Moved to")).to_be_visible()
    assert fresh(upcoming).starts_at == local(tuesday + timedelta(days=1), 14)

    # --- Cancel, with a reason -------------------------------------------------------------------------
    page.get_by_role("button", name="Cancel session…").click()
    expect(page.get_by_role("heading", name="Cancel this session?")).to_be_visible()
    page.get_by_label("Reason (optional)").fill("Coach is ill")
    page.get_by_role("button", name="Cancel session", exact=True).click()
    expect(page.get_by_text("Session cancelled.")).to_be_visible()
    expect(page.locator("[data-session-status]")).to_have_text("Cancelled")
    assert fresh(upcoming).status == TrainingSession.Status.CANCELLED

    # --- Complete and No-show, on a session that has started ------------------------------------------
    page.goto(f"{base}/{started.pk}/")
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_text("Marked as completed.")).to_be_visible()
    assert fresh(started).status == TrainingSession.Status.COMPLETED
    page.get_by_role("button", name="No-show").click()
    expect(page.get_by_text("Marked as a no-show.")).to_be_visible()
    assert fresh(started).status == TrainingSession.Status.NO_SHOW
    assert page.problems == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_a_drag_outside_working_hours_asks_and_undo_puts_it_back(live_server: Any, page: Page) -> None:
    org, user, coach, pt = set_up(hours_on=(1,))  # Tuesdays 08:00–18:00 only
    today = timezone.now().astimezone(LONDON).date()
    monday = today + timedelta(days=14 - today.weekday())
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    session = TrainingSessionFactory(coach=coach, session_type=pt, starts_at=local(tuesday, 10),
                                     ends_at=local(tuesday, 11))
    BookingFactory(session=session, client=ClientFactory(organization=org, first_name="Olivia",
                                                         last_name="Martinez"))
    page.clock.install(time=local(monday, 8))
    log_in(page, live_server.url, user)
    page.goto(f"{live_server.url}/o/{org.slug}/calendar/?date={tuesday}")
    olivia = page.locator(".fc-event", has_text="Olivia Martinez")
    expect(olivia).to_be_visible()
    move_url = f"/sessions/{session.pk}/move/"

    # Wednesday is outside the hours: asked, nothing moved yet; "Don't move" puts it back.
    with page.expect_response(lambda r: r.url.endswith(move_url)) as asked:
        drag(page, olivia, wednesday, "14:00:00")
    assert asked.value.status == 409
    question = page.get_by_role("dialog", name="Move outside working hours?")
    expect(question).to_be_visible()
    expect(question.get_by_label("Notify the client")).to_be_checked()
    assert fresh(session).starts_at == local(tuesday, 10)
    question.get_by_role("button", name="Don't move").click()
    expect(page.locator("#calendar-status")).to_have_text("Not moved.")
    expect(page.locator(f'td.fc-timegrid-col[data-date="{tuesday}"] .fc-event', has_text="Olivia")).to_be_visible()
    assert fresh(session).starts_at == local(tuesday, 10)

    # Again, and move without telling the client: no message is written.
    with page.expect_response(lambda r: r.url.endswith(move_url)):
        drag(page, olivia, wednesday, "14:00:00")
    question.get_by_label("Notify the client").uncheck()
    with page.expect_response(lambda r: r.url.endswith(move_url)) as moved:
        question.get_by_role("button", name="Move", exact=True).click()
    assert moved.value.status == 200
    status = page.locator("#calendar-status")
    expect(status).to_contain_text("Moved to")
    expect(status).to_contain_text("The client was not told.")
    assert fresh(session).starts_at == local(wednesday, 14)
    with scopes_disabled():
        assert not OutboundMessage.objects.filter(kind="reschedule").exists()

    # Undo, within its ten seconds: back to Tuesday 10:00, and still nothing sent.
    with page.expect_response(lambda r: r.url.endswith(move_url)) as undone:
        status.get_by_role("button", name="Undo").click()
    assert undone.value.status == 200
    expect(status).to_have_text("Moved back. The session is at its old time again.")
    expect(page.locator(f'td.fc-timegrid-col[data-date="{tuesday}"] .fc-event', has_text="Olivia")).to_be_visible()
    assert fresh(session).starts_at == local(tuesday, 10)
    with scopes_disabled():
        assert not OutboundMessage.objects.filter(kind="reschedule").exists()

    # A drag inside the hours moves at once; its Undo goes away after ten seconds.
    with page.expect_response(lambda r: r.url.endswith(move_url)):
        drag(page, olivia, tuesday, "15:00:00")
    expect(status.get_by_role("button", name="Undo")).to_be_visible()
    assert fresh(session).starts_at == local(tuesday, 15)
    page.clock.fast_forward("00:11")
    expect(status.get_by_role("button", name="Undo")).to_have_count(0)
    assert page.problems == []  # type: ignore[attr-defined]
