"""Files sent in a conversation: checked by what they are (``common.uploads``), kept in private storage,
served with care.

- The type is read from the bytes (``filetype``), never from the name or the browser's word: images
  (JPEG, PNG, GIF, WebP, HEIC) and documents (PDF, Word, Excel, PowerPoint, OpenDocument text) only.
  Anything else (HTML, SVG, scripts, archives) is refused. A file named ``.png`` that is a PDF is a
  PDF, and its name says so.
- At most ``CHAT_ATTACHMENT_MAX_BYTES`` (10 MB); a request announcing more is refused before its body
  is read.
- Images Pillow can read get a JPEG thumbnail (EXIF orientation applied); an image it cannot decode is
  refused, except HEIC, which is kept without a thumbnail.
- Files are served only through a view that checks who asks, as ``Content-Disposition: attachment``
  (an image may be shown inline, as an image), with ``nosniff`` and a sandboxing CSP.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, HttpRequest
from django.utils import timezone

from coachos.common import uploads

from .errors import TOO_LARGE, UNSUPPORTED, ChatError
from .models import Attachment


def max_bytes() -> int:
    return int(getattr(settings, "CHAT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def _chat_error(error: uploads.UploadError) -> ChatError:
    return ChatError(str(error), code=TOO_LARGE if error.code == uploads.TOO_LARGE else UNSUPPORTED, field="file")


def refuse_oversized_request(request: HttpRequest) -> None:
    """Before the body is read: an upload that announces more than the limit is refused at once."""
    try:
        uploads.refuse_oversized_request(request, limit=max_bytes())
    except uploads.UploadError as error:
        raise _chat_error(error) from None


def attachment_store(*, organization: Any, uploaded_by: Any, upload: UploadedFile) -> Attachment:
    """Check one uploaded file and keep it (not yet attached to a message)."""
    try:
        checked = uploads.check_upload(upload, limit=max_bytes())
    except uploads.UploadError as error:
        raise _chat_error(error) from None
    attachment = Attachment(organization=organization, uploaded_by=uploaded_by, key=uuid.uuid4().hex,
                            extension=f".{checked.extension}", name=checked.name, size=checked.size,
                            content_type=checked.content_type, width=checked.width, height=checked.height,
                            created_at=timezone.now())
    attachment.file.save(f"{attachment.key}.{checked.extension}", upload, save=False)
    if checked.thumbnail is not None:
        attachment.thumbnail.save(f"{attachment.key}.thumb.jpg", checked.thumbnail, save=False)
    attachment.save()
    return attachment


def attachment_response(attachment: Attachment, *, thumbnail: bool = False, inline: bool = False) -> FileResponse:
    """The file as a download (an image inline only when asked, and only as an image)."""
    return uploads.private_file_response(attachment.thumbnail if thumbnail else attachment.file,
                                         content_type=attachment.content_type, name=attachment.name,
                                         thumbnail=thumbnail, inline=inline)


def attachment_delete_files(attachment: Attachment) -> None:
    uploads.delete_files(attachment.file, attachment.thumbnail)


UNSENT_KEPT_FOR = 24 * 60 * 60  # seconds an upload may wait for its message


def prune_unsent(*, now: Any = None) -> int:
    """Delete uploads no message took within a day (their files too). Returns how many."""
    from datetime import timedelta

    from django_scopes import scopes_disabled

    cutoff = (now or timezone.now()) - timedelta(seconds=UNSENT_KEPT_FOR)
    with scopes_disabled():
        stale = list(Attachment.objects.filter(message__isnull=True, created_at__lt=cutoff)[:500])
        for attachment in stale:
            attachment_delete_files(attachment)
        Attachment.objects.filter(pk__in=[a.pk for a in stale]).delete()
    return len(stale)
