"""What the notes API's routers share: who is asking, the objects a path names (looked up before the
body is read, so another business's or another client's id is a 404 whatever the body holds), and
pages of a list."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.common.api import found_first
from coachos.common.problems import problem_response
from coachos.scheduling.models import Coach

from .errors import FORBIDDEN, NotesError
from .models import JournalPrompt, NoteActionItem, NoteAttachment, NoteTemplate, NoteVersion
from .readers import Reader, reader_for
from .selectors.journal import journal_entries_readable
from .selectors.notes import notes_visible
from .selectors.sessions import sessions_visible


def reader_of(request: HttpRequest) -> Reader:
    cached = getattr(request, "notes_reader", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    membership = getattr(request, "membership", None)
    reader = reader_for(user=getattr(membership, "user", None), organization=request.organization,  # type: ignore[attr-defined]
                        membership=membership) if membership is not None else None
    if reader is None:
        raise NotesError(_("You are not a member of this business."), code=FORBIDDEN)
    request.notes_reader = reader  # type: ignore[attr-defined]
    return reader


def team_of(request: HttpRequest) -> Reader:
    reader = reader_of(request)
    if not reader.is_team:
        raise NotesError(_("Only the team can do this."), code=FORBIDDEN)
    return reader


def client_of(request: HttpRequest) -> Reader:
    reader = reader_of(request)
    if reader.is_team or not reader.client_ids:
        raise NotesError(_("Only a client can do this, in their own journal."), code=FORBIDDEN)
    return reader


def own_client(reader: Reader) -> Client:
    """The client record a client writes as (their first in this business)."""
    return Client.objects.select_related("organization").get(pk=reader.client_ids[0])


# --- the objects a path names ----------------------------------------------------------------------

def _clients(request: HttpRequest) -> QuerySet[Any]:
    reader = reader_of(request)
    return clients_visible_to(reader.membership) if reader.is_team else Client.objects.none()


def _notes(request: HttpRequest) -> QuerySet[Any]:
    return notes_visible(reader_of(request))


def _versions(request: HttpRequest) -> QuerySet[Any]:
    reader = reader_of(request)
    return NoteVersion.objects.filter(note__in=notes_visible(reader)) if reader.is_team else NoteVersion.objects.none()


def _items(request: HttpRequest) -> QuerySet[Any]:
    return NoteActionItem.objects.filter(note__in=notes_visible(reader_of(request)))


def _attachments(request: HttpRequest) -> QuerySet[Any]:
    return NoteAttachment.objects.filter(note__in=notes_visible(reader_of(request)))


def _entries(request: HttpRequest) -> QuerySet[Any]:
    return journal_entries_readable(reader_of(request))


def _prompts(request: HttpRequest) -> QuerySet[Any]:
    reader = reader_of(request)
    if reader.is_team:
        return JournalPrompt.objects.filter(recipients__client__in=clients_visible_to(reader.membership)).distinct()
    return JournalPrompt.objects.filter(recipients__client_id__in=reader.client_ids).distinct()


def _sessions(request: HttpRequest) -> QuerySet[Any]:
    return sessions_visible(reader_of(request))


def _templates(request: HttpRequest) -> QuerySet[Any]:
    return NoteTemplate.objects.all()


def _coaches(request: HttpRequest) -> QuerySet[Any]:
    return Coach.objects.all() if reader_of(request).is_team else Coach.objects.none()


LOOKUPS: dict[str, Callable[[HttpRequest], QuerySet[Any]]] = {
    "client_id": _clients, "note_id": _notes, "noteversion_id": _versions, "noteactionitem_id": _items,
    "noteattachment_id": _attachments,
    "journalentry_id": _entries, "journalprompt_id": _prompts, "session_id": _sessions,
    "notetemplate_id": _templates, "coach_id": _coaches,
}


def path_objects(*names: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """``found_first`` for these path ids, with the reader's own view of each kind of object."""
    run = found_first(**{name: LOOKUPS[name] for name in names})

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        wrapped = run(view)

        @wraps(view)
        def guarded(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            try:
                return wrapped(request, **kwargs)
            except NotesError as exc:  # not a member (an inactive login): the same as no object
                return problem_response(exc.status, "Forbidden", str(exc))

        return guarded

    return decorator


# --- pages of a list -----------------------------------------------------------------------------

def _offset(cursor: str) -> int | None:
    if not cursor:
        return 0
    try:
        value = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(value[2:]) if value.startswith("o:") and value[2:].isdigit() and len(value) < 20 else None


def page_of(request: HttpRequest, rows: QuerySet[Any], *, cursor: str, limit: int) -> tuple[list[Any], str | None]:
    """One page of ``rows`` and the next page's URL. A cursor that is not ours is a 422."""
    offset = _offset(cursor)
    if offset is None:
        raise NotesError(_("The cursor is not valid. Start again from the first page."), field="cursor")
    found = list(rows[offset:offset + limit + 1])
    next_url = None
    if len(found) > limit:
        query = request.GET.copy()
        query["cursor"] = base64.urlsafe_b64encode(f"o:{offset + limit}".encode()).decode()
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return found[:limit], next_url
