"""The session pages: the client's list (upcoming, past, cancelled) and page (their zone, where, the
coach, status and confirmation, shared notes and their tasks, the bookings pages' own move / cancel
links, the rating), and the team's page (every note, the ratings and the coach's average). Another
client's session, a limited coach's colleague's client's session and another business's are 404s."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scope

from coachos.notes.models import Note, NoteActionItem, SessionRating
from coachos.notes.services.notes import note_create
from coachos.notes.services.ratings import session_rate
from coachos.scheduling.models import Booking, Coach, TrainingSession
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import BookingFactory, CoachFactory, SessionTypeFactory, TrainingSessionFactory, member

from .conftest import Person, completed_session, portal_client

pytestmark = pytest.mark.django_db


def portal(org: Any, rest: str = "") -> str:
    return f"/portal/{org.slug}/sessions/{rest}"


def team(org: Any, rest: str = "") -> str:
    return f"/o/{org.slug}/sessions/{rest}"


def coach_row(org: Any, person: Person) -> Coach:
    with scope(organization=org):
        return Coach.objects.filter(membership=person.membership).first() or CoachFactory(
            organization=org, membership=person.membership)


def session_for(org: Any, client: Any, coach: Coach, *, in_hours: float = 48, status: str = "scheduled",
                booking_status: str = "confirmed", **fields: Any) -> TrainingSession:
    starts = timezone.now() + timedelta(hours=in_hours)
    with scope(organization=org):
        session = TrainingSessionFactory(coach=coach, organization=org, starts_at=starts,
                                         ends_at=starts + timedelta(hours=1), status=status, **fields)
        BookingFactory(session=session, organization=org, client=client, status=booking_status)
    return session


# --- the client's list and page -----------------------------------------------------------------------

def test_the_portal_list_filters_upcoming_past_and_cancelled(org, coach: Person, olivia: Person) -> None:
    row = coach_row(org, coach)
    with scope(organization=org):
        kinds = {name: SessionTypeFactory(organization=org, name=name) for name in ("Soon", "Done", "Called off")}
    session_for(org, olivia.client, row, session_type=kinds["Soon"])
    session_for(org, olivia.client, row, in_hours=-30, status="completed", booking_status="completed",
                session_type=kinds["Done"])
    session_for(org, olivia.client, row, in_hours=72, booking_status="cancelled_by_client",
                session_type=kinds["Called off"])
    browser = login_as(olivia.user)

    def names(query: str) -> set[str]:
        html = browser.get(portal(org) + query).content.decode()
        return {n for n in kinds if f">{n}</a>" in html}

    assert names("") == {"Soon"}
    assert names("?show=past") == {"Done"}
    assert "Rate this session" in browser.get(portal(org) + "?show=past").content.decode()
    assert names("?show=cancelled") == {"Called off"}
    assert names("?show=nonsense") == {"Soon"}
    page = browser.get(portal(org)).content.decode()
    assert re.search(rf'<a href="/portal/{org.slug}/bookings/" aria-current="page">Bookings', page)
    # The bookings page links its sessions to these pages.
    bookings = browser.get(f"/portal/{org.slug}/bookings/").content.decode()
    assert f'href="/portal/{org.slug}/sessions/' in bookings


def test_the_client_page_says_when_where_who_and_offers_the_bookings_actions(org, coach: Person,
                                                                             olivia: Person) -> None:
    with scope(organization=org):
        olivia.client.timezone = "Europe/London"
        olivia.client.save(update_fields=["timezone"])
        video = SessionTypeFactory(organization=org, name="Video check-in", video_url="https://meet.example/abc")
    session = session_for(org, olivia.client, coach_row(org, coach), session_type=video)
    html = login_as(olivia.user).get(portal(org, f"{session.pk}/")).content.decode()
    assert "Video check-in" in html and "(London time)" in html and "Chicago time" in html
    assert 'href="https://meet.example/abc"' in html and "Jordan Reyes" in html
    with scope(organization=org):
        booking = Booking.objects.get(session=session)
    assert f'action="/portal/{org.slug}/bookings/{booking.pk}/confirm/"' in html
    assert f'href="/portal/{org.slug}/bookings/{booking.pk}/move/"' in html
    assert f'href="/portal/{org.slug}/bookings/{booking.pk}/cancel/"' in html
    # Inside the cancellation window (24 hours by default) they are gone, with a word why.
    soon = session_for(org, olivia.client, coach_row(org, coach), in_hours=2)
    close = login_as(olivia.user).get(portal(org, f"{soon.pk}/")).content.decode()
    assert "/move/" not in close and "to change it, contact" in close


def test_the_client_reads_only_shared_notes_and_ticks_their_own_tasks(org, coach: Person, olivia: Person) -> None:
    session, _booking = completed_session(org, olivia.client, coach_membership=coach.membership)
    with scope(organization=org):
        note_create(client=olivia.client, actor=coach.user, title="Shared plan", session=session, shared=True,
                    body_html="<ul><li>[ ] Stretch daily</li><li>[me] Book a physio slot</li></ul>")
        note_create(client=olivia.client, actor=coach.user, title="Coach only", session=session,
                    body_html="<p>Knee worry</p>")
        item = NoteActionItem.objects.get(assignee="client")
    browser = login_as(olivia.user)
    html = browser.get(portal(org, f"{session.pk}/")).content.decode()
    assert "Shared plan" in html and "Stretch daily" in html
    assert "Coach only" not in html and "Knee worry" not in html
    # Their tasks only (the coach's to-do line is in the shared text, but it is no task of theirs).
    assert re.findall(r'aria-label="Mark “(.*?)” as done"', html) == ["Stretch daily"]
    done = browser.post(portal(org, f"{session.pk}/items/{item.pk}/"), {"done": "1"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.done
    with scope(organization=org):
        coach_item = NoteActionItem.objects.get(assignee="coach")
    assert browser.post(portal(org, f"{session.pk}/items/{coach_item.pk}/"), {"done": "1"}).status_code == 404


# --- ratings through the page ----------------------------------------------------------------------------

def test_a_session_can_be_rated_once_it_is_completed_then_changed_for_seven_days(org, owner, coach: Person,
                                                                                  olivia: Person) -> None:
    upcoming = session_for(org, olivia.client, coach_row(org, coach))
    browser = login_as(olivia.user)
    html = browser.get(portal(org, f"{upcoming.pk}/")).content.decode()
    assert "You can rate a session once it is completed." in html and 'name="stars"' not in html
    early = browser.post(portal(org, f"{upcoming.pk}/rating/"), {"stars": "5"})
    assert early.status_code == 409 and "once it is completed" in early.content.decode()

    session, _booking = completed_session(org, olivia.client, coach_membership=coach.membership)
    page = browser.get(portal(org, f"{session.pk}/")).content.decode()
    assert "How was the session?" in page and page.count('name="stars"') == 5
    bad = browser.post(portal(org, f"{session.pk}/rating/"), {"stars": "9", "comment": "Loved the drills"})
    assert bad.status_code == 422 and "Loved the drills" in bad.content.decode()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert browser.post(portal(org, f"{session.pk}/rating/"), {"stars": "4", "comment": "Good"}).status_code == 302
    rated = browser.get(portal(org, f"{session.pk}/")).content.decode()
    assert 'aria-label="4 of 5 stars"' in rated and "You can change it until" in rated and "Change your rating" in rated
    with time_machine.travel(start + timedelta(days=6), tick=False):
        browser.post(portal(org, f"{session.pk}/rating/"), {"stars": "5", "comment": "Even better"})
    with scope(organization=org):
        assert list(SessionRating.objects.values_list("stars", "comment")) == [(5, "Even better")]
    with time_machine.travel(start + timedelta(days=8), tick=False):
        late = browser.post(portal(org, f"{session.pk}/rating/"), {"stars": "1"})
        assert late.status_code == 409 and "for 7 days" in late.content.decode()
        assert 'name="stars"' not in browser.get(portal(org, f"{session.pk}/")).content.decode()
    with scope(organization=org):
        assert list(SessionRating.objects.values_list("stars", flat=True)) == [5]


def test_a_no_show_cannot_rate(org, coach: Person, olivia: Person) -> None:
    session, booking = completed_session(org, olivia.client, coach_membership=coach.membership)
    with scope(organization=org):
        Booking.objects.filter(pk=booking.pk).update(status="no_show")
    browser = login_as(olivia.user)
    assert 'name="stars"' not in browser.get(portal(org, f"{session.pk}/")).content.decode()
    assert browser.post(portal(org, f"{session.pk}/rating/"), {"stars": "5"}).status_code == 409
    with scope(organization=org):
        assert not SessionRating.objects.exists()


# --- the team's page --------------------------------------------------------------------------------------

def test_the_team_page_shows_every_note_the_ratings_and_the_coachs_average(org, owner, coach: Person,
                                                                          olivia: Person, noah: Person) -> None:
    session, _booking = completed_session(org, olivia.client, coach_membership=coach.membership)
    other, _b = completed_session(org, noah.client, coach_membership=coach.membership, ended_ago=timedelta(days=2))
    with scope(organization=org):
        note_create(client=olivia.client, actor=coach.user, title="Private view", session=session,
                    body_html="<ul><li>[me] Call the physio</li></ul>")
        note_create(client=olivia.client, actor=coach.user, title="Shared plan", session=session, shared=True,
                    body_html="<p>Keep going</p>")
        session_rate(session=session, actor=olivia.user, stars=4, comment="Great cues")
        session_rate(session=other, actor=noah.user, stars=2)
    browser = login_as(coach.user)
    html = browser.get(team(org, f"{session.pk}/")).content.decode()
    assert "Private view" in html and "Shared plan" in html and "Private to the team" in html
    assert "Call the physio" in html and "Coach to-do" in html
    assert "Great cues" in html and "Olivia Martinez" in html and 'aria-label="4 of 5 stars"' in html
    assert "3.0 from 2 ratings" in html  # the coach's average over every rating
    assert "(Chicago time)" in html and f'href="/o/{org.slug}/calendar/sessions/{session.pk}/"' in html
    # The calendar's panel shows the ratings in a line and links here.
    panel = browser.get(team(org, f"{session.pk}/panel/")).content.decode()
    assert "4.0 from 1 rating" in panel and f'href="/o/{org.slug}/sessions/{session.pk}/"' in panel
    assert browser.get(team(org, f"?session={session.pk}"))["Location"] == team(org, f"{session.pk}/")
    with scope(organization=org):
        item = NoteActionItem.objects.get(note__session=session)
    browser.post(team(org, f"{session.pk}/items/{item.pk}/"), {"done": "1"})
    item.refresh_from_db()
    assert item.done


def test_a_limited_coach_does_not_open_a_colleagues_clients_session(org, coach: Person, limited: Person,
                                                                    olivia: Person) -> None:
    session, _booking = completed_session(org, olivia.client, coach_membership=coach.membership)
    with scope(organization=org):
        note = Note.objects.create(organization=org, client=olivia.client, session=session, author=coach.user,
                                   title="About Olivia", body_html="<p>x</p>", body_text="x")
    browser = login_as(limited.user)
    for rest in (f"{session.pk}/", f"{session.pk}/panel/"):
        assert browser.get(team(org, rest)).status_code == 404
    # Even a session they coach themselves, when the one client in it is a colleague's.
    theirs = session_for(org, olivia.client, coach_row(org, limited))
    assert browser.get(team(org, f"{theirs.pk}/")).status_code == 404
    assert note.pk


# --- another client's, another business's -----------------------------------------------------------------

def test_another_clients_session_is_a_404_in_the_portal(org, coach: Person, olivia: Person, noah: Person) -> None:
    session, _booking = completed_session(org, noah.client, coach_membership=coach.membership)
    browser = login_as(olivia.user)
    assert browser.get(portal(org, f"{session.pk}/")).status_code == 404
    assert browser.post(portal(org, f"{session.pk}/rating/"), {"stars": "1"}).status_code == 404
    with scope(organization=org):
        assert not SessionRating.objects.exists()


def test_another_business_is_a_404_on_every_session_route(org, other_org, coach: Person, olivia: Person) -> None:
    session, _booking = completed_session(org, olivia.client, coach_membership=coach.membership)
    with scope(organization=org):
        item_note = note_create(client=olivia.client, actor=coach.user, title="n", session=session, shared=True,
                                body_html="<ul><li>[ ] Walk</li></ul>")
        item = NoteActionItem.objects.get(note=item_note)
    their_owner = login_as(member(other_org, Role.OWNER))
    their_client = login_as(portal_client(other_org, first_name="Sam", last_name="Other").user)
    for slug in (org.slug, other_org.slug):
        for rest in (f"{session.pk}/", f"{session.pk}/panel/"):
            assert their_owner.get(f"/o/{slug}/sessions/{rest}").status_code == 404
        assert their_owner.post(f"/o/{slug}/sessions/{session.pk}/items/{item.pk}/", {"done": "1"}).status_code == 404
        assert their_client.get(f"/portal/{slug}/sessions/{session.pk}/").status_code == 404
        assert their_client.post(f"/portal/{slug}/sessions/{session.pk}/rating/", {"stars": "1"}).status_code == 404
        assert their_client.post(f"/portal/{slug}/sessions/{session.pk}/items/{item.pk}/",
                                 {"done": "1"}).status_code == 404
    item.refresh_from_db()
    assert not item.done
    with scope(organization=org):
        assert not SessionRating.objects.exists()
