"""Files sent in a conversation: checked by what they are, kept in private storage, served with care.

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

import io
import os
import unicodedata
import uuid
from typing import Any

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import TOO_LARGE, UNSUPPORTED, ChatError
from .models import Attachment

# Sniffed type -> the extension the stored file (and the name shown) gets.
ALLOWED: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
}
THUMBNAILED = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
THUMBNAIL_SIZE = (480, 480)
MAX_PIXELS = 40_000_000  # a larger image is a decompression bomb, not a photo
SNIFF_BYTES = 8192
MULTIPART_OVERHEAD = 64 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "CHAT_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def _too_large() -> ChatError:
    megabytes = max_bytes() // (1024 * 1024)
    return ChatError(_("A file can be at most %(size)d MB.") % {"size": megabytes}, code=TOO_LARGE, field="file")


def refuse_oversized_request(request: HttpRequest) -> None:
    """Before the body is read: an upload that announces more than the limit is refused at once."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_bytes() + MULTIPART_OVERHEAD:
        raise _too_large()


def sniff(head: bytes) -> str | None:
    """The allowed type these first bytes are, or None."""
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    return mime if mime in ALLOWED else None


def clean_name(raw: str, extension: str) -> str:
    """The uploader's file name, made safe to show and send back: no path, no control characters, and
    the extension of what the file really is."""
    name = os.path.basename((raw or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem, _dot, _ext = name.rpartition(".")
    if not stem:
        stem = name
    stem = stem[:150].strip() or _("file")
    return f"{stem}.{extension}"


def _thumbnail(data: bytes) -> tuple[ContentFile[bytes], int, int]:
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ChatError(_("This image is too large (too many pixels)."), code=UNSUPPORTED, field="file")
        image.seek(0)
        picture = ImageOps.exif_transpose(image) or image
        picture = picture.convert("RGB")
        picture.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=80, optimize=True)
    return ContentFile(out.getvalue()), width, height


def attachment_store(*, organization: Any, uploaded_by: Any, upload: UploadedFile) -> Attachment:
    """Check one uploaded file and keep it (not yet attached to a message)."""
    size = int(upload.size or 0)
    if size > max_bytes():
        raise _too_large()
    if size == 0:
        raise ChatError(_("The file is empty."), code=UNSUPPORTED, field="file")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    content_type = sniff(head)
    if content_type is None:
        raise ChatError(_("This kind of file cannot be sent. Send a photo (JPEG, PNG, GIF, WebP, HEIC) or a "
                          "document (PDF, Word, Excel, PowerPoint, OpenDocument)."), code=UNSUPPORTED, field="file")
    extension = ALLOWED[content_type]
    attachment = Attachment(organization=organization, uploaded_by=uploaded_by, key=uuid.uuid4().hex,
                            extension=f".{extension}", name=clean_name(upload.name or "", extension), size=size,
                            content_type=content_type, created_at=timezone.now())
    thumbnail = None
    if content_type in THUMBNAILED:
        upload.seek(0)
        data = upload.read()
        try:
            thumbnail, attachment.width, attachment.height = _thumbnail(data)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            raise ChatError(_("This image could not be read. Is the file damaged?"), code=UNSUPPORTED,
                            field="file") from None
    upload.seek(0)
    attachment.file.save(f"{attachment.key}.{extension}", upload, save=False)
    if thumbnail is not None:
        attachment.thumbnail.save(f"{attachment.key}.thumb.jpg", thumbnail, save=False)
    attachment.save()
    return attachment


def attachment_response(attachment: Attachment, *, thumbnail: bool = False, inline: bool = False) -> FileResponse:
    """The file as a download (an image inline only when asked, and only as an image)."""
    stored = attachment.thumbnail if thumbnail else attachment.file
    if not stored:
        raise Http404("No such file.")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    if thumbnail:
        response = FileResponse(handle, content_type="image/jpeg", as_attachment=False,
                                filename=f"{attachment.name.rsplit('.', 1)[0]}.jpg")
    else:
        show_inline = inline and attachment.is_image
        response = FileResponse(handle, content_type=attachment.content_type, as_attachment=not show_inline,
                                filename=attachment.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def attachment_delete_files(attachment: Attachment) -> None:
    for field in (attachment.file, attachment.thumbnail):
        if field:
            field.delete(save=False)


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
