"""The notes API contract: create (sanitized), list with search and filters, read, save with
``base_version`` (409 on a conflict), versions and restore, templates, action items."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.notes.models import Note, NoteActionItem
from tests.factories import BookingFactory, TrainingSessionFactory

from .conftest import Person, call, portal_client

pytestmark = pytest.mark.django_db


def _create(api: DjangoClient, person: Person, client_id: int, **body: object) -> dict:
    response = call(api, "post", f"/api/v1/clients/{client_id}/notes", person,
                    {"title": "Week 3", "body_html": "<p>ok</p>", "shared": False, **body})
    assert response.status_code == 201, response.content
    return response.json()


def test_create_stores_sanitized_html_and_answers_201(api, coach: Person, olivia: Person) -> None:
    body = ('<p onmouseover="steal()">Depth <strong>better</strong></p><script>alert(1)</script>'
            '<a href="javascript:alert(1)">x</a><ul><li>[ ] Walk daily</li></ul>')
    note = _create(api, coach, olivia.client.pk, body_html=body, tags=["knee"])
    assert note["body_html"] == ('<p>Depth <strong>better</strong></p><a target="_blank" '
                                 'rel="noopener noreferrer nofollow">x</a><ul><li>[ ] Walk daily</li></ul>')
    assert note["shared"] is False and note["version"] == 1 and note["tags"] == ["knee"]
    assert note["client"] == olivia.client.pk and note["author"]["id"] == coach.user.pk
    assert [(i["text"], i["assignee"]) for i in note["action_items"]] == [("Walk daily", "client")]
    with scope(organization=olivia.client.organization):
        assert "onmouseover" not in Note.objects.get(pk=note["id"]).body_html


def test_bad_input_is_a_422_naming_the_field(api, coach: Person, olivia: Person) -> None:
    response = call(api, "post", f"/api/v1/clients/{olivia.client.pk}/notes", coach,
                    {"title": "x" * 201, "body_html": "", "shared": False})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "title"
    response = call(api, "post", f"/api/v1/clients/{olivia.client.pk}/notes", coach,
                    {"title": "x", "body_html": "", "shared": False, "colour": "red"})
    assert response.status_code == 422
    session = TrainingSessionFactory(organization=olivia.client.organization)
    response = call(api, "post", f"/api/v1/clients/{olivia.client.pk}/notes", coach,
                    {"title": "x", "body_html": "", "shared": False, "session": session.pk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "session"
    with scope(organization=olivia.client.organization):
        assert not Note.objects.exists()


def test_list_searches_filters_and_sorts(api, org, coach: Person, limited: Person, olivia: Person,
                                         noah: Person) -> None:
    session = TrainingSessionFactory(organization=org)
    BookingFactory(session=session, organization=org, client=noah.client)
    first = _create(api, coach, olivia.client.pk, title="Running form", body_html="<p>Cadence drills</p>",
                    tags=["Running"])
    second = _create(api, coach, noah.client.pk, title="Strength", body_html="<p>Deadlifts and running</p>",
                     shared=True, session=session.pk)
    third = _create(api, limited, portal_client(org, first_name="Zoe", last_name="Zane",
                                                coach=limited).client.pk, title="Own client",
                    body_html="<p>runner</p>")

    def ids(query: str, person: Person = coach) -> list[int]:
        response = call(api, "get", f"/api/v1/notes?{query}", person)
        assert response.status_code == 200, response.content
        return [n["id"] for n in response.json()["results"]]

    assert ids("") == [third["id"], second["id"], first["id"]]
    assert ids("q=runn") == [third["id"], second["id"], first["id"]]  # a word's beginning is enough
    assert ids("q=cadence drill") == [first["id"]]
    assert ids(f"client={olivia.client.pk}") == [first["id"]]
    assert ids("tag=running") == [first["id"]]
    assert ids("shared=true") == [second["id"]] and ids("shared=false") == [third["id"], first["id"]]
    assert ids(f"session={session.pk}") == [second["id"]]
    assert ids(f"author={limited.membership.pk}") == [third["id"]]
    assert ids("sort=client") == [second["id"], first["id"], third["id"]]  # Kim, Martinez, Zane
    assert ids("sort=oldest") == [first["id"], second["id"], third["id"]]
    assert ids("", limited) == [third["id"]]  # a limited coach: their own clients only
    assert ids("", olivia) == [] and ids("", noah) == [second["id"]]  # clients: shared with them
    page = call(api, "get", "/api/v1/notes?limit=2", coach).json()
    assert len(page["results"]) == 2 and page["next"]
    rest = api.get(page["next"], **coach.headers).json()
    assert [n["id"] for n in rest["results"]] == [first["id"]] and rest["next"] is None
    assert call(api, "get", "/api/v1/notes?cursor=bogus", coach).status_code == 422


def test_patch_saves_with_base_version_and_a_stale_one_is_a_409(api, coach: Person, olivia: Person) -> None:
    note = _create(api, coach, olivia.client.pk)
    url = f"/api/v1/notes/{note['id']}"
    saved = call(api, "patch", url, coach, {"base_version": 1, "body_html": "<p>tab one</p>"})
    assert saved.status_code == 200 and saved.json()["version"] == 2
    stale = call(api, "patch", url, coach, {"base_version": 1, "body_html": "<p>tab two</p>", "autosave": True})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2 and stale.json()["code"] == "conflict"
    assert call(api, "get", url, coach).json()["body_html"] == "<p>tab one</p>"
    auto = call(api, "patch", url, coach, {"base_version": 2, "body_html": "<p>typing</p>", "autosave": True})
    assert auto.json()["version"] == 3
    shared = call(api, "patch", url, coach, {"base_version": 3, "shared": True})
    assert shared.json()["shared"] is True and shared.json()["shared_at"]
    assert call(api, "get", url, olivia).json()["body_html"] == "<p>typing</p>"


def test_versions_list_and_restore(api, coach: Person, olivia: Person) -> None:
    note = _create(api, coach, olivia.client.pk, body_html="<p>one</p>")
    call(api, "patch", f"/api/v1/notes/{note['id']}", coach, {"base_version": 1, "body_html": "<p>two</p>"})
    versions = call(api, "get", f"/api/v1/notes/{note['id']}/versions", coach).json()
    assert [(v["version"], v["body_html"], v["reason"]) for v in versions] == [(2, "<p>two</p>", "save"),
                                                                              (1, "<p>one</p>", "save")]
    restored = call(api, "post", f"/api/v1/notes/{note['id']}/versions/{versions[1]['id']}/restore", coach,
                    {"base_version": 2})
    assert restored.status_code == 200
    assert (restored.json()["body_html"], restored.json()["version"]) == ("<p>one</p>", 3)
    stale = call(api, "post", f"/api/v1/notes/{note['id']}/versions/{versions[1]['id']}/restore", coach,
                 {"base_version": 2})
    assert stale.status_code == 409
    # Versions are the team's: a client may read the shared note, not its history.
    call(api, "patch", f"/api/v1/notes/{note['id']}", coach, {"base_version": 3, "shared": True})
    assert call(api, "get", f"/api/v1/notes/{note['id']}/versions", olivia).status_code == 403


def test_templates_list_and_a_note_from_one(api, coach: Person, olivia: Person) -> None:
    templates = call(api, "get", "/api/v1/note-templates", coach).json()
    names = [t["name"] for t in templates]
    assert names == ["SOAP note", "Initial assessment", "Session review"]
    soap = templates[0]
    assert soap["body_html"].startswith("<h3>Subjective</h3>") and soap["builtin"] is True
    note = _create(api, coach, olivia.client.pk, body_html="", note_template=soap["id"])
    assert note["body_html"] == soap["body_html"] and note["note_template"] == soap["id"]
    journal = call(api, "get", "/api/v1/note-templates?kind=journal", olivia).json()
    assert [t["name"] for t in journal] == ["Weekly reflection", "After a session", "Gratitude"]
    assert call(api, "get", "/api/v1/note-templates", olivia).json() == []  # note templates are the team's
    made = call(api, "post", "/api/v1/note-templates", coach,
                {"name": "Nutrition check", "sections": [{"heading": "Meals", "hint": "What you ate"}]})
    assert made.status_code == 201 and made.json()["body_html"] == "<h3>Meals</h3><p><em>What you ate</em></p>"
    off = call(api, "patch", f"/api/v1/note-templates/{made.json()['id']}", coach, {"active": False})
    assert off.json()["active"] is False
    assert call(api, "post", "/api/v1/note-templates", olivia, {"name": "x", "sections": [{"heading": "y"}]}
                ).status_code == 403


def test_action_items_are_ticked_off_by_the_team_and_the_client(api, coach: Person, olivia: Person) -> None:
    note = _create(api, coach, olivia.client.pk, shared=True,
                   body_html="<ul><li data-action='client'>Walk</li><li data-action='coach'>Call</li></ul>")
    walk, call_item = note["action_items"]
    url = f"/api/v1/notes/{note['id']}/action-items"
    done = call(api, "patch", f"{url}/{walk['id']}", olivia, {"done": True})
    assert done.status_code == 200 and done.json()["done"] is True
    assert call(api, "patch", f"{url}/{call_item['id']}", olivia, {"done": True}).status_code == 403
    assert call(api, "patch", f"{url}/{call_item['id']}", coach, {"done": True}).json()["done"] is True
    seen_by_client = call(api, "get", f"/api/v1/notes/{note['id']}", olivia).json()["action_items"]
    assert [i["text"] for i in seen_by_client] == ["Walk"]
    with scope(organization=olivia.client.organization):
        assert NoteActionItem.objects.filter(done=True).count() == 2


def test_delete_by_the_author(api, coach: Person, olivia: Person) -> None:
    note = _create(api, coach, olivia.client.pk)
    assert call(api, "delete", f"/api/v1/notes/{note['id']}", olivia).status_code == 404  # private: not hers
    assert call(api, "delete", f"/api/v1/notes/{note['id']}", coach).status_code == 204
    assert call(api, "get", f"/api/v1/notes/{note['id']}", coach).status_code == 404


def test_a_session_lists_its_notes_for_each_side(api, org, coach: Person, olivia: Person) -> None:
    session = TrainingSessionFactory(organization=org)
    BookingFactory(session=session, organization=org, client=olivia.client)
    private = _create(api, coach, olivia.client.pk, session=session.pk)
    shared = _create(api, coach, olivia.client.pk, session=session.pk, shared=True)
    team = call(api, "get", f"/api/v1/sessions/{session.pk}/notes", coach).json()
    assert [n["id"] for n in team] == [shared["id"], private["id"]]
    assert [n["id"] for n in call(api, "get", f"/api/v1/sessions/{session.pk}/notes", olivia).json()] == [
        shared["id"]]
