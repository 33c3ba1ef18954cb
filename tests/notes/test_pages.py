"""The team's notes pages: the list (search, filters, sort, pages, empty state), the editor (new, from a
template, save, the plain form without script), autosave (the endpoint and its conflicts), version
history with restore, action items, and the templates page."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from coachos.common import formats
from coachos.notes.models import Note, NoteActionItem, NoteTemplate, NoteVersion
from coachos.notes.services import notes as services
from coachos.notes.services.templates import templates_seed
from tests.conftest import login_as

from .conftest import Person, completed_session, team_member

pytestmark = pytest.mark.django_db


def url(org: Any, name: str = "", **ids: Any) -> str:
    path = {"": "", "new": "new/", "templates": "templates/", "template_new": "templates/new/"}.get(name)
    if path is not None:
        return f"/o/{org.slug}/notes/{path}"
    base = f"/o/{org.slug}/notes/{ids['note_id']}/"
    return {"edit": base, "autosave": base + "autosave/", "versions": base + "versions/", "delete": base + "delete/",
            "restore": base + f"versions/{ids.get('version_id')}/restore/",
            "version": base + f"versions/{ids.get('version_id')}/",
            "item": base + f"action-items/{ids.get('item_id')}/"}[name]


def write(org: Any, person: Person, client: Any, *, title: str = "", body: str = "<p>Note</p>", **kwargs: Any) -> Note:
    with scope(organization=org):
        return services.note_create(client=client, actor=person.user, title=title, body_html=body, **kwargs)


def fresh(org: Any, note: Note) -> Note:
    with scope(organization=org):
        return Note.objects.prefetch_related("tags").get(pk=note.pk)


def titles(html: str) -> list[str]:
    return re.findall(r'class="note-row-title"><strong>([^<]*)</strong>', html)


# --- the list -----------------------------------------------------------------------------------------

def test_the_list_searches_filters_and_sorts(org, owner_p: Person, coach: Person, olivia: Person, noah: Person):
    write(org, coach, olivia.client, title="Squat depth", body="<p>Goblet squats, knee tracking well</p>",
          tags=["knee"], shared=True)
    write(org, owner_p, noah.client, title="Rowing plan", body="<p>Intervals on the rower</p>", tags=["cardio"])
    write(org, coach, noah.client, title="Nutrition", body="<p>More protein at breakfast</p>", tags=["Knee"])
    web = login_as(owner_p.user)

    page = web.get(url(org)).content.decode()
    assert titles(page) == ["Nutrition", "Rowing plan", "Squat depth"]  # newest first
    assert "3 notes" in page and 'href="/o/northside-test/notes/"' in page  # in the back office's menu

    assert titles(web.get(url(org), {"q": "squat"}).content.decode()) == ["Squat depth"]
    assert titles(web.get(url(org), {"q": "row"}).content.decode()) == ["Rowing plan"]  # a word's start is enough
    assert titles(web.get(url(org), {"client": olivia.client.pk}).content.decode()) == ["Squat depth"]
    assert titles(web.get(url(org), {"tag": "knee"}).content.decode()) == ["Nutrition", "Squat depth"]
    assert titles(web.get(url(org), {"author": owner_p.membership.pk}).content.decode()) == ["Rowing plan"]
    assert titles(web.get(url(org), {"shared": "shared"}).content.decode()) == ["Squat depth"]
    assert titles(web.get(url(org), {"shared": "private"}).content.decode()) == ["Nutrition", "Rowing plan"]
    by_client = titles(web.get(url(org), {"sort": "client"}).content.decode())
    assert by_client[0] == "Nutrition" and by_client[-1] == "Squat depth"  # Kim before Martinez
    assert titles(web.get(url(org), {"sort": "oldest"}).content.decode())[0] == "Squat depth"

    nothing = web.get(url(org), {"q": "zumba"}).content.decode()
    assert "No notes match" in nothing and titles(nothing) == []


def test_a_session_filter_and_pages(org, owner_p: Person, coach: Person, olivia: Person):
    session, _booking = completed_session(org, olivia.client, coach_membership=coach.membership)
    write(org, coach, olivia.client, title="About the session", session=session)
    for n in range(21):
        write(org, coach, olivia.client, title=f"Note {n}")
    web = login_as(owner_p.user)
    assert titles(web.get(url(org), {"session": session.pk}).content.decode()) == ["About the session"]
    first = web.get(url(org)).content.decode()
    assert len(titles(first)) == 20 and "Page 1 of 2" in first
    assert titles(web.get(url(org), {"page": 2}).content.decode()) == ["Note 0", "About the session"]


def test_the_empty_list_says_what_notes_are_for_and_bad_filters_are_ignored(org, owner_p: Person, olivia: Person):
    web = login_as(owner_p.user)
    empty = web.get(url(org)).content.decode()
    assert "No notes yet" in empty and url(org, "new") in empty
    write(org, owner_p, olivia.client, title="Kept")
    odd = web.get(url(org), {"client": "999999", "sort": "sideways", "page": "x"})
    assert odd.status_code == 200
    body = odd.content.decode()
    assert "Some filters were not understood" in body and titles(body) == ["Kept"]


# --- writing ----------------------------------------------------------------------------------------

def test_a_new_note_from_the_plain_form_and_from_a_template(org, owner_p: Person, coach: Person, olivia: Person):
    session, _booking = completed_session(org, olivia.client, coach_membership=coach.membership)
    web = login_as(coach.user)
    page = web.get(url(org, "new"), {"client": olivia.client.pk, "session": session.pk}).content.decode()
    assert "SOAP note" in page and f'value="{session.pk}" selected' in page

    # Without script the text box is plain text: paragraphs at blank lines, nothing interpreted.
    answer = web.post(url(org, "new"), {"client": olivia.client.pk, "session": session.pk, "title": "First",
                                         "body_html": "Felt strong.\n\nKnee ok & no pain", "tags": "knee, Knee, form"})
    with scope(organization=org):
        note = Note.objects.get(title="First")
        assert answer.status_code == 302 and answer.headers["Location"] == url(org, "edit", note_id=note.pk)
        assert note.body_html == "<p>Felt strong.</p><p>Knee ok &amp; no pain</p>"
        assert (note.client_id, note.session_id, note.shared) == (olivia.client.pk, session.pk, False)
        assert sorted(t.name for t in note.tags.all()) == ["form", "knee"]
        soap = NoteTemplate.objects.get(builtin_key="soap")

    # One click on a template: the note starts from its sections.
    answer = web.post(url(org, "new"), {"client": olivia.client.pk, "title": "", "body_html": "",
                                         "note_template": soap.pk})
    assert answer.status_code == 302
    with scope(organization=org):
        made = Note.objects.get(template=soap)
        assert "<h3>Subjective</h3>" in made.body_html and "<h3>Plan</h3>" in made.body_html


def test_a_new_note_needs_one_of_your_clients_and_keeps_what_was_typed(org, coach: Person, olivia: Person):
    web = login_as(coach.user)
    answer = web.post(url(org, "new"), {"client": "", "title": "Kept title", "body_html": "<p>Kept text</p>"})
    assert answer.status_code == 422
    body = answer.content.decode()
    assert "This field is required." in body and 'value="Kept title"' in body and "Kept text" in body
    as_json = web.post(url(org, "new"), {"client": "", "body_html": "x"}, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 422 and as_json.json()["errors"][0]["field"] == "client"
    with scope(organization=org):
        assert not Note.objects.exists()


def test_the_editor_saves_text_tags_sharing_and_action_items(org, coach: Person, olivia: Person):
    note = write(org, coach, olivia.client, title="Plan")
    web = login_as(coach.user)
    page = web.get(url(org, "edit", note_id=note.pk)).content.decode()
    assert 'name="base_version" value="1"' in page and "Share with Olivia Martinez" in page
    assert "Private: only your team can read it." in page and 'data-note-editor' in page
    body = ('<p>Good session <script>alert(1)</script></p><ul><li data-action="client">Walk 20 minutes</li>'
            '<li>[me] Send the video</li></ul><p><a href="javascript:alert(1)" onclick="x()">bad</a></p>')
    answer = web.post(url(org, "edit", note_id=note.pk), {"base_version": 1, "title": "Plan B", "body_html": body,
                                                          "tags": "walking", "shared": "on"})
    assert answer.status_code == 302
    saved = fresh(org, note)
    assert (saved.title, saved.shared, saved.version) == ("Plan B", True, 2)
    assert "script" not in saved.body_html and "javascript" not in saved.body_html and "onclick" not in saved.body_html
    assert [t.name for t in saved.tags.all()] == ["walking"]
    with scope(organization=org):
        items = sorted(NoteActionItem.objects.filter(note=note).values_list("assignee", "text"))
    assert items == [("client", "Walk 20 minutes"), ("coach", "Send the video")]
    page = web.get(url(org, "edit", note_id=note.pk)).content.decode()
    assert "Walk 20 minutes" in page and "Task for the client" in page and "To-do for the coach" in page


def test_action_items_are_read_when_saving_text_that_autosave_already_kept(org, coach: Person, olivia: Person):
    note = write(org, coach, olivia.client)
    web = login_as(coach.user)
    text = "<ul><li>[ ] Stretch every morning</li></ul>"
    assert web.post(url(org, "autosave", note_id=note.pk), {"title": "", "body_html": text,
                                                            "base_version": 1}).status_code == 200
    with scope(organization=org):
        assert not NoteActionItem.objects.filter(note=note).exists()  # autosave never makes tasks
    assert web.post(url(org, "edit", note_id=note.pk), {"title": "", "body_html": text,
                                                        "base_version": 2}).status_code == 302
    with scope(organization=org):
        item = NoteActionItem.objects.get(note=note)
    assert (item.assignee, item.text) == ("client", "Stretch every morning")
    ticked = web.post(url(org, "item", note_id=note.pk, item_id=item.pk), {"done": "1"}, HTTP_HX_REQUEST="true")
    assert ticked.status_code == 200 and "✓" in ticked.content.decode()
    with scope(organization=org):
        assert NoteActionItem.objects.get(pk=item.pk).done


# --- autosave and conflicts ---------------------------------------------------------------------------

def test_the_autosave_endpoint_keeps_typing_and_refuses_a_stale_version(org, coach: Person, olivia: Person):
    note = write(org, coach, olivia.client, title="T", body="<p>one</p>")
    web = login_as(coach.user)
    first = web.post(url(org, "autosave", note_id=note.pk), {"title": "T", "body_html": "<p>one two</p>",
                                                             "base_version": 1})
    assert first.status_code == 200 and first.json()["version"] == 2 and first.json()["saved"]
    again = web.post(url(org, "autosave", note_id=note.pk), {"title": "T", "body_html": "<p>one two three</p>",
                                                             "base_version": 2})
    assert again.json()["version"] == 3
    with scope(organization=org):  # typing makes one version, not one per keystroke
        assert list(NoteVersion.objects.filter(note=note).values_list("reason", flat=True)) == ["autosave", "save"]

    # Another tab still at version 1: a conflict carrying the current version; nothing overwritten.
    stale = web.post(url(org, "autosave", note_id=note.pk), {"title": "T", "body_html": "<p>other tab</p>",
                                                             "base_version": 1})
    assert stale.status_code == 409 and stale.headers["Content-Type"] == "application/problem+json"
    assert stale.json()["current_version"] == 3 and stale.json()["code"] == "conflict"
    assert fresh(org, note).body_html == "<p>one two three</p>"

    bad = web.post(url(org, "autosave", note_id=note.pk), {"title": "x" * 300, "body_html": "", "base_version": 3})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "title"
    assert web.get(url(org, "autosave", note_id=note.pk)).status_code == 405
    assert fresh(org, note).version == 3


def test_a_conflict_on_save_is_shown_and_saving_again_is_a_choice(org, coach: Person, olivia: Person):
    note = write(org, coach, olivia.client, body="<p>mine</p>")
    other = login_as(coach.user)
    other.post(url(org, "autosave", note_id=note.pk), {"title": "", "body_html": "<p>theirs</p>", "base_version": 1})
    web = login_as(coach.user)
    answer = web.post(url(org, "edit", note_id=note.pk), {"base_version": 1, "title": "",
                                                          "body_html": "<p>my words</p>"})
    assert answer.status_code == 409
    page = answer.content.decode()
    assert "was changed somewhere else" in page and "my words" in page  # the typed text is kept
    assert 'name="base_version" value="2"' in page and '"conflict": true' in page
    assert fresh(org, note).body_html == "<p>theirs</p>"
    assert web.post(url(org, "edit", note_id=note.pk), {"base_version": 2, "title": "",
                                                        "body_html": "<p>my words</p>"}).status_code == 302
    assert fresh(org, note).body_html == "<p>my words</p>"


# --- versions --------------------------------------------------------------------------------------------

def test_version_history_and_restore(org, coach: Person, olivia: Person):
    note = write(org, coach, olivia.client, title="v1", body="<p>first</p>")
    web = login_as(coach.user)
    web.post(url(org, "edit", note_id=note.pk), {"base_version": 1, "title": "v2", "body_html": "<p>second</p>"})
    with scope(organization=org):
        first = NoteVersion.objects.get(note=note, version=1)
    history = web.get(url(org, "versions", note_id=note.pk)).content.decode()
    assert "View version 1" in history and "View version 2" in history and "Current" in history
    shown = web.get(url(org, "version", note_id=note.pk, version_id=first.pk)).content.decode()
    assert "first" in shown and "Restore this version" in shown

    stale = web.post(url(org, "restore", note_id=note.pk, version_id=first.pk), {"base_version": 1}, follow=True)
    assert "was changed somewhere else" in stale.content.decode()
    assert fresh(org, note).title == "v2"
    answer = web.post(url(org, "restore", note_id=note.pk, version_id=first.pk), {"base_version": 2})
    assert answer.status_code == 302 and answer.headers["Location"] == url(org, "edit", note_id=note.pk)
    restored = fresh(org, note)
    assert (restored.title, restored.body_html, restored.version) == ("v1", "<p>first</p>", 3)
    with scope(organization=org):
        assert NoteVersion.objects.filter(note=note).count() == 3  # the text before is kept too


def test_deleting_is_for_the_author_or_an_owner(org, owner_p: Person, coach: Person, olivia: Person):
    note = write(org, owner_p, olivia.client, title="Owner's")
    web = login_as(coach.user)
    assert "Delete note" not in web.get(url(org, "edit", note_id=note.pk)).content.decode()
    refused = web.post(url(org, "delete", note_id=note.pk), follow=True)
    assert "Only the note's author or an owner can delete it." in unescape(refused.content.decode())
    with scope(organization=org):
        assert Note.objects.filter(pk=note.pk).exists()
    answer = login_as(owner_p.user).post(url(org, "delete", note_id=note.pk))
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"?client={olivia.client.pk}")
    with scope(organization=org):
        assert not Note.objects.filter(pk=note.pk).exists()


# --- templates --------------------------------------------------------------------------------------------

def test_templates_are_listed_added_and_changed(org, owner_p: Person):
    web = login_as(owner_p.user)
    listed = web.get(url(org, "templates")).content.decode()
    assert "SOAP note" in listed and "Weekly reflection" in listed and "Built in" in listed
    data = {"name": "Check-in", "kind": "note", "active": "on", "sections-TOTAL_FORMS": "3",
            "sections-INITIAL_FORMS": "0", "sections-0-heading": "Energy", "sections-0-hint": "1 to 10",
            "sections-1-heading": "", "sections-1-hint": "", "sections-2-heading": "Sleep", "sections-2-hint": ""}
    assert web.post(url(org, "template_new"), data).status_code == 302
    with scope(organization=org):
        made = NoteTemplate.objects.get(name="Check-in")
    assert made.sections == [{"heading": "Energy", "hint": "1 to 10"}, {"heading": "Sleep", "hint": ""}]
    edit = f"/o/{org.slug}/notes/templates/{made.pk}/"
    page = web.get(edit).content.decode()
    assert 'value="Energy"' in page and "A note starts like this" in page
    changed = {**data, "name": "Weekly check-in", "active": "", "sections-TOTAL_FORMS": "1",
               "sections-0-heading": "Mood"}
    assert "Template “Weekly check-in” saved." in web.post(edit, changed, follow=True).content.decode()
    with scope(organization=org):
        made.refresh_from_db()
    assert (made.name, made.active) == ("Weekly check-in", False)
    assert made.sections == [{"heading": "Mood", "hint": "1 to 10"}]
    # A template the business stopped offering is not offered in the editor.
    new_page = web.get(url(org, "new")).content.decode()
    assert "Weekly check-in" not in new_page and "Session review" in new_page

    empty = web.post(url(org, "template_new"), {**data, "name": "Nothing", "sections-0-heading": "",
                                                "sections-2-heading": ""})
    assert empty.status_code == 422 and "A template needs at least one section." in empty.content.decode()


def test_the_front_desk_reads_templates_but_does_not_change_them(org):
    desk = team_member(org, "staff", name="Priya Desk")
    web = login_as(desk.user)
    with scope(organization=org):
        templates_seed(organization=org)
        soap = NoteTemplate.objects.get(builtin_key="soap")
    listed = web.get(url(org, "templates")).content.decode()
    assert "SOAP note" in listed and "Add a template" not in listed
    assert web.get(url(org, "template_new")).status_code == 403
    assert web.post(f"/o/{org.slug}/notes/templates/{soap.pk}/", {"name": "Mine"}).status_code == 403
    with scope(organization=org):
        assert NoteTemplate.objects.get(pk=soap.pk).name == "SOAP note"


def test_the_editor_gives_its_script_the_templates_and_words(org, coach: Person, olivia: Person):
    note = write(org, coach, olivia.client)
    page = login_as(coach.user).get(url(org, "edit", note_id=note.pk)).content.decode()
    config = json.loads(re.search(r'<script id="note-editor-config" type="application/json">(.*?)</script>',
                                  page).group(1))
    assert config == {"mode": "edit", "note": note.pk, "version": 1, "draft_key": f"note:{note.pk}",
                      "conflict": False, "autosave_url": url(org, "autosave", note_id=note.pk)}
    templates = json.loads(re.search(r'<script id="note-editor-templates" type="application/json">(.*?)</script>',
                                     page).group(1))
    assert {"SOAP note", "Initial assessment", "Session review"} <= {t["name"] for t in templates}
    assert all("<h3>" in t["body_html"] for t in templates)


def test_times_on_the_list_are_in_the_businesss_zone(org, coach: Person, olivia: Person):
    note = write(org, coach, olivia.client, title="Zoned")
    page = login_as(coach.user).get(url(org)).content.decode()
    with timezone.override(org.tzinfo):
        assert formats.format_datetime(note.created_at) in page


def test_a_client_login_cannot_open_the_team_pages(org, coach: Person, olivia: Person):
    note = write(org, coach, olivia.client, shared=True)
    web = login_as(olivia.user)
    for target in (url(org), url(org, "new"), url(org, "templates"), url(org, "edit", note_id=note.pk),
                   url(org, "versions", note_id=note.pk)):
        assert web.get(target).status_code == 403, target
    assert web.post(url(org, "autosave", note_id=note.pk), {"title": "x", "body_html": "<p>x</p>",
                                                            "base_version": 1}).status_code == 403
    assert fresh(org, note).version == 1


def test_ids_out_of_range_or_of_no_one_are_refused_not_an_error(org, coach: Person, olivia: Person):
    web = login_as(coach.user)
    big = "9" * 30
    assert web.get(url(org), {"client": big, "session": big, "author": big}).status_code == 200
    assert web.get(url(org, "new"), {"client": big, "session": big}).status_code == 200
    for data in ({"client": big, "session": big, "note_template": big},
                 {"client": olivia.client.pk, "session": big, "note_template": big}):
        assert web.post(url(org, "new"), data).status_code == 422
    note = write(org, coach, olivia.client)
    assert web.post(url(org, "autosave", note_id=note.pk), {"title": "", "body_html": "",
                                                            "base_version": big}).status_code in (409, 422)
    assert web.post(url(org, "edit", note_id=note.pk), {"title": "", "body_html": "", "base_version": "x"}
                    ).status_code == 422
    assert fresh(org, note).version == 1


def test_the_list_takes_the_same_number_of_queries_for_more_notes(org, coach: Person, olivia: Person,
                                                                   noah: Person):
    web = login_as(coach.user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert web.get(url(org), {"sort": "client"}).status_code == 200
        return len(captured)

    write(org, coach, olivia.client, title="One", tags=["a"])
    queries()  # the first request of a login writes its session once
    few = queries()
    for n in range(8):
        write(org, coach, noah.client if n % 2 else olivia.client, title=f"More {n}", tags=[f"t{n}", "a"])
    assert queries() == few
