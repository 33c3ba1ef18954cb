"""Files on a coach's note (a programme PDF, a photo of a form check): the rules of ``common.uploads``
(type read from the bytes, a size limit, thumbnails), kept in private storage and served only to those
who may read the note — the team who sees its client, and the client once the note is shared."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from coachos.common.storage import private_storage
from coachos.common.uploads import StoredUpload
from coachos.tenancy.models import Organization

from .notes import Note


def attachment_path(instance: NoteAttachment, filename: str) -> str:
    # A random stored name: the person's file name is kept in ``name``, only ever sent back in a
    # Content-Disposition header.
    return f"notes/{instance.organization_id}/{instance.key}.{instance.extension}"


def thumbnail_path(instance: NoteAttachment, filename: str) -> str:
    return f"notes/{instance.organization_id}/{instance.key}.thumb.jpg"


class NoteAttachment(StoredUpload):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    file = models.FileField(upload_to=attachment_path, storage=private_storage, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_path, storage=private_storage, max_length=200, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Note attachment #{self.pk}"
