"""Every write of the client's journal: entries (create, save, autosave, share, delete) and the weekly goal.

Only the client writes their journal (the team can never create, change or read an unshared entry).
An entry may start as a ``draft`` (autosaved while typing) and is kept when the client saves it.
Sharing is per entry and explicit; ``shared_at`` records when. Audit entries carry ids only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.notes.errors import FORBIDDEN, NotesError
from coachos.notes.models import JournalEntry, JournalGoal, JournalPrompt, JournalPromptRecipient, NoteTemplate
from coachos.notes.readers import Reader, reader_for
from coachos.scheduling.models import TrainingSession
from coachos.tenancy import audit

from .notes import check_session, check_version
from .tags import journal_tags_for
from .text import clean_body, clean_tag_names, clean_title

logger = logging.getLogger("coachos.notes")

UNSET: Any = object()


def _client_reader(actor: Any, client: Client) -> Reader:
    reader = reader_for(user=actor, organization=client.organization)
    if reader is None or client.pk not in reader.client_ids:
        raise NotesError(_("Only the client writes their journal."), code=FORBIDDEN)
    return reader


def _mood(mood: int | None, *, required: bool) -> int | None:
    if mood is None:
        if required:
            raise NotesError(_("Choose how you feel (1 to 5)."), field="mood")
        return None
    if not 1 <= int(mood) <= 5:
        raise NotesError(_("Mood is 1 (awful) to 5 (great)."), field="mood")
    return int(mood)


@transaction.atomic
def journal_entry_create(*, client: Client, actor: Any, title: str = "", body_html: str = "",
                         mood: int | None = None, shared: bool = False, tags: Sequence[str] = (),
                         session: TrainingSession | None = None, prompt: JournalPrompt | None = None,
                         template: NoteTemplate | None = None, draft: bool = False,
                         now: datetime | None = None) -> JournalEntry:
    """A new entry by the client. A draft may have no mood yet; a saved entry needs one."""
    now = now or timezone.now()
    _client_reader(actor, client)
    organization = client.organization
    if session is not None:
        check_session(session=session, client=client, organization=organization)
    recipient = None
    if prompt is not None:
        recipient = JournalPromptRecipient.objects.select_for_update().filter(prompt=prompt, client=client).first()
        if recipient is None:
            raise NotesError(_("No such prompt for you."), field="prompt")
    if template is not None and (template.organization_id != organization.pk
                                 or template.kind != NoteTemplate.Kind.JOURNAL or not template.active):
        raise NotesError(_("No such template."), field="template")
    title = clean_title(title)
    safe, text = clean_body(body_html)
    if not draft and not text and not title:
        raise NotesError(_("Write something first."), field="body_html")
    mood = _mood(mood, required=not draft)
    names = clean_tag_names(tags)
    entry = JournalEntry.objects.create(
        organization=organization, client=client, title=title, body_html=safe, body_text=text, mood=mood,
        session=session, prompt=prompt, template=template, shared=shared, shared_at=now if shared else None,
        draft=draft, version=1, created_at=now, updated_at=now)
    if names:
        entry.tags.set(journal_tags_for(client=client, names=names))
    if recipient is not None and recipient.entry_id is None:
        recipient.entry, recipient.answered_at = entry, now
        recipient.save(update_fields=["entry", "answered_at"])
    # Ids and the sharing flag only: the audit log is read by the owner, the entry is not theirs.
    audit.log(organization=organization, actor=actor, action="journal_entry.created", obj=entry,
              data={"shared": shared, "draft": draft})
    logger.info("journal entry created", extra={"entry_id": entry.pk, "organization_id": organization.pk})
    return entry


def _locked(entry: JournalEntry) -> JournalEntry:
    return JournalEntry.objects.select_for_update().select_related("organization", "client").get(pk=entry.pk)


@transaction.atomic
def journal_entry_update(*, entry: JournalEntry, actor: Any, base_version: int | None = None,
                         title: str | None = None, body_html: str | None = None, mood: Any = UNSET,
                         shared: bool | None = None, tags: Sequence[str] | None = None, draft: bool | None = None,
                         now: datetime | None = None) -> JournalEntry:
    """The client saves their entry (what is given changes). ``draft=False`` keeps a draft for good."""
    now = now or timezone.now()
    entry = _locked(entry)
    _client_reader(actor, entry.client)
    check_version(entry.version, base_version)
    changed: list[str] = []
    if title is not None and (clean := clean_title(title)) != entry.title:
        entry.title = clean
        changed.append("title")
    if body_html is not None:
        safe, text = clean_body(body_html)
        if safe != entry.body_html:
            entry.body_html, entry.body_text = safe, text
            changed.append("body_html")
    if draft is not None and draft != entry.draft:
        entry.draft = draft
        changed.append("draft")
    if mood is not UNSET and mood != entry.mood:
        entry.mood = _mood(mood, required=not entry.draft)
        changed.append("mood")
    if not entry.draft:
        _mood(entry.mood, required=True)
        if not entry.body_text and not entry.title:
            raise NotesError(_("Write something first."), field="body_html")
    if shared is not None and shared != entry.shared:
        entry.shared, entry.shared_at = shared, (now if shared else None)
        changed.append("shared")
    if tags is not None:
        wanted = journal_tags_for(client=entry.client, names=clean_tag_names(tags))
        if {t.pk for t in wanted} != set(entry.tags.values_list("pk", flat=True)):
            entry.tags.set(wanted)
            changed.append("tags")
    if not changed:
        return entry
    entry.version += 1
    entry.updated_at = now
    entry.save(update_fields=["title", "body_html", "body_text", "mood", "draft", "shared", "shared_at",
                              "version", "updated_at"])
    if "shared" in changed:
        audit.log(organization=entry.organization, actor=actor,
                  action="journal_entry.shared" if entry.shared else "journal_entry.unshared", obj=entry)
    return entry


@transaction.atomic
def journal_entry_autosave(*, entry: JournalEntry, actor: Any, title: str, body_html: str, base_version: int,
                           now: datetime | None = None) -> JournalEntry:
    """Keep what the client is typing (as for notes: a different ``base_version`` is a conflict)."""
    now = now or timezone.now()
    entry = _locked(entry)
    _client_reader(actor, entry.client)
    check_version(entry.version, base_version)
    title = clean_title(title)
    safe, text = clean_body(body_html)
    if title == entry.title and safe == entry.body_html:
        return entry
    entry.title, entry.body_html, entry.body_text = title, safe, text
    entry.version += 1
    entry.updated_at = now
    entry.save(update_fields=["title", "body_html", "body_text", "version", "updated_at"])
    return entry


@transaction.atomic
def journal_entry_delete(*, entry: JournalEntry, actor: Any) -> None:
    entry = _locked(entry)
    _client_reader(actor, entry.client)
    audit.log(organization=entry.organization, actor=actor, action="journal_entry.deleted", obj=entry)
    JournalPromptRecipient.objects.filter(entry=entry).update(entry=None, answered_at=None)
    entry.delete()


@transaction.atomic
def journal_goal_set(*, client: Client, actor: Any, entries_per_week: int | None, remind: bool = True,
                     now: datetime | None = None) -> JournalGoal | None:
    """The client's weekly goal (None: no goal)."""
    now = now or timezone.now()
    _client_reader(actor, client)
    if entries_per_week is None:
        JournalGoal.objects.filter(client=client).delete()
        return None
    if not 1 <= entries_per_week <= 14:
        raise NotesError(_("Choose 1 to 14 entries a week."), field="entries_per_week")
    goal, _created = JournalGoal.objects.update_or_create(
        client=client, defaults={"organization_id": client.organization_id, "entries_per_week": entries_per_week,
                                 "remind": remind, "updated_at": now})
    return goal
