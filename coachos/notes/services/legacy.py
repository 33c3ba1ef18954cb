"""Bringing the old notes into Notes without loss: the client page's ``ClientNote`` rows and the
calendar's per-session text (``TrainingSession.notes``).

Each old row becomes one private ``Note`` (its text as paragraphs, its author, its date) with one
version, keyed by where it came from (``legacy_source``, ``legacy_id``: a unique constraint), so the
import can run any number of times and imports each row once. The old rows and field are kept (the
data migration only reads them). A session note goes to the session's one client when it had one;
a class's note stays on the session as a whole (``client`` empty, never shared).

Works on any app registry: the data migration passes its historical models, the listener the real
ones (``django.apps.apps``); no tenant scope is needed (it filters by ids itself).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled

from coachos.notes import richtext

CLIENT_NOTE = "client_note"
SESSION_NOTE = "session_note"
ACTIVE_BOOKINGS = ("confirmed", "completed", "no_show")
BATCH = 500


def _make(apps: Any, *, organization_id: int, source: str, legacy_id: int, client_id: int | None,
          session_id: int | None, author_id: int | None, text: str, at: Any) -> bool:
    Note = apps.get_model("notes", "Note")
    NoteVersion = apps.get_model("notes", "NoteVersion")
    body = richtext.from_plain(text)
    try:
        with transaction.atomic():
            note = Note.objects.create(
                organization_id=organization_id, client_id=client_id, session_id=session_id, author_id=author_id,
                title="", body_html=body, body_text=richtext.to_text(body), shared=False, version=1,
                legacy_source=source, legacy_id=legacy_id, created_at=at, updated_at=at)
            NoteVersion.objects.create(organization_id=organization_id, note=note, version=1, title="",
                                       body_html=body, author_id=author_id, reason="import", created_at=at,
                                       updated_at=at)
    except IntegrityError:
        return False  # imported already (by an earlier run, or at the same moment)
    return True


def _done(apps: Any, source: str, ids: list[int] | None = None) -> set[int]:
    Note = apps.get_model("notes", "Note")
    done = Note.objects.filter(legacy_source=source)
    if ids is not None:
        done = done.filter(legacy_id__in=ids)
    return set(done.values_list("legacy_id", flat=True))


def import_client_notes(apps: Any, *, ids: list[int] | None = None) -> int:
    ClientNote = apps.get_model("clients", "ClientNote")
    made = 0
    with scopes_disabled():
        done = _done(apps, CLIENT_NOTE, ids)
        rows = ClientNote.objects.order_by("pk")
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        for row in rows.iterator(chunk_size=BATCH):
            if row.pk in done:
                continue
            made += _make(apps, organization_id=row.organization_id, source=CLIENT_NOTE, legacy_id=row.pk,
                          client_id=row.client_id, session_id=None, author_id=row.author_id, text=row.body,
                          at=row.created_at)
    return made


def import_session_notes(apps: Any, *, ids: list[int] | None = None) -> int:
    TrainingSession = apps.get_model("scheduling", "TrainingSession")
    Booking = apps.get_model("scheduling", "Booking")
    made = 0
    with scopes_disabled():
        done = _done(apps, SESSION_NOTE, ids)
        sessions = TrainingSession.objects.exclude(notes="").order_by("pk")
        if ids is not None:
            sessions = sessions.filter(pk__in=ids)
        sessions = (sessions
                    .values_list("pk", "organization_id", "notes", "updated_at", "coach__membership__user_id"))
        for pk, organization_id, text, at, author_id in sessions.iterator(chunk_size=BATCH):
            if pk in done or not text.strip():
                continue
            clients = set(Booking.objects.filter(session_id=pk, status__in=ACTIVE_BOOKINGS)
                          .values_list("client_id", flat=True))
            if not clients:  # everyone cancelled: the note is still about whoever was booked
                clients = set(Booking.objects.filter(session_id=pk).values_list("client_id", flat=True))
            made += _make(apps, organization_id=organization_id, source=SESSION_NOTE, legacy_id=pk,
                          client_id=clients.pop() if len(clients) == 1 else None, session_id=pk,
                          author_id=author_id, text=text, at=at)
    return made


def import_legacy_notes(apps: Any) -> tuple[int, int]:
    """(client notes imported, session notes imported) by this run."""
    return import_client_notes(apps), import_session_notes(apps)
