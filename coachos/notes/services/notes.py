"""Every write of a coach's note: create, save, autosave, restore a version, delete, action items.

Concurrency is optimistic: each note has a ``version``; a save names the version it started from
(``base_version``) and a different current version is a ``NoteConflict`` carrying it — the page
shows both, nothing is overwritten. Versions stay compact: autosaves by one author share one
``NoteVersion`` for ``AUTOSAVE_EVERY``; an explicit save or a restore always makes a new one.
Action items are read from the note when it is *saved* (not on autosave), and each new one is
announced with the ``note.action_item`` event (Progress makes the client's task from it).
Audit entries and logs carry ids only, never the text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.common import events
from coachos.notes import action_items, richtext
from coachos.notes.errors import FORBIDDEN, NoteConflict, NotesError
from coachos.notes.models import Note, NoteActionItem, NoteTemplate, NoteVersion
from coachos.notes.readers import Reader, reader_for
from coachos.notes.selectors.notes import notes_visible
from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy import audit
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role

from .tags import note_tags_for
from .templates import template_body
from .text import clean_body, clean_tag_names, clean_title

logger = logging.getLogger("coachos.notes")

AUTOSAVE_EVERY = timedelta(minutes=10)
Reason = NoteVersion.Reason


def team_reader(actor: Any, organization: Organization) -> Reader:
    reader = reader_for(user=actor, organization=organization)
    if reader is None or not reader.is_team:
        raise NotesError(_("Only the team can write notes."), code=FORBIDDEN)
    return reader


def _may_write(reader: Reader, note: Note) -> None:
    if not notes_visible(reader).filter(pk=note.pk).exists():
        raise NotesError(_("No such note."), code=FORBIDDEN)


def _locked(note: Note) -> Note:
    return Note.objects.select_for_update().select_related("organization").get(pk=note.pk)


def check_version(current: int, base_version: int | None) -> None:
    if base_version is not None and base_version != current:
        raise NoteConflict(_("This was changed somewhere else (now version %(current)d, you started from "
                             "version %(base)d). Your text was not saved over it.")
                           % {"current": current, "base": base_version}, current_version=current)


def check_session(*, session: TrainingSession, client: Client | None, organization: Organization) -> None:
    """A note's (or journal entry's) session: one of this business's the client has a place in."""
    if session.organization_id != organization.pk:
        raise NotesError(_("No such session in this business."), field="session")
    if client is not None and not Booking.objects.filter(session=session, client=client).exists():
        raise NotesError(_("This client has no place in that session."), field="session")


def _version(note: Note, actor: Any, reason: str, now: datetime) -> NoteVersion:
    return NoteVersion.objects.create(organization_id=note.organization_id, note=note, version=note.version,
                                      title=note.title, body_html=note.body_html, author=_user(actor),
                                      reason=reason, created_at=now, updated_at=now)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def note_create(*, client: Client | None, actor: Any, title: str = "", body_html: str = "", shared: bool = False,
                session: TrainingSession | None = None, tags: Sequence[str] = (),
                template: NoteTemplate | None = None, now: datetime | None = None) -> Note:
    """A new note on a client (and, optionally, one of their sessions). With a ``template`` and no text,
    the note starts from the template's sections."""
    now = now or timezone.now()
    if client is None and session is None:
        raise NotesError(_("Choose the client the note is about."), field="client")
    organization = client.organization if client is not None else session.organization  # type: ignore[union-attr]
    reader = team_reader(actor, organization)
    if client is not None and not clients_visible_to(reader.membership).filter(pk=client.pk).exists():
        raise NotesError(_("No such client in this business."), field="client")
    if session is not None:
        check_session(session=session, client=client, organization=organization)
    if shared and client is None:
        raise NotesError(_("Only a note about a client can be shared."), field="shared")
    if template is not None:
        if template.organization_id != organization.pk or template.kind != NoteTemplate.Kind.NOTE:
            raise NotesError(_("No such template."), field="note_template")
        if richtext.is_blank(body_html):
            body_html = template_body(template.sections)
    title = clean_title(title)
    safe, text = clean_body(body_html)
    names = clean_tag_names(tags)
    note = Note.objects.create(
        organization=organization, client=client, session=session, author=_user(actor), title=title,
        body_html=safe, body_text=text, shared=shared, shared_at=now if shared else None, template=template,
        version=1, created_at=now, updated_at=now)
    if names:
        note.tags.set(note_tags_for(organization=organization, names=names))
    _version(note, actor, Reason.SAVE, now)
    sync_action_items(note, reader, now)
    audit.log(organization=organization, actor=actor, action="note.created", obj=note,
              data={"client": client.pk if client is not None else None,
                    "session": session.pk if session is not None else None, "shared": shared})
    logger.info("note created", extra={"note_id": note.pk, "organization_id": organization.pk})
    return note


