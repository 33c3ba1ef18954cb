"""Notes inside other pages — the client page's "Notes" section and the calendar's session panel — and who
may open any notes page: another business gets 404 on every route, a coach limited to their own clients
gets 404 for another coach's client's notes, a client login gets 403."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from coachos.clients import sections
from coachos.notes.models import Note, NoteActionItem, NoteTemplate, NoteVersion
from coachos.notes.services import notes as services
from coachos.notes.services.templates import templates_seed
from coachos.scheduling import services as scheduling
from coachos.scheduling.models import TrainingSession
from coachos.tenancy.models import AuditEntry
from tests.conftest import login_as
from tests.factories import BookingFactory, CoachFactory, SessionTypeFactory, TrainingSessionFactory
from tests.test_cross_tenant import walk

from .conftest import Person, completed_session, portal_client, team_member

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def section_url(org: Any, client_id: int) -> str:
    return f"/o/{org.slug}/notes/clients/{client_id}/section/"


def panel_url(org: Any, session_id: int) -> str:
    return f"/o/{org.slug}/notes/sessions/{session_id}/panel/"


def notes_of(org: Any, **filters: Any) -> list[Note]:
    with scope(organization=org):
        return list(Note.objects.filter(**filters).order_by("pk"))


def write(org: Any, person: Person, client: Any, **kwargs: Any) -> Note:
    with scope(organization=org):
        return services.note_create(client=client, actor=person.user, **kwargs)


# --- the client page -------------------------------------------------------------------------------------

def test_the_client_page_shows_the_new_notes_section(org, owner_p: Person, olivia: Person):
    found = sections.sections_for(org_slug=org.slug, client_id=olivia.client.pk, membership=owner_p.membership)
    notes = [s for s in found if s["key"] == "notes"]
    assert notes == [{"key": "notes", "title": "Notes", "url": section_url(org, olivia.client.pk)}]
    page = login_as(owner_p.user).get(f"/o/{org.slug}/clients/{olivia.client.pk}/").content.decode()
    assert f'hx-get="{section_url(org, olivia.client.pk)}"' in page


def test_the_client_section_lists_their_notes_and_adds_one(org, coach: Person, olivia: Person, noah: Person):
    write(org, coach, olivia.client, title="Hers", body_html="<p>About Olivia</p>", shared=True)
    write(org, coach, noah.client, title="His", body_html="<p>About Noah</p>")
    web = login_as(coach.user)
    shown = web.get(section_url(org, olivia.client.pk), **HTMX).content.decode()
    assert "Hers" in shown and "His" not in shown and "Shared" in shown and "Add a short note" in shown

    added = web.post(section_url(org, olivia.client.pk), {"text": "Called about Thursday.\nAll good."}, **HTMX)
    assert added.status_code == 200 and "Note added." in added.content.decode()
    made = notes_of(org, client=olivia.client, title="")[-1]
    assert (made.body_html, made.shared, made.author_id) == ("<p>Called about Thursday.<br>All good.</p>", False,
                                                              coach.user.pk)
    empty = web.post(section_url(org, olivia.client.pk), {"text": "  "}, **HTMX)
    assert empty.status_code == 422 and "Write the note first." in empty.content.decode()
    # Without script the form goes back to the client's page with a message.
    plain = web.post(section_url(org, olivia.client.pk), {"text": "Plain", "shared": "on"})
    assert plain.status_code == 302 and plain.headers["Location"] == f"/o/{org.slug}/clients/{olivia.client.pk}/"
    assert notes_of(org, client=olivia.client, shared=True)[-1].body_html == "<p>Plain</p>"


# --- the calendar's session panel --------------------------------------------------------------------------

def test_the_session_panel_shows_the_sessions_notes_and_adds_one(org, coach: Person, olivia: Person):
    session, _booking = completed_session(org, olivia.client, coach_membership=coach.membership)
    write(org, coach, olivia.client, title="On this session", session=session)
    write(org, coach, olivia.client, title="Not on it")
    web = login_as(coach.user)
    calendar_panel = web.get(f"/o/{org.slug}/calendar/sessions/{session.pk}/", **HTMX).content.decode()
    assert f'hx-get="{panel_url(org, session.pk)}"' in calendar_panel
    assert "Save note" not in calendar_panel and 'name="notes"' not in calendar_panel  # the old text field is gone

    panel = web.get(panel_url(org, session.pk), **HTMX).content.decode()
    assert "On this session" in panel and "Not on it" not in panel and "Write a full note" in panel
    assert f"?client={olivia.client.pk}&amp;session={session.pk}" in panel
    added = web.post(panel_url(org, session.pk), {"text": "Hips tight today"}, **HTMX)
    assert added.status_code == 200 and "Hips tight today" in added.content.decode()
    made = notes_of(org, session=session)[-1]
    assert (made.client_id, made.body_html, made.shared) == (olivia.client.pk, "<p>Hips tight today</p>", False)
    with scope(organization=org):
        assert TrainingSession.objects.get(pk=session.pk).notes == ""  # nothing goes to the old field
    assert web.post(f"/o/{org.slug}/calendar/sessions/{session.pk}/note/", {"notes": "x"}).status_code == 404

    # Without script the panel's link opens the notes page filtered to the session.
    plain = web.get(panel_url(org, session.pk))
    assert plain.status_code == 302 and plain.headers["Location"] == f"/o/{org.slug}/notes/?session={session.pk}"


def test_a_class_panel_asks_whom_the_note_is_about(org, coach: Person, olivia: Person, noah: Person, other_org):
    with scope(organization=org):
        trainer = CoachFactory(organization=org, membership=coach.membership)
        starts = timezone.now() + timedelta(days=1)
        group = TrainingSessionFactory(organization=org, coach=trainer, capacity=8, starts_at=starts,
                                       ends_at=starts + timedelta(hours=1))
        BookingFactory(organization=org, session=group, client=olivia.client)
        BookingFactory(organization=org, session=group, client=noah.client)
    web = login_as(coach.user)
    panel = web.get(panel_url(org, group.pk), **HTMX).content.decode()
    assert "The whole session" in panel and "Write a note about Noah Kim" in panel

    assert web.post(panel_url(org, group.pk), {"text": "About Noah", "client": noah.client.pk}, **HTMX).status_code == 200
    assert web.post(panel_url(org, group.pk), {"text": "Everyone", "client": ""}, **HTMX).status_code == 200
    shared_class = web.post(panel_url(org, group.pk), {"text": "Shared?", "client": "", "shared": "on"}, **HTMX)
    assert shared_class.status_code == 422 and "Only a note about a client can be shared." in shared_class.content.decode()
    made = notes_of(org, session=group)
    assert [(n.client_id, n.body_html) for n in made] == [(noah.client.pk, "<p>About Noah</p>"), (None, "<p>Everyone</p>")]
    whole = web.get(f"/o/{org.slug}/notes/{made[1].pk}/").content.decode()
    assert "Note about a whole session" in whole and 'role="switch"' not in whole
    assert "a note about a whole session is for your team only" in whole

    # Another business's client in the field: refused, nothing written.
    stranger = portal_client(other_org, first_name="Bea")
    refused = web.post(panel_url(org, group.pk), {"text": "Sneaky", "client": stranger.client.pk}, **HTMX)
    assert refused.status_code == 422 and "Choose one of the session&#x27;s clients." in refused.content.decode()
    assert len(notes_of(org, session=group)) == 2


def test_a_class_made_with_a_note_on_the_calendar_keeps_it_in_notes(org, coach: Person):
    with scope(organization=org):
        trainer = CoachFactory(organization=org, membership=coach.membership)
        bootcamp = SessionTypeFactory(organization=org, name="Bootcamp", capacity=8, duration_minutes=45)
        starts = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        session = scheduling.session_create(coach=trainer, session_type=bootcamp, starts_at=starts,
                                            actor=coach.user, notes="Outdoor if dry")
    made = notes_of(org, session=session)
    assert [(n.client_id, n.body_html, n.shared) for n in made] == [(None, "<p>Outdoor if dry</p>", False)]
    panel = login_as(coach.user).get(panel_url(org, session.pk), **HTMX).content.decode()
    assert "Outdoor if dry" in panel


# --- who may: another business, a limited coach, a client -------------------------------------------------

def _objects(org: Any, person: Person, client: Any) -> dict[str, Any]:
    session, _booking = completed_session(org, client)
    note = write(org, person, client, title="Private words", body_html="<ul><li>[ ] Secret task</li></ul>",
                 session=session)
    with scope(organization=org):
        templates_seed(organization=org)
        return {"note_id": note.pk, "noteversion_id": NoteVersion.objects.filter(note=note).first().pk,
                "noteactionitem_id": NoteActionItem.objects.get(note=note).pk, "client_id": client.pk,
                "session_id": session.pk, "notetemplate_id": NoteTemplate.objects.filter(organization=org).first().pk}


def _notes_routes() -> list[Any]:
    return [r for r in walk() if r.name.startswith("notes:") and r.id_params and r.route.startswith("o/")]


def test_every_notes_page_with_an_id_is_a_404_for_another_business(org, other_org, owner_p: Person, olivia: Person):
    ids = _objects(org, owner_p, olivia.client)
    outsider = login_as(team_member(other_org, "owner").user)
    routes = _notes_routes()
    assert {r.name for r in routes} >= {"notes:edit", "notes:autosave", "notes:versions", "notes:version",
                                        "notes:restore", "notes:action_item", "notes:delete", "notes:template_edit",
                                        "notes:client_section", "notes:session_panel"}
    with scope(organization=org):
        audit_before = AuditEntry.objects.count()
    for route in routes:
        for slug in (other_org.slug, org.slug):
            target = route.url({**ids, "org_slug": slug})
            for method in ("get", "post"):
                answer = getattr(outsider, method)(target, {"text": "x", "title": "x", "body_html": "x",
                                                            "base_version": 1, "done": "1"}, **HTMX)
                assert answer.status_code in (404, 405), f"{method} {target} → {answer.status_code}"
                assert "Private words" not in answer.content.decode()
    with scope(organization=org):
        assert AuditEntry.objects.count() == audit_before
        assert Note.objects.get(pk=ids["note_id"]).version == 1
    # Lists and filters of the other business never show A's notes.
    listed = outsider.get(f"/o/{other_org.slug}/notes/", {"client": olivia.client.pk, "q": "private"})
    assert listed.status_code == 200 and "Private words" not in listed.content.decode()


def test_a_limited_coach_cannot_open_another_coachs_clients_notes(org, coach: Person, limited: Person,
                                                                  olivia: Person):
    ids = _objects(org, coach, olivia.client)  # Olivia is Jordan's client, not Lee's
    mine = portal_client(org, first_name="Lou", last_name="Own", coach=limited)
    write(org, limited, mine.client, title="My own client's note")
    web = login_as(limited.user)
    listed = web.get("/o/northside-test/notes/", {"q": "private"}).content.decode()
    assert "Private words" not in listed
    everything = web.get("/o/northside-test/notes/").content.decode()
    assert "My own client&#x27;s note" in everything and "Private words" not in everything
    assert "Olivia" not in everything  # not even as a filter choice
    for route in _notes_routes():
        if route.name in {"notes:template_edit"}:
            continue  # templates are the business's, not a client's
        target = route.url({**ids, "org_slug": org.slug})
        for method in ("get", "post"):
            answer = getattr(web, method)(target, {"text": "x", "title": "x", "body_html": "x", "base_version": 1,
                                                   "done": "1"}, **HTMX)
            assert answer.status_code in (404, 405), f"{method} {target} → {answer.status_code}"
            assert "Private words" not in answer.content.decode()
    new_for_olivia = web.post("/o/northside-test/notes/new/", {"client": olivia.client.pk, "body_html": "<p>x</p>"})
    assert new_for_olivia.status_code == 422
    with scope(organization=org):
        assert Note.objects.filter(client=olivia.client).count() == 1
        assert not NoteActionItem.objects.filter(done=True).exists()


def test_a_client_login_gets_403_on_the_team_notes_pages(org, owner_p: Person, olivia: Person):
    ids = _objects(org, owner_p, olivia.client)
    with scope(organization=org):
        Note.objects.filter(pk=ids["note_id"]).update(shared=True)
    web = login_as(olivia.user)
    for route in [r for r in walk() if r.name.startswith("notes:") and r.route.startswith("o/")]:
        target = route.url({**ids, "org_slug": org.slug})
        for method in ("get", "post"):
            answer = getattr(web, method)(target, {"text": "x"}, **HTMX)
            assert answer.status_code in (403, 404, 405), f"{method} {target} → {answer.status_code}"
    assert reverse("notes:index", kwargs={"org_slug": org.slug}) == "/o/northside-test/notes/"
