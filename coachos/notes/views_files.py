"""Files on a note: the team adds and removes them on the note's page
(/o/<org_slug>/notes/<note_id>/files/…); the team and — once the note is shared — its client download
them (the client at /portal/<org_slug>/sessions/notes/<note_id>/files/<id>/). One rule decides who may
read a file: the one that decides who may read its note (``note_attachment_visible``); anyone else gets
a 404. Files go out as downloads (an image inline only as an image) with ``nosniff`` and a sandbox."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.common import uploads
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from .errors import NotesError
from .models import NoteAttachment
from .selectors import notes as selectors
from .services import attachments as services
from .views_common import note_url, reader_of
from .views_journal_common import client_reader


def _download(request: HttpRequest, attachment: NoteAttachment) -> HttpResponseBase:
    thumbnail = request.GET.get("thumb") == "1"
    return uploads.private_file_response(attachment.thumbnail if thumbnail else attachment.file,
                                         content_type=attachment.content_type, name=attachment.name,
                                         thumbnail=thumbnail, inline=request.GET.get("inline") == "1")


@require_POST
@org_view(Perm.BACKOFFICE)
def upload(request: HttpRequest, org_slug: str, note_id: int) -> HttpResponse:
    """Add the chosen files to the note; each refused one says why, the others are kept."""
    reader = reader_of(request)
    note = selectors.note_visible(reader, note_id)
    try:
        uploads.refuse_oversized_request(request, limit=services.max_bytes() * services.FILES_PER_NOTE)
        files = request.FILES.getlist("file")
    except (uploads.UploadError, RequestDataTooBig):
        messages.error(request, _("These files are too large together. Add them a few at a time."))
        return redirect(note_url(note) + "#files")
    if not files:
        messages.error(request, _("Choose a file to add."))
    added = 0
    for upload_ in files:
        try:
            services.note_attachment_add(note=note, actor=request.user, upload=upload_)
        except NotesError as error:
            messages.error(request, _("%(name)s was not added: %(reason)s")
                           % {"name": uploads.shown_name(upload_.name or ""), "reason": error})
        else:
            added += 1
    if added:
        messages.success(request, _("File added.") if added == 1 else _("%(count)d files added.") % {"count": added})
    return redirect(note_url(note) + "#files")


@require_POST
@org_view(Perm.BACKOFFICE)
def remove(request: HttpRequest, org_slug: str, note_id: int, noteattachment_id: int) -> HttpResponse:
    reader = reader_of(request)
    attachment = selectors.note_attachment_visible(reader, note_id, noteattachment_id)
    try:
        services.note_attachment_remove(attachment=attachment, actor=request.user)
    except NotesError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("File removed."))
    return redirect(note_url(attachment.note) + "#files")


@require_GET
@org_view(Perm.BACKOFFICE)
def download(request: HttpRequest, org_slug: str, note_id: int, noteattachment_id: int) -> HttpResponseBase:
    return _download(request, selectors.note_attachment_visible(reader_of(request), note_id, noteattachment_id))


@require_GET
@org_view(Perm.PORTAL)
def portal_download(request: HttpRequest, org_slug: str, note_id: int, noteattachment_id: int) -> HttpResponseBase:
    reader, _client = client_reader(request)
    return _download(request, selectors.note_attachment_visible(reader, note_id, noteattachment_id))
