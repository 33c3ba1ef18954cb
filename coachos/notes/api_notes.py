"""The notes API: a coach's notes, their versions and action items, and the templates.

The team (an API token of an owner, coach or front desk member) reads and writes the notes of the
clients they may see; a client's token reads the notes shared with them (and ticks off their own
action items). Endpoints stay thin: parse, call one service or selector, answer.

No ``from __future__ import annotations``: django-ninja reads the annotations at import time.
"""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Query, Router, Status, UploadedFile
from ninja.decorators import decorate_view

from coachos.clients.selectors import clients_visible_to
from coachos.common import uploads
from coachos.common.api import reference

from . import serialize
from .api_common import page_of, path_objects, reader_of, team_of
from .models import NoteActionItem, NoteTemplate
from .schemas import (
    ActionItemOut,
    ActionItemPatch,
    NoteAttachmentOut,
    NoteIn,
    NoteListQuery,
    NoteOut,
    NotePage,
    NotePatch,
    NoteRestoreIn,
    NoteTemplateIn,
    NoteTemplateOut,
    NoteTemplatePatch,
    NoteVersionOut,
    TemplateQuery,
    problems,
)
from .selectors import notes as selectors
from .selectors.sessions import sessions_visible
from .services import attachments as attachment_services
from .services import notes as services
from .services import templates as template_services

router = Router(tags=["notes"])


def _note_out(request: HttpRequest, note_id: int) -> dict[str, Any]:
    reader = reader_of(request)
    note = selectors.note_visible(reader, note_id)
    return serialize.note_json(note, selectors.action_items_of(reader, note))


@router.post("/clients/{client_id}/notes", response={201: NoteOut, **problems(422)},
             summary="Write a note about a client (team)",
             description="Private to the team unless `shared`. `body_html` is stored sanitized: scripts, event "
                         "handlers and `javascript:` links are removed. Lines marked as action items become "
                         "tasks (see docs/notes.md).")
@decorate_view(path_objects("client_id"))
def note_create(request: HttpRequest, client_id: int, payload: NoteIn) -> Any:
    reader = team_of(request)
    client = get_object_or_404(clients_visible_to(reader.membership), pk=client_id)
    session = None
    if payload.session is not None:
        session = reference(sessions_visible(reader).model, payload.session, "session", "session",
                            visible=sessions_visible(reader))
    template = (reference(NoteTemplate, payload.note_template, "note_template", "template")
                if payload.note_template is not None else None)
    note = services.note_create(client=client, actor=request.auth, title=payload.title, body_html=payload.body_html,
                                shared=payload.shared, session=session, tags=payload.tags, template=template)
    return Status(201, _note_out(request, note.pk))


@router.get("/notes", response={200: NotePage, **problems(422)}, summary="Notes you may read, newest first",
            description="The team: notes about the clients they may see; a client: the notes shared with them. "
                        "Filters: client, session, author (membership id), tag, shared; `q` searches titles and "
                        "text (PostgreSQL full-text).")
def note_list(request: HttpRequest, filters: Query[NoteListQuery]) -> Any:
    reader = reader_of(request)
    rows = selectors.note_list(reader, selectors.NoteFilters(
        client=filters.client, session=filters.session, tag=filters.tag, author=filters.author,
        shared=filters.shared, q=filters.q, sort=filters.sort))
    page, next_url = page_of(request, rows, cursor=filters.cursor, limit=filters.limit)
    return {"results": [serialize.note_json(n, selectors.action_items_of(reader, n)) for n in page], "next": next_url}


@router.get("/notes/{note_id}", response={200: NoteOut, **problems()}, summary="One note")
@decorate_view(path_objects("note_id"))
def note_get(request: HttpRequest, note_id: int) -> Any:
    return _note_out(request, note_id)


@router.patch("/notes/{note_id}", response={200: NoteOut, **problems(409, 422)},
              summary="Save a note (team)",
              description="Send `base_version` (the note's `version` your text started from). If someone saved "
                          "since, the answer is 409 with `current_version` and nothing is overwritten. "
                          "`autosave: true` while typing.")
@decorate_view(path_objects("note_id"))
def note_update(request: HttpRequest, note_id: int, payload: NotePatch) -> Any:
    reader = team_of(request)
    note = selectors.note_visible(reader, note_id)
    sent = payload.dict(exclude_unset=True)
    if payload.autosave:
        services.note_autosave(note=note, actor=request.auth, base_version=payload.base_version,
                               title=sent.get("title", note.title), body_html=sent.get("body_html", note.body_html))
    else:
        services.note_update(note=note, actor=request.auth, base_version=payload.base_version,
                             title=sent.get("title"), body_html=sent.get("body_html"), shared=sent.get("shared"),
                             tags=sent.get("tags"))
    return _note_out(request, note_id)


@router.delete("/notes/{note_id}", response={204: None, **problems()},
               summary="Delete a note (its author or an owner), with its versions")
@decorate_view(path_objects("note_id"))
def note_delete(request: HttpRequest, note_id: int) -> Any:
    reader = team_of(request)
    services.note_delete(note=selectors.note_visible(reader, note_id), actor=request.auth)
    return Status(204, None)


@router.post("/notes/{note_id}/attachments", response={201: NoteAttachmentOut, **problems(413, 415, 422)},
             summary="Add a file to a note (team)",
             description="multipart/form-data with `file`. Images (JPEG, PNG, GIF, WebP, HEIC) and documents "
                         "(PDF, Word, Excel, PowerPoint, OpenDocument text), at most 10 MB "
                         "(`NOTE_ATTACHMENT_MAX_BYTES`), 20 per note. The type is read from the bytes: "
                         "anything else is 415, too large 413. The client sees it once the note is shared.")
