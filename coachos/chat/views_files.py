"""Files of conversations for the pages: the team's (/o/<slug>/chat/…) and the portal's (/portal/<slug>/chat/…).

The tenancy middleware has checked the person's role in the business and entered its scope; here the
file is found only if the person may read the message it belongs to (or it is their own upload not
yet sent). Anything else is a 404.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import attachments
from .api_auth import attachment_visible
from .models import Attachment
from .viewers import viewer_for


def _attachment(request: HttpRequest, attachment_id: int) -> Attachment:
    viewer = viewer_for(user=request.user, organization=request.organization,  # type: ignore[attr-defined]
                        membership=request.membership)  # type: ignore[attr-defined]
    found = attachment_visible(viewer, attachment_id) if viewer is not None else None
    if found is None:
        raise Http404("No such file.")
    return found


def _download(request: HttpRequest, attachment_id: int, *, thumbnail: bool) -> FileResponse:
    inline = request.GET.get("inline") in {"1", "true"}
    return attachments.attachment_response(_attachment(request, attachment_id), thumbnail=thumbnail, inline=inline)


@org_view(Perm.BACKOFFICE)
def attachment(request: HttpRequest, org_slug: str, attachment_id: int) -> FileResponse:
    return _download(request, attachment_id, thumbnail=False)


@org_view(Perm.BACKOFFICE)
def attachment_thumbnail(request: HttpRequest, org_slug: str, attachment_id: int) -> FileResponse:
    return _download(request, attachment_id, thumbnail=True)


@org_view(Perm.PORTAL)
def portal_attachment(request: HttpRequest, org_slug: str, attachment_id: int) -> FileResponse:
    return _download(request, attachment_id, thumbnail=False)


@org_view(Perm.PORTAL)
def portal_attachment_thumbnail(request: HttpRequest, org_slug: str, attachment_id: int) -> FileResponse:
    return _download(request, attachment_id, thumbnail=True)
