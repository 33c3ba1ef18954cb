"""Library files: checked by what they are, kept in private storage, served only after an access check.

- The type is read from the bytes (``filetype``), never from the name or the browser's word: PDF,
  images (JPEG, PNG, GIF, WebP), audio (MP3, M4A, Ogg, WAV, FLAC), video (MP4, WebM, MOV, M4V) and
  office documents (Word, Excel, PowerPoint, OpenDocument, old Office formats). Anything else — HTML,
  SVG (with or without script), executables, archives — is refused.
- At most ``LIBRARY_VIDEO_MAX_BYTES`` for video (200 MB) and ``LIBRARY_FILE_MAX_BYTES`` (25 MB) for
  anything else; a request announcing more than the larger limit is refused before its body is read.
- Served with ``nosniff``, a locked-down CSP, private caching; PDFs, images, audio and video may be
  shown inline in the viewer, everything else is an attachment. With ``LIBRARY_SENDFILE`` the proxy
  sends the bytes (``X-Accel-Redirect`` for nginx, ``X-Sendfile`` for Apache/lighttpd); with S3 the
  answer is a redirect to a signed URL that lives five minutes.
"""

from __future__ import annotations

import os
import unicodedata
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from .errors import TOO_LARGE, UNSUPPORTED, LibraryError
from .models import Resource
from .storage import uses_s3

Media = Resource.Media

# Sniffed type -> (extension, what the viewer shows it as)
ALLOWED: dict[str, tuple[str, str]] = {
    "application/pdf": ("pdf", Media.PDF),
    "image/jpeg": ("jpg", Media.IMAGE),
    "image/png": ("png", Media.IMAGE),
    "image/gif": ("gif", Media.IMAGE),
    "image/webp": ("webp", Media.IMAGE),
    "audio/mpeg": ("mp3", Media.AUDIO),
    "audio/mp4": ("m4a", Media.AUDIO),
    "audio/ogg": ("ogg", Media.AUDIO),
    "audio/x-wav": ("wav", Media.AUDIO),
    "audio/x-flac": ("flac", Media.AUDIO),
    "video/mp4": ("mp4", Media.VIDEO),
    "video/x-m4v": ("m4v", Media.VIDEO),
    "video/webm": ("webm", Media.VIDEO),
    "video/quicktime": ("mov", Media.VIDEO),
    "application/msword": ("doc", Media.DOCUMENT),
    "application/vnd.ms-excel": ("xls", Media.DOCUMENT),
    "application/vnd.ms-powerpoint": ("ppt", Media.DOCUMENT),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", Media.DOCUMENT),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", Media.DOCUMENT),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx", Media.DOCUMENT),
    "application/vnd.oasis.opendocument.text": ("odt", Media.DOCUMENT),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods", Media.DOCUMENT),
    "application/vnd.oasis.opendocument.presentation": ("odp", Media.DOCUMENT),
}
INLINE_MEDIA = frozenset({Media.PDF, Media.IMAGE, Media.AUDIO, Media.VIDEO})
SNIFF_BYTES = 8192
MULTIPART_OVERHEAD = 64 * 1024


def video_max_bytes() -> int:
    return int(getattr(settings, "LIBRARY_VIDEO_MAX_BYTES", 200 * 1024 * 1024))


def file_max_bytes() -> int:
    return int(getattr(settings, "LIBRARY_FILE_MAX_BYTES", 25 * 1024 * 1024))


def limit_for(media: str) -> int:
    return video_max_bytes() if media == Media.VIDEO else file_max_bytes()


def too_large(media: str | None = None) -> LibraryError:
    if media is None:
        message = _("A video can be at most %(video)d MB and any other file %(other)d MB.") % {
            "video": video_max_bytes() // (1024 * 1024), "other": file_max_bytes() // (1024 * 1024)}
    else:
        message = _("This file is too large: at most %(size)d MB for this kind of file.") % {
            "size": limit_for(media) // (1024 * 1024)}
    return LibraryError(message, code=TOO_LARGE, field="file")


def announced_too_large(request: HttpRequest) -> bool:
    """Before the body is read: more than the largest limit is refused at once."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > max(video_max_bytes(), file_max_bytes()) + MULTIPART_OVERHEAD


def sniff(head: bytes) -> str | None:
    """The allowed type these first bytes are, or None."""
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    return mime if mime in ALLOWED else None


def clean_name(raw: str, extension: str) -> str:
    """The uploader's file name, safe to show and send back, with the extension of what the file is."""
    name = os.path.basename((raw or "").replace("\\", "/"))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    stem = name.rpartition(".")[0] or name
    stem = stem[:150].strip() or _("file")
    return f"{stem}.{extension}"


def check_upload(upload: UploadedFile) -> tuple[str, str, str]:
    """(content type, extension, media) of an acceptable upload, or a LibraryError saying why not."""
    size = int(upload.size or 0)
    if size == 0:
        raise LibraryError(_("The file is empty."), code=UNSUPPORTED, field="file")
    upload.seek(0)
    content_type = sniff(upload.read(SNIFF_BYTES))
    upload.seek(0)
    if content_type is None:
        raise LibraryError(_("This kind of file cannot be added. Add a PDF, an image, audio, video or an office "
                             "document; web pages, SVG images and programs are not accepted."),
                           code=UNSUPPORTED, field="file")
    extension, media = ALLOWED[content_type]
    if size > limit_for(media):
        raise too_large(media)
    return content_type, extension, media


def _disposition(name: str, *, inline: bool) -> str:
    kind = "inline" if inline else "attachment"
    ascii_name = name.encode("ascii", "ignore").decode().replace('"', "") or "file"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def _harden(response: HttpResponseBase, media: str) -> HttpResponseBase:
    response["X-Content-Type-Options"] = "nosniff"
    # A PDF needs the browser's viewer (a sandboxed document may not run it); nothing may run scripts.
    response["Content-Security-Policy"] = ("default-src 'none'; object-src 'self'; frame-ancestors 'self'"
                                           if media == Media.PDF else "default-src 'none'; frame-ancestors 'self'; sandbox")
    response["X-Frame-Options"] = "SAMEORIGIN"  # the viewer frames it; nobody else may
    response["Cache-Control"] = "private, max-age=300"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def file_response(resource: Resource, *, inline: bool) -> HttpResponseBase:
    """The resource's file — call only after the caller's access check."""
    if resource.kind != Resource.Kind.FILE or not resource.file:
        raise Http404("No such file.")
    show_inline = inline and resource.media in INLINE_MEDIA
    name = resource.file_name or f"{resource.key}.{resource.extension}"
    if uses_s3():
        url = resource.file.storage.url(resource.file.name, parameters={  # type: ignore[call-arg]
            "ResponseContentDisposition": _disposition(name, inline=show_inline),
            "ResponseContentType": resource.content_type})
        return HttpResponseRedirect(url)
    mode = getattr(settings, "LIBRARY_SENDFILE", "")
    if mode in {"x-accel", "x-sendfile"}:
        response = HttpResponse(content_type=resource.content_type)
        response["Content-Disposition"] = _disposition(name, inline=show_inline)
        if mode == "x-accel":  # nginx: `location /_library/ { internal; alias <PRIVATE_MEDIA_ROOT>/; }`
            response["X-Accel-Redirect"] = "/_library/" + quote(resource.file.name)
        else:
            response["X-Sendfile"] = resource.file.path
        return _harden(response, resource.media)
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    file_response_ = FileResponse(handle, content_type=resource.content_type, as_attachment=not show_inline,
                                  filename=name)
    return _harden(file_response_, resource.media)
