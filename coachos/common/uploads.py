"""Files people upload (chat attachments, note attachments): checked by what they are, served with care.

- The type is read from the bytes (``filetype``), never from the name or the browser's word: images
  (JPEG, PNG, GIF, WebP, HEIC) and documents (PDF, Word, Excel, PowerPoint, OpenDocument text) only.
  Anything else (HTML, SVG, scripts, archives) is refused. A file named ``.png`` that is a PDF is a
  PDF, and its name says so.
- A size limit per kind of upload; a request announcing more is refused before its body is read.
- Images Pillow can read get a JPEG thumbnail (EXIF orientation applied); an image it cannot decode is
  refused, except HEIC, which is kept without a thumbnail.
- Files are served only through a view that checks who asks, as ``Content-Disposition: attachment``
  (an image may be shown inline, as an image), with ``nosniff`` and a sandboxing CSP.

The apps keep their own models and errors: they call :func:`check_upload` and turn :class:`UploadError`
into theirs.
"""

from __future__ import annotations

import io
import os
import unicodedata
from dataclasses import dataclass
from typing import Any

import filetype
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

TOO_LARGE = "too_large"  # 413
UNSUPPORTED = "unsupported_type"  # 415

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


class UploadError(Exception):
    """An upload refused, with a message a person can read; ``code`` is TOO_LARGE or UNSUPPORTED."""

    def __init__(self, message: str, *, code: str = UNSUPPORTED) -> None:
        super().__init__(message)
        self.code = code

    @property
    def status(self) -> int:
        return 413 if self.code == TOO_LARGE else 415


class StoredUpload(models.Model):
    """What an app keeps of an accepted upload (chat's attachments, a note's files); the app adds its
    owner, ``file`` and ``thumbnail`` (private storage, its own paths)."""

    # A random key names the stored file: the person's file name is kept in ``name`` and only ever sent
    # back in a Content-Disposition header.
    key = models.CharField(max_length=40, unique=True)
    extension = models.CharField(max_length=8)
    name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    # What the bytes are (sniffed), never what the uploader said they were.
    content_type = models.CharField(max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


@dataclass
class CheckedUpload:
    """What an accepted upload is: its real type, the extension and safe name it gets, and a thumbnail."""

    content_type: str
    extension: str  # without the dot
    name: str
    size: int
    thumbnail: ContentFile[bytes] | None = None
    width: int | None = None
    height: int | None = None


def too_large(limit: int) -> UploadError:
    megabytes = max(1, limit // (1024 * 1024))
    return UploadError(_("A file can be at most %(size)d MB.") % {"size": megabytes}, code=TOO_LARGE)


def refuse_oversized_request(request: HttpRequest, *, limit: int) -> None:
    """Before the body is read: an upload that announces more than the limit is refused at once."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + MULTIPART_OVERHEAD:
        raise too_large(limit)


def sniff(head: bytes) -> str | None:
    """The allowed type these first bytes are, or None."""
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    return mime if mime in ALLOWED else None


def shown_name(raw: str) -> str:
    """The uploader's file name as it may be shown back (no path, no control characters, not too long)."""
    name = os.path.basename((raw or "").replace("\\", "/"))
    return "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()[:150] or _("file")


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
            raise UploadError(_("This image is too large (too many pixels)."))
        image.seek(0)
        picture = ImageOps.exif_transpose(image) or image
        picture = picture.convert("RGB")
        picture.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        picture.save(out, format="JPEG", quality=80, optimize=True)
    return ContentFile(out.getvalue()), width, height


def check_upload(upload: UploadedFile, *, limit: int) -> CheckedUpload:
    """Check one uploaded file (size, real type, readable image) and make its thumbnail; raises
    :class:`UploadError`. The upload is left at its start, ready to be saved."""
    size = int(upload.size or 0)
    if size > limit:
        raise too_large(limit)
    if size == 0:
        raise UploadError(_("The file is empty."))
    upload.seek(0)
    content_type = sniff(upload.read(SNIFF_BYTES))
    if content_type is None:
        raise UploadError(_("This kind of file cannot be sent. Send a photo (JPEG, PNG, GIF, WebP, HEIC) or a "
                            "document (PDF, Word, Excel, PowerPoint, OpenDocument)."))
    extension = ALLOWED[content_type]
    checked = CheckedUpload(content_type=content_type, extension=extension,
                            name=clean_name(upload.name or "", extension), size=size)
    if content_type in THUMBNAILED:
        upload.seek(0)
        try:
            checked.thumbnail, checked.width, checked.height = _thumbnail(upload.read())
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            raise UploadError(_("This image could not be read. Is the file damaged?")) from None
    upload.seek(0)
    return checked


def private_file_response(stored: Any, *, content_type: str, name: str, thumbnail: bool = False,
                          inline: bool = False) -> FileResponse:
    """A privately stored file (or its JPEG thumbnail) as a careful response: a download unless an
    image is asked for inline; ``nosniff``, a sandboxing CSP, private caching."""
    if not stored:
        raise Http404("No such file.")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    if thumbnail:
        response = FileResponse(handle, content_type="image/jpeg", as_attachment=False,
                                filename=f"{name.rsplit('.', 1)[0]}.jpg")
    else:
        show_inline = inline and content_type.startswith("image/")
        response = FileResponse(handle, content_type=content_type, as_attachment=not show_inline, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def delete_files(*fields: Any) -> None:
    """Remove stored files (FieldFile objects; empty ones are skipped)."""
    for field in fields:
        if field:
            field.delete(save=False)
