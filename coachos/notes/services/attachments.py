"""Files on a coach's note: add one (checked by ``common.uploads``), remove one. The team who may write
the note may do both; a client never does. Audit entries carry ids only, never file names."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.common import uploads
from coachos.notes.errors import TOO_LARGE, UNSUPPORTED, NotesError
from coachos.notes.models import Note, NoteAttachment
from coachos.tenancy import audit

from .notes import _locked, _may_write, team_reader

FILES_PER_NOTE = 20


def max_bytes() -> int:
    return int(getattr(settings, "NOTE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def note_attachment_add(*, note: Note, actor: Any, upload: UploadedFile) -> NoteAttachment:
    """Keep one checked file on the note. Refused (nothing stored): a file too large, empty, of a kind
    not allowed, an unreadable image, or a note that already has ``FILES_PER_NOTE`` files."""
    reader = team_reader(actor, note.organization)
    _may_write(reader, note)
    try:
        checked = uploads.check_upload(upload, limit=max_bytes())
    except uploads.UploadError as error:
        raise NotesError(str(error), code=TOO_LARGE if error.code == uploads.TOO_LARGE else UNSUPPORTED,
                         field="file") from None
    attachment = NoteAttachment(organization=note.organization, note=note, uploaded_by=actor, key=uuid.uuid4().hex,
                                extension=checked.extension, name=checked.name, size=checked.size,
                                content_type=checked.content_type, width=checked.width, height=checked.height,
                                created_at=timezone.now())
    attachment.file.save(f"{attachment.key}.{checked.extension}", upload, save=False)
    if checked.thumbnail is not None:
        attachment.thumbnail.save(f"{attachment.key}.thumb.jpg", checked.thumbnail, save=False)
    try:
        with transaction.atomic():
            note = _locked(note)  # one at a time per note, so the count below holds
            if NoteAttachment.objects.filter(note=note).count() >= FILES_PER_NOTE:
                raise NotesError(_("A note can hold at most %(count)d files.") % {"count": FILES_PER_NOTE},
                                 field="file")
            attachment.save()
            audit.log(organization=note.organization, actor=actor, action="note.attachment_added", obj=note,
                      data={"attachment": attachment.pk, "size": attachment.size,
                            "content_type": attachment.content_type})
    except BaseException:
        uploads.delete_files(attachment.file, attachment.thumbnail)  # nothing half-kept
        raise
    return attachment


def note_attachment_remove(*, attachment: NoteAttachment, actor: Any) -> None:
    """Remove a file from its note (and from storage once the removal is committed)."""
    note = attachment.note
    reader = team_reader(actor, note.organization)
    _may_write(reader, note)
    with transaction.atomic():
        found = NoteAttachment.objects.select_for_update().filter(pk=attachment.pk, note=note).first()
        if found is None:
            return  # already removed (two tabs): nothing more to do
        audit.log(organization=note.organization, actor=actor, action="note.attachment_removed", obj=note,
                  data={"attachment": found.pk})
        found.delete()
        transaction.on_commit(lambda: uploads.delete_files(found.file, found.thumbnail))
