"""Progress photos: private body pictures, kept in private storage and served only through an access
check (the client and their business). The upload is decoded and encoded again without any metadata
(``images.clean_image``: no EXIF location, no camera, no name) and gets a JPEG thumbnail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.common.storage import private_storage
from coachos.tenancy.models import Organization


def photo_path(instance: ProgressPhoto, filename: str) -> str:
    # A random name: nothing about the client or the original file is in the path.
    return f"progress/{instance.organization_id}/{instance.key}.{instance.extension}"


def thumbnail_path(instance: ProgressPhoto, filename: str) -> str:
    return f"progress/{instance.organization_id}/{instance.key}.thumb.jpg"


class ProgressPhoto(models.Model):
    class Pose(models.TextChoices):
        FRONT = "front", pgettext_lazy("photo pose", "Front")
        SIDE = "side", pgettext_lazy("photo pose", "Side")
        BACK = "back", pgettext_lazy("photo pose", "Back")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="progress_photos")
    pose = models.CharField(_("pose"), max_length=5, choices=Pose.choices)
    taken_on = models.DateField(_("taken on"))
    key = models.CharField(max_length=40, unique=True)
    extension = models.CharField(max_length=5)
    content_type = models.CharField(max_length=40)
    file = models.FileField(upload_to=photo_path, storage=private_storage, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_path, storage=private_storage, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()  # bytes of the cleaned file
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["taken_on", "pose", "id"]
        indexes = [models.Index(fields=["client", "taken_on"], name="progress_photo_client")]

    def __str__(self) -> str:
        return f"Progress photo #{self.pk}"
