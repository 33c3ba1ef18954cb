"""Who may read which note, and the notes list (search, filters, order) the pages and the API share.

The one rule (``notes_visible``): a team member sees the notes about the clients ``clients_visible_to``
gives them (a coach the owner limited to their own clients sees only those) and the notes on a whole
session when they see every client or coach that session; a client sees only the notes about
themselves that the team shared. Anything else is a 404 (``note_visible``). Call inside the
business's scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from coachos.clients.selectors import clients_visible_to, sees_every_client
from coachos.notes.models import Note, NoteActionItem, NoteAttachment, NoteTag, NoteTemplate, NoteVersion
from coachos.notes.readers import Reader
from coachos.notes.search import search
from coachos.tenancy.models import Membership

SORTS = {
    "date": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "updated": ("-updated_at", "-id"),
    "client": ("client__last_name", "client__first_name", "client_id", "-created_at", "-id"),
}


def notes_visible(reader: Reader) -> QuerySet[Note]:
    notes = Note.objects.filter(organization=reader.organization)
    if reader.is_team:
        membership = reader.membership
        if sees_every_client(membership):
            return notes
        return notes.filter(Q(client__in=clients_visible_to(membership))
                            | Q(client__isnull=True, session__coach__membership=membership))
    if not reader.client_ids:
        return notes.none()
    return notes.filter(client_id__in=reader.client_ids, shared=True)


def note_visible(reader: Reader, note_id: int) -> Note:
    found = (notes_visible(reader).filter(pk=note_id)
             .select_related("organization", "client", "author", "session__session_type", "template")
             .prefetch_related("tags", "attachments").first())
    if found is None:
        raise Http404("No such note.")
    return found


@dataclass(frozen=True)
class NoteFilters:
    client: int | None = None
    session: int | None = None
    tag: str = ""  # a tag's name (case aside)
    author: int | None = None  # the author's membership
    shared: bool | None = None  # True: shared with the client; False: private to the team
    q: str = ""
    sort: str = "date"


def note_list(reader: Reader, filters: NoteFilters) -> QuerySet[Note]:
    notes = notes_visible(reader)
    if filters.client is not None:
        notes = notes.filter(client_id=filters.client)
    if filters.session is not None:
        notes = notes.filter(session_id=filters.session)
    if filters.tag:
        notes = notes.filter(tags__name__iexact=filters.tag.strip())
    if filters.author is not None:
        authors = Membership.objects.filter(organization=reader.organization, pk=filters.author)
        notes = notes.filter(author_id__in=authors.values("user_id"))
    if filters.shared is not None:
        notes = notes.filter(shared=filters.shared)
    notes = search(notes, filters.q)
    return (notes.order_by(*SORTS.get(filters.sort, SORTS["date"]))
            .select_related("client", "author", "session__session_type").prefetch_related("tags", "attachments"))


def note_versions(note: Note) -> QuerySet[NoteVersion]:
    return NoteVersion.objects.filter(note=note).select_related("author").order_by("-id")


def note_version(note: Note, version_id: int) -> NoteVersion:
    found = NoteVersion.objects.filter(note=note, pk=version_id).select_related("author").first()
    if found is None:
        raise Http404("No such version.")
    return found


def action_items_of(reader: Reader, note: Note) -> list[NoteActionItem]:
    """The note's current items: all for the team; for the client, their own tasks (of a shared note)."""
    items = NoteActionItem.objects.filter(note=note, removed_at__isnull=True)
    if not reader.is_team:
        items = items.filter(assignee=NoteActionItem.Assignee.CLIENT)
    return list(items.order_by("position", "id"))


def action_items_visible(reader: Reader) -> QuerySet[NoteActionItem]:
    items = NoteActionItem.objects.filter(removed_at__isnull=True, note__in=notes_visible(reader))
    if not reader.is_team:
        items = items.filter(assignee=NoteActionItem.Assignee.CLIENT)
    return items


def coach_todos(reader: Reader, *, mine: bool = True, done: bool = False) -> QuerySet[NoteActionItem]:
    """The coach's to-dos from notes: their own (``mine``) or every one they may see."""
    items = action_items_visible(reader).filter(assignee=NoteActionItem.Assignee.COACH, done=done)
    if mine:
        items = items.filter(coach_membership=reader.membership)
    return items.select_related("note", "client").order_by("created_at", "id")


def note_tags(reader: Reader) -> QuerySet[NoteTag]:
    return NoteTag.objects.filter(organization=reader.organization).order_by("name")


def note_templates(reader: Reader, *, kind: str = NoteTemplate.Kind.NOTE, active_only: bool = True
                   ) -> QuerySet[NoteTemplate]:
    templates = NoteTemplate.objects.filter(organization=reader.organization, kind=kind)
    return templates.filter(active=True) if active_only else templates


def note_attachment_visible(reader: Reader, note_id: int, attachment_id: int) -> NoteAttachment:
    """A file on a note the reader may read (the team who sees its client; the client once the note is
    shared with them); anything else is a 404."""
    found = (NoteAttachment.objects.filter(pk=attachment_id, note_id=note_id, note__in=notes_visible(reader))
             .select_related("note").first())
    if found is None:
        raise Http404("No such file.")
    return found