@transaction.atomic
def note_update(*, note: Note, actor: Any, base_version: int | None, title: str | None = None,
                body_html: str | None = None, shared: bool | None = None, tags: Sequence[str] | None = None,
                now: datetime | None = None) -> Note:
    """An explicit save: changes what is given, makes a new version, reads the action items again."""
    now = now or timezone.now()
    note = _locked(note)
    reader = team_reader(actor, note.organization)
    _may_write(reader, note)
    check_version(note.version, base_version)
    changed: list[str] = []
    if title is not None and (clean := clean_title(title)) != note.title:
        note.title = clean
        changed.append("title")
    if body_html is not None:
        safe, text = clean_body(body_html)
        if safe != note.body_html:
            note.body_html, note.body_text = safe, text
            changed.append("body_html")
    if shared is not None and shared != note.shared:
        if shared and note.client_id is None:
            raise NotesError(_("Only a note about a client can be shared."), field="shared")
        note.shared, note.shared_at = shared, (now if shared else None)
        changed.append("shared")
    if tags is not None:
        wanted = note_tags_for(organization=note.organization, names=clean_tag_names(tags))
        if {t.pk for t in wanted} != set(note.tags.values_list("pk", flat=True)):
            note.tags.set(wanted)
            changed.append("tags")
    if not changed:
        # The text may have been autosaved already (autosave does not read action items): an explicit
        # save still reads them, without a new version.
        sync_action_items(note, reader, now)
        return note
    note.version += 1
    note.updated_at = now
    note.save(update_fields=["title", "body_html", "body_text", "shared", "shared_at", "version", "updated_at"])
    _version(note, actor, Reason.SAVE, now)
    sync_action_items(note, reader, now)
    audit.log(organization=note.organization, actor=actor, action="note.updated", obj=note,
              data={"fields": changed, "version": note.version})
    return note


@transaction.atomic
def note_autosave(*, note: Note, actor: Any, title: str, body_html: str, base_version: int,
                  now: datetime | None = None) -> Note:
    """Keep what is being typed: saved when ``base_version`` is the current version, else a conflict
    (carrying the current version) that changes nothing. Unchanged text is not a new version."""
    now = now or timezone.now()
    note = _locked(note)
    reader = team_reader(actor, note.organization)
    _may_write(reader, note)
    check_version(note.version, base_version)
    title = clean_title(title)
    safe, text = clean_body(body_html)
    if title == note.title and safe == note.body_html:
        return note
    note.title, note.body_html, note.body_text = title, safe, text
    note.version += 1
    note.updated_at = now
    note.save(update_fields=["title", "body_html", "body_text", "version", "updated_at"])
    latest = NoteVersion.objects.filter(note=note).order_by("-id").first()
    if (latest is not None and latest.reason == Reason.AUTOSAVE and latest.author_id == actor.pk
            and now - latest.created_at < AUTOSAVE_EVERY):
        latest.version, latest.title, latest.body_html, latest.updated_at = note.version, title, safe, now
        latest.save(update_fields=["version", "title", "body_html", "updated_at"])
    else:
        _version(note, actor, Reason.AUTOSAVE, now)
    return note


