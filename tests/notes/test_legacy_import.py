"""The old notes come into Notes without loss: ``ClientNote`` rows and sessions' note text, once each
however often the import runs (the data migration's function, tested directly), and a note added on
the client page's old form now also becomes a Note at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.apps import apps
from django_scopes import scope, scopes_disabled

from coachos.clients import services as client_services
from coachos.clients.models import ClientNote
from coachos.notes.models import Note, NoteVersion
from coachos.notes.services.legacy import import_legacy_notes
from coachos.scheduling.models import TrainingSession
from tests.factories import BookingFactory, ClientFactory, ClientNoteFactory, TrainingSessionFactory

from .conftest import Person

pytestmark = pytest.mark.django_db

WHEN = datetime(2024, 11, 5, 14, 30, tzinfo=UTC)


def test_client_notes_and_session_notes_are_imported_once_without_loss(org, other_org, coach: Person) -> None:
    with scopes_disabled():
        ava = ClientFactory(organization=org)
        old = ClientNoteFactory(organization=org, client=ava, author=coach.user,
                                body="Left knee <sore> after runs.\nIce it.\n\nNext: 5k & hills")
        ClientNote.objects.filter(pk=old.pk).update(created_at=WHEN)
        elsewhere = ClientNoteFactory(organization=other_org, client=ClientFactory(organization=other_org),
                                      body="Other business")
        one_to_one = TrainingSessionFactory(organization=org, notes="Worked on the deadlift setup.")
        BookingFactory(session=one_to_one, organization=org, client=ava)
        group = TrainingSessionFactory(organization=org, notes="Class went well; music too loud.")
        for _ in range(2):
            BookingFactory(session=group, organization=org, client=ClientFactory(organization=org))
        TrainingSessionFactory(organization=org, notes="")

    assert import_legacy_notes(apps) == (2, 2)
    assert import_legacy_notes(apps) == (0, 0)

    with scopes_disabled():
        note = Note.objects.get(legacy_source="client_note", legacy_id=old.pk)
        assert note.body_html == "<p>Left knee &lt;sore&gt; after runs.<br>Ice it.</p><p>Next: 5k &amp; hills</p>"
        assert note.body_text == "Left knee <sore> after runs.\nIce it.\nNext: 5k & hills"
        assert (note.client_id, note.author_id, note.created_at, note.shared) == (ava.pk, coach.user.pk, WHEN, False)
        assert NoteVersion.objects.get(note=note).reason == "import"
        assert Note.objects.get(legacy_source="client_note", legacy_id=elsewhere.pk).organization_id == other_org.pk
        session_note = Note.objects.get(legacy_source="session_note", legacy_id=one_to_one.pk)
        assert (session_note.client_id, session_note.session_id) == (ava.pk, one_to_one.pk)
        assert session_note.author_id == one_to_one.coach.membership.user_id
        class_note = Note.objects.get(legacy_source="session_note", legacy_id=group.pk)
        assert class_note.client_id is None and class_note.body_text == "Class went well; music too loud."
        # Nothing was taken from the old places.
        assert ClientNote.objects.count() == 2
        assert TrainingSession.objects.get(pk=one_to_one.pk).notes == "Worked on the deadlift setup."


def test_the_migration_imported_what_existed_and_a_note_added_on_the_old_form_becomes_a_note(
        org, coach: Person) -> None:
    with scope(organization=org):
        ava = ClientFactory(organization=org)
        old = client_services.note_add(client=ava, actor=coach.user, body="Prefers mornings")
        note = Note.objects.get(legacy_source="client_note", legacy_id=old.pk)
        assert (note.client_id, note.body_text, note.author_id) == (ava.pk, "Prefers mornings", coach.user.pk)
    assert import_legacy_notes(apps) == (0, 0)


def test_a_class_note_is_seen_by_the_sessions_coach_and_never_by_a_client(org, coach: Person, limited: Person,
                                                                            olivia: Person) -> None:
    from coachos.notes.readers import reader_for
    from coachos.notes.selectors.notes import notes_visible
    from tests.factories import CoachFactory

    with scopes_disabled():
        mine = TrainingSessionFactory(organization=org, coach=CoachFactory(organization=org,
                                                                           membership=limited.membership),
                                      notes="Limited's class")
        theirs = TrainingSessionFactory(organization=org, notes="Someone else's class")
        for session in (mine, theirs):
            BookingFactory(session=session, organization=org, client=olivia.client)
            BookingFactory(session=session, organization=org, client=ClientFactory(organization=org))
    import_legacy_notes(apps)
    with scope(organization=org):
        def seen(person: Person) -> set[str]:
            reader = reader_for(user=person.user, organization=org)
            return set(notes_visible(reader).values_list("body_text", flat=True))

        assert seen(limited) == {"Limited's class"}
        assert seen(coach) == {"Limited's class", "Someone else's class"}
        assert seen(olivia) == set()
