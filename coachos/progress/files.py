"""A progress photo as an HTTP response, for the API and the pages alike — only after the caller's
access check (``selectors.access.photos_visible``): an image shown inline, never sniffed as anything
else, sandboxed, and kept out of shared caches."""

from __future__ import annotations

from django.http import FileResponse, Http404

from .models import ProgressPhoto


def photo_response(photo: ProgressPhoto, *, thumbnail: bool = False) -> FileResponse:
    stored = photo.thumbnail if thumbnail else photo.file
    if not stored:
        raise Http404("No such file.")
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    content_type = "image/jpeg" if thumbnail else photo.content_type
    extension = "jpg" if thumbnail else photo.extension
    response = FileResponse(handle, content_type=content_type, as_attachment=False,
                            filename=f"progress-{photo.taken_on.isoformat()}-{photo.pose}.{extension}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
