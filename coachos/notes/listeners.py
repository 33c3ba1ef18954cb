"""What notes does when lower apps say something happened (``common.events``).

``client_note.added`` (the client page's old note form, in clients) and ``session.note_added`` (the
calendar's "New session" form's note for a class, in scheduling): the note also becomes a Note at once,
in the same transaction (a required listener), so nothing written there is missing from Notes while
both exist."""

from __future__ import annotations

from django.apps import apps

from coachos.common import events

from .services.legacy import import_client_notes, import_session_notes


def _client_note_added(event: events.Event) -> None:
    if event.object_id is not None:
        import_client_notes(apps, ids=[event.object_id])


def _session_note_added(event: events.Event) -> None:
    if event.object_id is not None:
        import_session_notes(apps, ids=[event.object_id])


def register() -> None:
    events.subscribe(_client_note_added, ["client_note.added"], required=True)
    events.subscribe(_session_note_added, ["session.note_added"], required=True)
