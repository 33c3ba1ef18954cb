"""The resource library: resources (files, links, articles) in folders, ordered collections, shares
(now, at a time, or a weekly/monthly drip), what each client was given (``Grant``) and what they did
with it (``Engagement``). Every row carries its business and a ``ScopedManager``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from coachos.clients.models import Client, Tag
from coachos.tenancy.models import Organization

from .storage import library_storage


def resource_path(instance: Resource, filename: str) -> str:
    # A random name: nothing of the uploader's file name is in the path.
    return f"library/{instance.organization_id}/{instance.key}.{instance.extension}"


class Folder(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Resource(models.Model):
    class Kind(models.TextChoices):
        FILE = "file", pgettext_lazy("resource kind", "File")
        LINK = "link", pgettext_lazy("resource kind", "Link")
        ARTICLE = "article", pgettext_lazy("resource kind", "Article")

    class Media(models.TextChoices):
        PDF = "pdf", _("PDF")
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio")
        DOCUMENT = "document", _("Document")
        VIDEO_LINK = "video_link", _("Video link")
        WEB = "web", _("Web page")
        ARTICLE = "article", _("Article")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.SET_NULL, related_name="resources")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    media = models.CharField(_("type"), max_length=12, choices=Media.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    tags = models.CharField(_("tags"), max_length=300, blank=True)  # comma-separated, as typed
    # A file: kept under a random key in private storage; its type read from its bytes.
    key = models.CharField(max_length=40, blank=True)
    extension = models.CharField(max_length=8, blank=True)
    file = models.FileField(upload_to=resource_path, storage=library_storage, max_length=200, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.BigIntegerField(default=0)
    # A link (YouTube and Vimeo links play embedded).
    url = models.URLField(_("link"), max_length=500, blank=True)
    embed_provider = models.CharField(max_length=10, blank=True)
    embed_id = models.CharField(max_length=40, blank=True)
    # An article: sanitized HTML.
    body = models.TextField(_("article"), blank=True)
    downloadable = models.BooleanField(_("clients may download it"), default=True)
    minutes = models.PositiveIntegerField(_("minutes to complete"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at", "-id"], name="library_res_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class Collection(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    sequential = models.BooleanField(_("sequential"), default=False,
                                     help_text=_("Each item opens once the one before it is completed."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CollectionItem(models.Model):
    """A resource's place in a collection; positions run 0, 1, 2… without gaps."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="collection_items")
    position = models.PositiveIntegerField()

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["collection", "position"]
        constraints = [models.UniqueConstraint(fields=["collection", "resource"], name="library_item_once")]

    def __str__(self) -> str:
        return f"Collection item #{self.pk}"


class Share(models.Model):
    """A resource or a collection given to clients: one, several, a tag's or everyone; now, at a time, or
    as a drip (a collection's items one by one, weekly or monthly, at the first share's local time)."""

    class Audience(models.TextChoices):
        CLIENTS = "clients", _("Chosen clients")
        TAG = "tag", _("Clients with a tag")
        ALL = "all", _("All clients")

    class Repeat(models.TextChoices):
        ONCE = "once", _("Once")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ACTIVE = "active", _("Dripping")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="shares")
    collection = models.ForeignKey(Collection, null=True, blank=True, on_delete=models.CASCADE, related_name="shares")
    audience = models.CharField(max_length=8, choices=Audience.choices)
    clients = models.ManyToManyField(Client, blank=True, related_name="+")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(_("message"), blank=True)
    repeat = models.CharField(max_length=8, choices=Repeat.choices, default=Repeat.ONCE)
    first_at = models.DateTimeField()  # the first delivery (UTC); a drip keeps its local wall-clock time
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    runs = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=Q(resource__isnull=False, collection__isnull=True) | Q(resource__isnull=True,
                                                                               collection__isnull=False),
            name="library_share_one_thing")]
        indexes = [models.Index(fields=["status", "next_run_at"], name="library_share_due")]

    def __str__(self) -> str:
        return f"Share #{self.pk}"

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.SCHEDULED, self.Status.ACTIVE)


class ShareEvent(models.Model):
    """The share history: created, changed, cancelled, delivered — by whom, to whom."""

    class Action(models.TextChoices):
        CREATED = "created", _("Shared")
        CHANGED = "changed", _("Share changed")
        CANCELLED = "cancelled", _("Share cancelled")
        DELIVERED = "delivered", _("Delivered")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    audience = models.CharField(max_length=300, blank=True)  # who it was for, in words, at that time
    clients = models.PositiveIntegerField(default=0)  # how many clients it reached (delivered)
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Share event #{self.pk}"


class Grant(models.Model):
    """What a client may see: a resource, or a collection (its first ``released`` items for a drip;
    all of them when ``released`` is null). Written by deliveries; never removed by editing a share."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="library_grants")
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.CASCADE, related_name="grants")
    collection = models.ForeignKey(Collection, null=True, blank=True, on_delete=models.CASCADE, related_name="grants")
    share = models.ForeignKey(Share, null=True, blank=True, on_delete=models.SET_NULL, related_name="grants")
    released = models.PositiveIntegerField(null=True, blank=True)
    message = models.TextField(blank=True)
    granted_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)  # null: "new" on the client's library

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "resource"], condition=Q(resource__isnull=False),
                                    name="library_grant_resource_once"),
            models.UniqueConstraint(fields=["client", "collection"], condition=Q(collection__isnull=False),
                                    name="library_grant_collection_once"),
        ]
        indexes = [models.Index(fields=["client", "-granted_at"], name="library_grant_client")]

    def __str__(self) -> str:
        return f"Grant #{self.pk}"


class Engagement(models.Model):
    """One client and one resource: opened, time spent (in beats), completed, downloads."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="library_engagement")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="engagement")
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "resource"], name="library_engagement_once")]
        indexes = [models.Index(fields=["resource", "client"], name="library_eng_resource"),
                   models.Index(fields=["organization", "updated_at"], name="library_eng_updated")]

    def __str__(self) -> str:
        return f"Engagement #{self.pk}"
