"""What the team's notes pages share: who is reading, the note rows lists show, the editor's settings
for its script, and where to go back to after an action."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from . import richtext
from .models import Note, NoteActionItem, NoteTemplate
from .readers import Reader, reader_for
from .selectors import notes as selectors
from .services.templates import template_body, templates_seed

PREVIEW = 180


def reader_of(request: HttpRequest) -> Reader:
    """The team member asking (the middleware let only the back office's roles in)."""
    membership = request.membership  # type: ignore[attr-defined]
    reader = reader_for(user=request.user, organization=request.organization,  # type: ignore[attr-defined]
                        membership=membership)
    if reader is None or not reader.is_team:
        raise Http404("No such page.")
    return reader


def with_open_items(notes: QuerySet[Note]) -> QuerySet[Note]:
    return notes.annotate(open_items=Count("action_items", filter=Q(action_items__removed_at__isnull=True,
                                                                      action_items__done=False)))


def preview(note: Note) -> str:
    text = " ".join((note.body_text or "").split())
    if len(text) <= PREVIEW:
        return text
    return (text[:PREVIEW].rsplit(" ", 1)[0] or text[:PREVIEW]).rstrip(",.;:") + "…"


def rows(notes: list[Note]) -> list[dict[str, Any]]:
    """A note as the lists show it: title, about whom, when, by whom, first words, tags, sharing."""
    return [{"note": n, "preview": preview(n), "tags": list(n.tags.all()),
             "open_items": getattr(n, "open_items", 0)} for n in notes]


def templates_for_editor(reader: Reader) -> list[dict[str, Any]]:
    """The business's offered note templates with the text each starts from (the built-ins are made
    on first use)."""
    templates_seed(organization=reader.organization)
    return [{"id": t.pk, "name": t.name, "body_html": richtext.sanitize(template_body(t.sections))}
            for t in selectors.note_templates(reader, kind=NoteTemplate.Kind.NOTE)]


def editor_strings() -> dict[str, str]:
    """The words the editor's script shows (translated here: the script has no catalog)."""
    return {
        "saving": _("Saving…"),
        "saved": _("Saved at %(time)s"),
        "unsaved": _("Not saved yet"),
        "offline": _("You are offline. Your text is kept on this device and will be sent when you are back."),
        "failed": _("Could not save just now. Your text is kept on this device; trying again…"),
        "restored": _("Text that had not been sent yet was restored from this device. Saving it…"),
        "conflict": _("This note was changed in another tab or by someone else since you started typing."),
        "conflict_local": _("This device has text for this note that was never sent, and the note has "
                            "changed since."),
        "reload": _("Reload (use the saved note)"),
        "keep": _("Keep mine"),
        "updated": _("Updated with the changes made in another tab."),
        "choose_client": _("Choose the client to start saving."),
        "link_prompt": _("Link address (https://…)"),
        "link_bad": _("Use an address that starts with https://, http:// or mailto:."),
        "link_apply": _("Add link"),
        "link_remove": _("Remove link"),
        "link_cancel": _("Cancel"),
        "settings_unsaved": _("Sharing and tags are saved when you press Save."),
        "template_added": _("The template's sections were added."),
    }


def action_items(reader: Reader, note: Note) -> list[NoteActionItem]:
    return selectors.action_items_of(reader, note)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """A same-site path to go back to (``next``), else ``fallback``."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return fallback


def note_url(note: Note) -> str:
    return reverse("notes:edit", kwargs={"org_slug": note.organization.slug, "note_id": note.pk})
