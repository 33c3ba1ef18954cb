"""Every write of the library's resources, folders and collections (shares: ``sharing``; a client's
engagement: ``engagement``). Each runs in a transaction, checks what it is given, and leaves an audit
entry; bad input is a ``LibraryError`` and changes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import embeds, files
from .errors import CONFLICT, QUOTA, LibraryError
from .models import Collection, CollectionItem, Folder, Resource
from .richtext import is_blank, sanitize

MAX_TAGS = 20


def quota_bytes(organization: Organization) -> int:
    return int(getattr(settings, "LIBRARY_QUOTA_BYTES", 5 * 1024 * 1024 * 1024))


def used_bytes(organization: Organization) -> int:
    total = Resource.objects.filter(organization=organization).aggregate(total=Sum("size"))["total"]
    return int(total or 0)


def clean_tags(raw: str | list[str] | None) -> str:
    items = raw if isinstance(raw, list) else (raw or "").split(",")
    seen: dict[str, str] = {}
    for item in items:
        tag = " ".join(str(item).split())[:40]
        if tag and tag.lower() not in seen:
            seen[tag.lower()] = tag
    if len(seen) > MAX_TAGS:
        raise LibraryError(_("At most %(count)d tags.") % {"count": MAX_TAGS}, field="tags")
    return ", ".join(seen.values())[:300]


def _title(raw: str) -> str:
    title = " ".join((raw or "").split())
    if not title:
        raise LibraryError(_("Give it a title."), field="title")
    if len(title) > 200:
        raise LibraryError(_("A title can be at most 200 characters."), field="title")
    return title


def _minutes(value: int | None) -> int | None:
    if value is not None and not 0 < value <= 100_000:
        raise LibraryError(_("Minutes to complete must be between 1 and 100000."), field="minutes")
    return value


def _folder(organization: Organization, folder_id: int | None) -> Folder | None:
    if folder_id is None:
        return None
    folder = Folder.objects.filter(organization=organization, pk=folder_id).first()
    if folder is None:
        raise LibraryError(_("That folder does not exist."), field="folder")
    return folder


def _new(organization: Organization, actor: Any, *, title: str, description: str, tags: Any, folder_id: int | None,
         downloadable: bool, minutes: int | None) -> Resource:
    return Resource(organization=organization, created_by=actor if getattr(actor, "pk", None) else None,
                    title=_title(title), description=(description or "").strip()[:5000], tags=clean_tags(tags),
                    folder=_folder(organization, folder_id), downloadable=downloadable, minutes=_minutes(minutes))


def resource_upload(*, organization: Organization, actor: Any, upload: UploadedFile, title: str = "",
                    description: str = "", tags: Any = "", folder_id: int | None = None, downloadable: bool = True,
                    minutes: int | None = None) -> Resource:
    """A file checked by its bytes, within the business's quota (uploads are counted one at a time)."""
    content_type, extension, media = files.check_upload(upload)
    resource = _new(organization, actor, title=title or (upload.name or "").rsplit(".", 1)[0], description=description,
                    tags=tags, folder_id=folder_id, downloadable=downloadable, minutes=minutes)
    resource.kind, resource.media = Resource.Kind.FILE, media
    resource.key, resource.extension = uuid.uuid4().hex, extension
    resource.content_type, resource.size = content_type, int(upload.size or 0)
    resource.file_name = files.clean_name(upload.name or "", extension)
    with transaction.atomic():
        # One upload at a time per business: two at once cannot both slip under the quota.
        Organization.objects.select_for_update().filter(pk=organization.pk).first()
        used, quota = used_bytes(organization), quota_bytes(organization)
        if used + resource.size > quota:
            raise LibraryError(_("Your library is full: %(used)d MB of %(quota)d MB used. Delete files you no longer "
                                 "share to make room.") % {"used": used // (1024 * 1024),
                                                          "quota": quota // (1024 * 1024)}, code=QUOTA, field="file")
        upload.seek(0)
        resource.file.save(f"{resource.key}.{extension}", upload, save=False)
        try:
            resource.save()
            audit.log(organization=organization, actor=actor, action="library.resource_added", obj=resource,
                      data={"kind": resource.kind, "media": media, "size": resource.size})
        except Exception:
            resource.file.delete(save=False)
            raise
    return resource


@transaction.atomic
def resource_link(*, organization: Organization, actor: Any, title: str, url: str, description: str = "",
                  tags: Any = "", folder_id: int | None = None, minutes: int | None = None) -> Resource:
    url = (url or "").strip()
    if not url.startswith(("https://", "http://")) or len(url) > 500 or " " in url:
        raise LibraryError(_("Enter a full web address starting with https://."), field="url")
    resource = _new(organization, actor, title=title, description=description, tags=tags, folder_id=folder_id,
                    downloadable=False, minutes=minutes)
    provider, video_id = embeds.parse(url)
    resource.kind, resource.url = Resource.Kind.LINK, url
    resource.media = Resource.Media.VIDEO_LINK if provider else Resource.Media.WEB
    resource.embed_provider, resource.embed_id = provider, video_id
    resource.save()
    audit.log(organization=organization, actor=actor, action="library.resource_added", obj=resource,
              data={"kind": resource.kind, "media": resource.media})
    return resource


@transaction.atomic
def resource_article(*, organization: Organization, actor: Any, title: str, body: str, description: str = "",
                     tags: Any = "", folder_id: int | None = None, minutes: int | None = None) -> Resource:
    if is_blank(body):
        raise LibraryError(_("Write the article first."), field="body")
    resource = _new(organization, actor, title=title, description=description, tags=tags, folder_id=folder_id,
                    downloadable=False, minutes=minutes)
    resource.kind, resource.media, resource.body = Resource.Kind.ARTICLE, Resource.Media.ARTICLE, sanitize(body)
    resource.save()
    audit.log(organization=organization, actor=actor, action="library.resource_added", obj=resource,
              data={"kind": resource.kind})
    return resource


@transaction.atomic
def resource_update(*, resource: Resource, actor: Any, title: str | None = None, description: str | None = None,
                    tags: Any = None, folder_id: int | None | bool = False, downloadable: bool | None = None,
                    minutes: int | None | bool = False, body: str | None = None) -> Resource:
    """Change what is given (``folder_id``/``minutes`` False: leave as is)."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if title is not None:
        resource.title = _title(title)
    if description is not None:
        resource.description = description.strip()[:5000]
    if tags is not None:
        resource.tags = clean_tags(tags)
    if folder_id is not False:
        resource.folder = _folder(resource.organization, folder_id if isinstance(folder_id, int) else None)
    if downloadable is not None and resource.kind == Resource.Kind.FILE:
        resource.downloadable = downloadable
    if minutes is not False:
        resource.minutes = _minutes(minutes if isinstance(minutes, int) else None)
    if body is not None and resource.kind == Resource.Kind.ARTICLE:
        if is_blank(body):
            raise LibraryError(_("Write the article first."), field="body")
        resource.body = sanitize(body)
    resource.save()
    audit.log(organization=resource.organization, actor=actor, action="library.resource_changed", obj=resource)
    return resource


@transaction.atomic
def resource_delete(*, resource: Resource, actor: Any) -> None:
    organization, pk = resource.organization, resource.pk
    stored = resource.file.name if resource.file else ""
    storage = resource.file.storage
    # Positions stay without gaps in the collections it leaves.
    collections = list(CollectionItem.objects.filter(resource=resource).values_list("collection_id", flat=True))
    resource.delete()
    for collection_id in collections:
        _renumber(collection_id)
    audit.log(organization=organization, actor=actor, action="library.resource_deleted", data={"resource_id": pk})
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


# --- folders --------------------------------------------------------------------------------------

MAX_DEPTH = 6


@transaction.atomic
def folder_create(*, organization: Organization, actor: Any, name: str, parent_id: int | None = None) -> Folder:
    name = " ".join((name or "").split())[:120]
    if not name:
        raise LibraryError(_("Name the folder."), field="name")
    parent = _folder(organization, parent_id)
    depth, above = 1, parent
    while above is not None:
        depth += 1
        above = above.parent
    if depth > MAX_DEPTH:
        raise LibraryError(_("Folders can be nested at most %(depth)d deep.") % {"depth": MAX_DEPTH}, field="parent")
    if Folder.objects.filter(organization=organization, parent=parent, name__iexact=name).exists():
        raise LibraryError(_("A folder with this name is already here."), code=CONFLICT, field="name")
    folder = Folder.objects.create(organization=organization, parent=parent, name=name)
    audit.log(organization=organization, actor=actor, action="library.folder_created", obj=folder)
    return folder


@transaction.atomic
def folder_delete(*, folder: Folder, actor: Any) -> None:
    """The folder and those inside it go; their resources stay, outside any folder."""
    organization, pk = folder.organization, folder.pk
    folder.delete()
    audit.log(organization=organization, actor=actor, action="library.folder_deleted", data={"folder_id": pk})


# --- collections ---------------------------------------------------------------------------------

MAX_ITEMS = 200


def _resource_ids(organization: Organization, resource_ids: list[int]) -> list[int]:
    ids = list(dict.fromkeys(int(pk) for pk in resource_ids))
    if len(ids) > MAX_ITEMS:
        raise LibraryError(_("A collection can hold at most %(count)d items.") % {"count": MAX_ITEMS},
                           field="resources")
    found = set(Resource.objects.filter(organization=organization, pk__in=ids).values_list("pk", flat=True))
    if len(found) != len(ids):
        raise LibraryError(_("Some of these resources do not exist."), field="resources")
    return ids


@transaction.atomic
def collection_create(*, organization: Organization, actor: Any, title: str, resource_ids: list[int],
                      sequential: bool = False, description: str = "") -> Collection:
    ids = _resource_ids(organization, resource_ids)
    collection = Collection.objects.create(organization=organization, title=_title(title),
                                           description=(description or "").strip()[:5000], sequential=sequential,
                                           created_by=actor if getattr(actor, "pk", None) else None)
    CollectionItem.objects.bulk_create([CollectionItem(organization=organization, collection=collection, resource_id=pk,
                                                       position=index) for index, pk in enumerate(ids)])
    audit.log(organization=organization, actor=actor, action="library.collection_created", obj=collection,
              data={"items": len(ids), "sequential": sequential})
    return collection


@transaction.atomic
def collection_update(*, collection: Collection, actor: Any, title: str | None = None,
                      description: str | None = None, sequential: bool | None = None) -> Collection:
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    if title is not None:
        collection.title = _title(title)
    if description is not None:
        collection.description = description.strip()[:5000]
    if sequential is not None:
        collection.sequential = sequential
    collection.save()
    audit.log(organization=collection.organization, actor=actor, action="library.collection_changed", obj=collection)
    return collection


@transaction.atomic
def collection_set_items(*, collection: Collection, actor: Any, resource_ids: list[int]) -> Collection:
    """The collection's items, in this order (a reorder, an addition or a removal alike)."""
    collection = Collection.objects.select_for_update().get(pk=collection.pk)
    ids = _resource_ids(collection.organization, resource_ids)
    CollectionItem.objects.filter(collection=collection).delete()
    CollectionItem.objects.bulk_create([CollectionItem(organization=collection.organization, collection=collection,
                                                       resource_id=pk, position=index) for index, pk in enumerate(ids)])
    audit.log(organization=collection.organization, actor=actor, action="library.collection_items", obj=collection,
              data={"items": len(ids)})
    return collection


@transaction.atomic
def collection_delete(*, collection: Collection, actor: Any) -> None:
    organization, pk = collection.organization, collection.pk
    collection.delete()
    audit.log(organization=organization, actor=actor, action="library.collection_deleted",
              data={"collection_id": pk})


def _renumber(collection_id: int) -> None:
    items = list(CollectionItem.objects.filter(collection_id=collection_id).order_by("position", "id"))
    for index, item in enumerate(items):
        item.position = index
    CollectionItem.objects.bulk_update(items, ["position"])