@transaction.atomic
def note_version_restore(*, note: Note, version: NoteVersion, actor: Any, base_version: int | None = None,
                         now: datetime | None = None) -> Note:
    """Bring an earlier version back as the current text (a new version; nothing is lost)."""
    now = now or timezone.now()
    note = _locked(note)
    reader = team_reader(actor, note.organization)
    _may_write(reader, note)
    if version.note_id != note.pk:
        raise NotesError(_("No such version of this note."), field="version")
    check_version(note.version, base_version)
    note.title, note.body_html = version.title, version.body_html
    note.body_text = richtext.to_text(version.body_html)
    note.version += 1
    note.updated_at = now
    note.save(update_fields=["title", "body_html", "body_text", "version", "updated_at"])
    _version(note, actor, Reason.RESTORE, now)
    sync_action_items(note, reader, now)
    audit.log(organization=note.organization, actor=actor, action="note.restored", obj=note,
              data={"restored_version": version.version, "version": note.version})
    return note


@transaction.atomic
def note_delete(*, note: Note, actor: Any) -> None:
    """Delete a note with its versions and action items: its author or an owner."""
    note = _locked(note)
    reader = team_reader(actor, note.organization)
    _may_write(reader, note)
    if note.author_id != actor.pk and not reader.is_owner:
        raise NotesError(_("Only the note's author or an owner can delete it."), code=FORBIDDEN)
    audit.log(organization=note.organization, actor=actor, action="note.deleted", obj=note,
              data={"client": note.client_id, "session": note.session_id})
    note.delete()


# --- action items --------------------------------------------------------------------------------

def sync_action_items(note: Note, reader: Reader, now: datetime) -> list[NoteActionItem]:
    """Make the note's action items match its text: new lines become items (and are announced), lines
    taken out are marked removed, lines put back come back. Returns the new items."""
    parsed = action_items.parse(note.body_html)
    existing = {item.key: item for item in NoteActionItem.objects.filter(note=note)}
    coaching = reader.membership if reader.membership.role in (Role.OWNER, Role.COACH) else None
    new: list[NoteActionItem] = []
    seen: set[str] = set()
    for position, parsed_item in enumerate(parsed):
        if parsed_item.assignee == action_items.CLIENT and note.client_id is None:
            continue  # a note on a whole class has no one client to give the task to
        key = action_items.key_of(parsed_item.text, parsed_item.assignee)
        seen.add(key)
        row = existing.get(key)
        if row is None:
            row = NoteActionItem.objects.create(
                organization_id=note.organization_id, note=note, client_id=note.client_id, text=parsed_item.text,
                key=key, assignee=parsed_item.assignee, position=position, created_at=now,
                coach_membership=coaching if parsed_item.assignee == action_items.COACH else None)
            new.append(row)
        elif row.position != position or row.removed_at is not None or row.text != parsed_item.text:
            row.position, row.removed_at, row.text = position, None, parsed_item.text
            row.save(update_fields=["position", "removed_at", "text"])
    gone = [item.pk for key, item in existing.items() if key not in seen and item.removed_at is None]
    if gone:
        NoteActionItem.objects.filter(pk__in=gone).update(removed_at=now)
    for row in new:
        events.emit("note.action_item", organization=note.organization, client=note.client_id, obj=row,
                    data={"note": note.pk, "assignee": row.assignee, "shared": note.shared,
                          "coach_membership": row.coach_membership_id})
    return new


@transaction.atomic
def action_item_set_done(*, item: NoteActionItem, actor: Any, done: bool, now: datetime | None = None
                         ) -> NoteActionItem:
    """Tick an action item off (or on again): the team, or the client for their own item of a shared note."""
    now = now or timezone.now()
    item = NoteActionItem.objects.select_for_update().select_related("note__organization").get(pk=item.pk)
    reader = reader_for(user=actor, organization=item.note.organization)
    if reader is None:
        raise NotesError(_("No such action item."), code=FORBIDDEN)
    if reader.is_team:
        _may_write(reader, item.note)
    elif not (item.assignee == NoteActionItem.Assignee.CLIENT and item.client_id in reader.client_ids
              and item.note.shared):
        raise NotesError(_("No such action item."), code=FORBIDDEN)
    if item.done != done:
        item.done, item.done_at = done, (now if done else None)
        item.save(update_fields=["done", "done_at"])
    return item
