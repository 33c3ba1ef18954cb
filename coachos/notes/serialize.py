"""The JSON of notes, versions, journal entries, prompts and ratings (the API's answers)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from . import richtext
from .models import (
    JournalEntry,
    JournalPrompt,
    Note,
    NoteActionItem,
    NoteAttachment,
    NoteTemplate,
    NoteVersion,
    SessionRating,
)
from .selectors.ratings import EDITABLE_DAYS
from .services.templates import template_body


def person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": getattr(user, "name", "") or user.email.split("@")[0]}


def action_item_json(item: NoteActionItem) -> dict[str, Any]:
    return {"id": item.pk, "note": item.note_id, "client": item.client_id, "text": item.text,
            "assignee": item.assignee, "done": item.done, "done_at": item.done_at, "created_at": item.created_at}


def attachment_json(attachment: NoteAttachment) -> dict[str, Any]:
    base = f"/api/v1/notes/{attachment.note_id}/attachments/{attachment.pk}"
    return {"id": attachment.pk, "name": attachment.name, "size": attachment.size,
            "content_type": attachment.content_type, "width": attachment.width, "height": attachment.height,
            "url": base, "thumbnail_url": f"{base}?thumb=1" if attachment.thumbnail else None,
            "created_at": attachment.created_at}


def note_json(note: Note, items: list[NoteActionItem]) -> dict[str, Any]:
    return {
        "id": note.pk, "client": note.client_id, "session": note.session_id, "author": person(note.author),
        "title": note.title, "body_html": note.body_html, "preview": richtext.preview(note.body_html),
        "tags": sorted((t.name for t in note.tags.all()), key=str.casefold), "shared": note.shared,
        "shared_at": note.shared_at, "note_template": note.template_id, "version": note.version,
        "created_at": note.created_at, "updated_at": note.updated_at,
        "action_items": [action_item_json(i) for i in items],
        "attachments": [attachment_json(a) for a in note.attachments.all()],
    }


def version_json(version: NoteVersion) -> dict[str, Any]:
    return {"id": version.pk, "version": version.version, "title": version.title, "body_html": version.body_html,
            "author": person(version.author), "reason": version.reason, "created_at": version.created_at,
            "updated_at": version.updated_at}


def template_json(template: NoteTemplate) -> dict[str, Any]:
    return {"id": template.pk, "kind": template.kind, "name": template.name, "sections": template.sections,
            "body_html": template_body(template.sections), "builtin": bool(template.builtin_key),
            "active": template.active}


def entry_json(entry: JournalEntry) -> dict[str, Any]:
    return {
        "id": entry.pk, "client": entry.client_id, "title": entry.title, "body_html": entry.body_html,
        "preview": richtext.preview(entry.body_html), "mood": entry.mood,
        "mood_label": str(entry.get_mood_display()) if entry.mood else "",
        "tags": sorted((t.name for t in entry.tags.all()), key=str.casefold), "session": entry.session_id,
        "prompt": entry.prompt_id, "shared": entry.shared, "shared_at": entry.shared_at, "draft": entry.draft,
        "version": entry.version, "created_at": entry.created_at, "updated_at": entry.updated_at,
    }


def prompt_json(prompt: JournalPrompt, *, team: bool, answered: bool | None = None) -> dict[str, Any]:
    return {"id": prompt.pk, "text": prompt.text, "author": person(prompt.author), "created_at": prompt.created_at,
            "sent_count": getattr(prompt, "sent", None) if team else None,
            "shared_answers_count": getattr(prompt, "shared_answers", None) if team else None,
            "answered": None if team else answered}


def rating_json(rating: SessionRating) -> dict[str, Any]:
    return {"id": rating.pk, "session": rating.session_id, "client": rating.client_id, "stars": rating.stars,
            "comment": rating.comment, "created_at": rating.created_at, "updated_at": rating.updated_at,
            "editable_until": rating.created_at + timedelta(days=EDITABLE_DAYS)}
