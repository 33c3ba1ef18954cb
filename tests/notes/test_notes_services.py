"""Coach notes: create, explicit save, autosave with conflicts, compact versions, restore, templates,
tags and action items (with the ``note.action_item`` event)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django_scopes import scope

from coachos.common import events
from coachos.notes.errors import NoteConflict, NotesError
from coachos.notes.models import Note, NoteActionItem, NoteTemplate, NoteVersion
from coachos.notes.services import notes as services
from coachos.notes.services.templates import templates_seed
from coachos.tenancy.audit import AuditEntry
from tests.factories import BookingFactory, ClientFactory, TrainingSessionFactory

from .conftest import Person

pytestmark = pytest.mark.django_db

START = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def emitted() -> Any:
    seen: list[events.Event] = []

    def listener(event: events.Event) -> None:
        seen.append(event)

    events.subscribe(listener, ["note.action_item"])
    yield seen
    events.unsubscribe(listener)


def test_a_note_is_stored_sanitized_private_with_a_first_version(org, coach: Person, olivia: Person) -> None:
    with scope(organization=org):
        note = services.note_create(client=olivia.client, actor=coach.user, title="  Week  3 ",
                                    body_html='<p onclick="x()">Good <b>depth</b></p><script>steal()</script>',
                                    tags=["Knee", "knee", "mobility"])
        assert note.title == "Week 3"
        assert note.body_html == "<p>Good <b>depth</b></p>"
        assert note.body_text == "Good depth"
        assert note.shared is False and note.version == 1
        assert sorted(t.name for t in note.tags.all()) == ["Knee", "mobility"]
        version = NoteVersion.objects.get(note=note)
        assert (version.version, version.reason, version.author_id) == (1, "save", coach.user.pk)
        entry = AuditEntry.objects.get(action="note.created")
        assert "depth" not in str(entry.data) and entry.object_id == str(note.pk)


def test_a_save_from_an_old_version_is_a_conflict_that_changes_nothing(org, coach: Person, olivia: Person) -> None:
    with scope(organization=org):
        note = services.note_create(client=olivia.client, actor=coach.user, body_html="<p>first</p>")
        services.note_update(note=note, actor=coach.user, base_version=1, body_html="<p>tab one</p>")
        with pytest.raises(NoteConflict) as raised:
            services.note_autosave(note=note, actor=coach.user, base_version=1, title="", body_html="<p>tab two</p>")
        assert raised.value.current_version == 2 and raised.value.status == 409
        with pytest.raises(NoteConflict):
            services.note_update(note=note, actor=coach.user, base_version=1, body_html="<p>tab two</p>")
        note.refresh_from_db()
        assert (note.body_html, note.version) == ("<p>tab one</p>", 2)
        assert NoteVersion.objects.filter(note=note).count() == 2


def test_autosaves_share_one_version_per_author_for_ten_minutes_and_saves_always_make_one(
        org, coach: Person, olivia: Person) -> None:
    with scope(organization=org):
        with time_machine.travel(START, tick=False):
            note = services.note_create(client=olivia.client, actor=coach.user, body_html="<p>a</p>")
        for minute, text in ((1, "ab"), (4, "abc"), (9, "abcd")):
            with time_machine.travel(START + timedelta(minutes=minute), tick=False):
                note = services.note_autosave(note=note, actor=coach.user, base_version=note.version, title="",
                                              body_html=f"<p>{text}</p>")
        assert note.version == 4
        rows = list(NoteVersion.objects.filter(note=note).order_by("id").values_list("reason", "body_html", "version"))
        assert rows == [("save", "<p>a</p>", 1), ("autosave", "<p>abcd</p>", 4)]
        with time_machine.travel(START + timedelta(minutes=12), tick=False):
            note = services.note_autosave(note=note, actor=coach.user, base_version=4, title="", body_html="<p>x</p>")
            # The same text again is not a change: no new version number.
            same = services.note_autosave(note=note, actor=coach.user, base_version=5, title="", body_html="<p>x</p>")
            assert same.version == 5
            services.note_update(note=note, actor=coach.user, base_version=5, title="Done")
        reasons = list(NoteVersion.objects.filter(note=note).order_by("id").values_list("reason", flat=True))
        assert reasons == ["save", "autosave", "autosave", "save"]


def test_restore_brings_an_old_version_back_as_a_new_one(org, coach: Person, olivia: Person) -> None:
    with scope(organization=org):
        note = services.note_create(client=olivia.client, actor=coach.user, title="v1", body_html="<p>one</p>")
        first = NoteVersion.objects.get(note=note)
        services.note_update(note=note, actor=coach.user, base_version=1, title="v2", body_html="<p>two</p>")
        with pytest.raises(NoteConflict):
            services.note_version_restore(note=note, version=first, actor=coach.user, base_version=1)
        restored = services.note_version_restore(note=note, version=first, actor=coach.user, base_version=2)
        assert (restored.title, restored.body_html, restored.body_text, restored.version) == ("v1", "<p>one</p>",
                                                                                                "one", 3)
        assert NoteVersion.objects.filter(note=note).order_by("-id").first().reason == "restore"
        assert NoteVersion.objects.filter(note=note).count() == 3


def test_a_note_starts_from_a_template_and_the_builtins_are_made_once(org, coach: Person, olivia: Person) -> None:
    with scope(organization=org):
        assert templates_seed(organization=org) == 6
        assert templates_seed(organization=org) == 0
        soap = NoteTemplate.objects.get(organization=org, builtin_key="soap")
        assert [s["heading"] for s in soap.sections] == ["Subjective", "Objective", "Assessment", "Plan"]
        note = services.note_create(client=olivia.client, actor=coach.user, template=soap)
        assert note.body_html.startswith("<h3>Subjective</h3><p><em>")
        assert note.template_id == soap.pk
        typed = services.note_create(client=olivia.client, actor=coach.user, template=soap, body_html="<p>own</p>")
        assert typed.body_html == "<p>own</p>"
        journal = NoteTemplate.objects.get(organization=org, builtin_key="gratitude")
        with pytest.raises(NotesError) as raised:
            services.note_create(client=olivia.client, actor=coach.user, template=journal)
        assert raised.value.field == "note_template"


def test_action_items_follow_the_saved_text_and_are_announced_once(org, coach: Person, olivia: Person,
                                                                   emitted: list[events.Event]) -> None:
    with scope(organization=org):
        note = services.note_create(client=olivia.client, actor=coach.user, body_html=(
            "<ul><li>[ ] Walk 8,000 steps</li><li>[me] Send the plan</li><li>plain</li></ul>"))
        items = {i.text: i for i in NoteActionItem.objects.filter(note=note)}
        assert {(t, i.assignee) for t, i in items.items()} == {("Walk 8,000 steps", "client"),
                                                                ("Send the plan", "coach")}
        assert items["Send the plan"].coach_membership_id == coach.membership.pk
        assert items["Walk 8,000 steps"].client_id == olivia.client.pk
        assert [(e.object_id, e.data["assignee"], e.client_id) for e in emitted] == [
            (items["Walk 8,000 steps"].pk, "client", olivia.client.pk), (items["Send the plan"].pk, "coach",
                                                                         olivia.client.pk)]
        # Typing a new line: autosave makes no item; the save does.
        services.note_autosave(note=note, actor=coach.user, base_version=1, title="",
                               body_html="<ul><li>[ ] Walk 8,000 steps</li><li>[ ] Stre</li></ul>")
        assert NoteActionItem.objects.filter(note=note).count() == 2
        services.note_update(note=note, actor=coach.user, base_version=2,
                             body_html="<ul><li>[ ] walk 8,000 steps</li><li>[ ] Stretch</li></ul>")
        current = NoteActionItem.objects.filter(note=note, removed_at__isnull=True)
        assert sorted(current.values_list("text", flat=True)) == ["Stretch", "walk 8,000 steps"]
        assert NoteActionItem.objects.get(text="Send the plan").removed_at is not None
        assert len(emitted) == 3  # only "Stretch" is new; the walk kept its row
        # The line comes back: the same row, not announced again.
        services.note_update(note=note, actor=coach.user, base_version=3,
                             body_html="<ul><li>[me] Send the plan</li></ul>")
        assert NoteActionItem.objects.get(text="Send the plan").removed_at is None
        assert len(emitted) == 3


def test_a_client_ticks_off_only_their_own_item_of_a_shared_note(org, coach: Person, olivia: Person,
                                                                 noah: Person) -> None:
    from coachos.notes.services.notes import action_item_set_done

    with scope(organization=org):
        note = services.note_create(client=olivia.client, actor=coach.user,
                                    body_html="<ul><li>[ ] Walk</li><li>[me] Call</li></ul>")
        walk = NoteActionItem.objects.get(text="Walk")
        call_item = NoteActionItem.objects.get(text="Call")
        with pytest.raises(NotesError):
            action_item_set_done(item=walk, actor=olivia.user, done=True)  # the note is private
        services.note_update(note=note, actor=coach.user, base_version=1, shared=True)
        assert action_item_set_done(item=walk, actor=olivia.user, done=True).done
        for item, person in ((call_item, olivia), (walk, noah)):
            with pytest.raises(NotesError):
                action_item_set_done(item=item, actor=person.user, done=True)


def test_a_limited_coach_cannot_write_about_another_coachs_client(org, coach: Person, limited: Person,
                                                                  olivia: Person) -> None:
    with scope(organization=org):
        with pytest.raises(NotesError):
            services.note_create(client=olivia.client, actor=limited.user, body_html="<p>x</p>")
        note = services.note_create(client=olivia.client, actor=coach.user, body_html="<p>x</p>")
        with pytest.raises(NotesError):
            services.note_update(note=note, actor=limited.user, base_version=1, title="mine")
        with pytest.raises(NotesError):
            services.note_create(client=olivia.client, actor=olivia.user, body_html="<p>x</p>")


def test_a_note_on_a_session_needs_the_clients_place_in_it(org, coach: Person, olivia: Person) -> None:
    with scope(organization=org):
        session = TrainingSessionFactory(organization=org)
        with pytest.raises(NotesError) as raised:
            services.note_create(client=olivia.client, actor=coach.user, session=session)
        assert raised.value.field == "session"
        BookingFactory(session=session, organization=org, client=olivia.client)
        assert services.note_create(client=olivia.client, actor=coach.user, session=session).session_id == session.pk


def test_only_the_author_or_an_owner_deletes(org, owner_p: Person, coach: Person, olivia: Person) -> None:
    other = ClientFactory(organization=org)
    with scope(organization=org):
        note = services.note_create(client=other, actor=owner_p.user, body_html="<p>x</p>")
        with pytest.raises(NotesError):
            services.note_delete(note=note, actor=coach.user)
        services.note_delete(note=note, actor=owner_p.user)
        assert not Note.objects.filter(pk=note.pk).exists()
        assert not NoteVersion.objects.filter(note_id=note.pk).exists()