@decorate_view(path_objects("note_id"))
def note_attachment_add(request: HttpRequest, note_id: int, file: File[UploadedFile]) -> Any:
    reader = team_of(request)
    note = selectors.note_visible(reader, note_id)
    attachment = attachment_services.note_attachment_add(note=note, actor=request.auth, upload=file)
    return Status(201, serialize.attachment_json(attachment))


@router.get("/notes/{note_id}/attachments/{noteattachment_id}", response={200: None, **problems()},
            summary="Download a note's file",
            description="The team who sees the note, or its client once the note is shared; anyone else 404. "
                        "Sent as a download (`?inline=1` shows an image as an image; `?thumb=1`: its "
                        "small JPEG).")
@decorate_view(path_objects("note_id", "noteattachment_id"))
def note_attachment_get(request: HttpRequest, note_id: int, noteattachment_id: int) -> Any:
    attachment = selectors.note_attachment_visible(reader_of(request), note_id, noteattachment_id)
    thumbnail = request.GET.get("thumb") == "1"
    return uploads.private_file_response(attachment.thumbnail if thumbnail else attachment.file,
                                         content_type=attachment.content_type, name=attachment.name,
                                         thumbnail=thumbnail, inline=request.GET.get("inline") == "1")


@router.delete("/notes/{note_id}/attachments/{noteattachment_id}", response={204: None, **problems()},
               summary="Remove a file from a note (team)")
@decorate_view(path_objects("note_id", "noteattachment_id"))
def note_attachment_remove(request: HttpRequest, note_id: int, noteattachment_id: int) -> Any:
    reader = team_of(request)
    attachment = selectors.note_attachment_visible(reader, note_id, noteattachment_id)
    attachment_services.note_attachment_remove(attachment=attachment, actor=request.auth)
    return Status(204, None)


@router.get("/notes/{note_id}/versions", response={200: list[NoteVersionOut], **problems()},
            summary="A note's versions, newest first (team)")
@decorate_view(path_objects("note_id"))
def note_versions(request: HttpRequest, note_id: int) -> Any:
    reader = team_of(request)
    note = selectors.note_visible(reader, note_id)
    return [serialize.version_json(v) for v in selectors.note_versions(note)[:200]]


@router.post("/notes/{note_id}/versions/{noteversion_id}/restore", response={200: NoteOut, **problems(409, 422)},
             summary="Bring a version back as the note's text (team; a new version)")
@decorate_view(path_objects("note_id", "noteversion_id"))
def note_restore(request: HttpRequest, note_id: int, noteversion_id: int, payload: NoteRestoreIn) -> Any:
    reader = team_of(request)
    note = selectors.note_visible(reader, note_id)
    version = selectors.note_version(note, noteversion_id)
    services.note_version_restore(note=note, version=version, actor=request.auth, base_version=payload.base_version)
    return _note_out(request, note_id)


@router.patch("/notes/{note_id}/action-items/{noteactionitem_id}", response={200: ActionItemOut, **problems(422)},
              summary="Tick an action item off (the team; a client for their own item of a shared note)")
@decorate_view(path_objects("note_id", "noteactionitem_id"))
def action_item_update(request: HttpRequest, note_id: int, noteactionitem_id: int, payload: ActionItemPatch) -> Any:
    reader = reader_of(request)
    note = selectors.note_visible(reader, note_id)
    item = get_object_or_404(NoteActionItem.objects.filter(note=note, removed_at__isnull=True), pk=noteactionitem_id)
    item = services.action_item_set_done(item=item, actor=request.auth, done=payload.done)
    return serialize.action_item_json(item)


# --- templates -----------------------------------------------------------------------------------

@router.get("/note-templates", response={200: list[NoteTemplateOut], **problems(422)},
            summary="Templates a note (or a journal entry, `kind=journal`) can start from",
            description="The business's built-in templates (SOAP, initial assessment, session review; weekly "
                        "reflection, after a session, gratitude) are made on first use.")
def template_list(request: HttpRequest, query: Query[TemplateQuery]) -> Any:
    reader = reader_of(request)
    if not reader.is_team and query.kind != NoteTemplate.Kind.JOURNAL:
        return []
    template_services.templates_seed(organization=reader.organization)
    return [serialize.template_json(t) for t in selectors.note_templates(reader, kind=query.kind,
                                                                         active_only=not reader.is_team)]


@router.post("/note-templates", response={201: NoteTemplateOut, **problems(422)},
             summary="Add a template (owners and coaches)")
def template_create(request: HttpRequest, payload: NoteTemplateIn) -> Any:
    reader = team_of(request)
    template = template_services.template_create(
        organization=reader.organization, actor=request.auth, name=payload.name, kind=payload.kind,
        sections=[s.dict() for s in payload.sections])
    return Status(201, serialize.template_json(template))


@router.patch("/note-templates/{notetemplate_id}", response={200: NoteTemplateOut, **problems(422)},
              summary="Change a template, or stop offering it (owners and coaches)")
@decorate_view(path_objects("notetemplate_id"))
def template_update(request: HttpRequest, notetemplate_id: int, payload: NoteTemplatePatch) -> Any:
    team_of(request)
    template = get_object_or_404(NoteTemplate, pk=notetemplate_id)
    sent = payload.dict(exclude_unset=True)
    template = template_services.template_update(
        template=template, actor=request.auth, name=sent.get("name"), active=sent.get("active"),
        sections=sent.get("sections"))
    return serialize.template_json(template)
