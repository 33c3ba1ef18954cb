"""Progress photos in and out: an upload is cleaned (``images.clean_image``: decoded, upright, encoded
again with no metadata — no EXIF location), thumbnailed, and kept in private storage under a random
name; deleting one removes its files once the deletion has committed."""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.tenancy import audit

from ..errors import TOO_LARGE, UNSUPPORTED, ProgressError
from ..images import ImageRefused, clean_image, thumbnail
from ..models import ProgressPhoto
from .common import require_actor, today_of

logger = logging.getLogger("coachos.progress")

# What ``images`` refuses, as the API answers it: not a photo at all → 415; anything else → 422.
REFUSED_AS = {"not_an_image": UNSUPPORTED, "unsupported": UNSUPPORTED, "animated": UNSUPPORTED}


def max_bytes() -> int:
    return int(getattr(settings, "PROGRESS_PHOTO_MAX_BYTES", 15 * 1024 * 1024))


def too_large() -> ProgressError:
    return ProgressError(_("A photo can be at most %(size)d MB.") % {"size": max_bytes() // (1024 * 1024)},
                         code=TOO_LARGE, field="file")


def photo_upload(*, client: Client, actor: Any, data: bytes, pose: str, taken_on: date | None = None) -> ProgressPhoto:
    """Keep a progress photo of ``client`` (by the team, or the client themself)."""
    require_actor(actor, client)
    if pose not in ProgressPhoto.Pose.values:
        raise ProgressError(_("Choose front, side or back."), field="pose")
    today = today_of(client)
    taken_on = taken_on or today
    if taken_on > today + timedelta(days=1):
        raise ProgressError(_("A photo cannot be taken in the future."), field="taken_on")
    if len(data) > max_bytes():
        raise too_large()
    try:
        clean = clean_image(data)
        small = thumbnail(clean.content)
    except ImageRefused as exc:
        raise ProgressError(str(exc.message), code=REFUSED_AS.get(exc.code, "invalid"), field="file") from None
    photo = ProgressPhoto(organization_id=client.organization_id, client=client, pose=pose, taken_on=taken_on,
                          key=uuid.uuid4().hex, extension=clean.extension, content_type=clean.content_type,
                          width=clean.width, height=clean.height, size=len(clean.content),
                          uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
    photo.file.save(f"{photo.key}.{clean.extension}", ContentFile(clean.content), save=False)
    photo.thumbnail.save(f"{photo.key}.thumb.jpg", ContentFile(small), save=False)
    try:
        with transaction.atomic():
            photo.save()
    except Exception:
        _remove_files(photo)  # no row: no file may stay behind
        raise
    logger.info("progress photo stored", extra={"photo_id": photo.pk, "organization_id": client.organization_id})
    return photo


def _remove_files(photo: ProgressPhoto) -> None:
    for stored in (photo.file, photo.thumbnail):
        if stored:
            stored.delete(save=False)


@transaction.atomic
def photo_delete(*, photo: ProgressPhoto, actor: Any) -> None:
    client = Client.objects.select_related("organization").get(pk=photo.client_id)
    require_actor(actor, client)
    ProgressPhoto.objects.filter(pk=photo.pk).delete()
    audit.log(organization=client.organization, actor=actor, action="progress.photo_deleted", obj=photo,
              data={"client": client.pk})
    transaction.on_commit(lambda: _remove_files(photo))
