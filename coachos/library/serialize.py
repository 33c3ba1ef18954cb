"""Library objects as the API's JSON."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from . import embeds
from .models import Collection, Engagement, Resource, Share, ShareEvent
from .selectors import Item, Library, Stats


def resource_json(resource: Resource) -> dict[str, Any]:
    return {
        "id": resource.pk, "kind": resource.kind, "media": resource.media, "title": resource.title,
        "description": resource.description, "tags": resource.tag_list, "folder": resource.folder_id,
        "url": resource.url, "embed_url": embeds.player_url(resource.embed_provider, resource.embed_id),
        "file_name": resource.file_name, "content_type": resource.content_type, "size": resource.size,
        "downloadable": resource.downloadable, "minutes": resource.minutes, "created_at": resource.created_at,
        "download_url": reverse("api:library_download", kwargs={"resource_id": resource.pk})
        if resource.kind == Resource.Kind.FILE else "",
    }


def collection_json(collection: Collection) -> dict[str, Any]:
    items = list(collection.items.select_related("resource").order_by("position"))
    return {"id": collection.pk, "title": collection.title, "description": collection.description,
            "sequential": collection.sequential, "created_at": collection.created_at,
            "minutes": sum(i.resource.minutes or 0 for i in items),
            "items": [{"position": i.position, "resource": resource_json(i.resource)} for i in items]}


def event_json(event: ShareEvent) -> dict[str, Any]:
    actor = event.actor
    return {"action": event.action, "actor": (getattr(actor, "name", "") or getattr(actor, "email", "")) if actor else "",
            "audience": event.audience, "clients": event.clients, "at": event.at}


def share_json(share: Share) -> dict[str, Any]:
    return {"id": share.pk, "resource": share.resource_id, "collection": share.collection_id,
            "audience": share.audience, "clients": sorted(c.pk for c in share.clients.all()), "tag": share.tag_id,
            "message": share.message, "repeat": share.repeat, "status": share.status, "first_at": share.first_at,
            "next_run_at": share.next_run_at, "runs": share.runs,
            "history": [event_json(e) for e in share.events.select_related("actor").order_by("at", "id")]}


def _item(item: Item, collection_id: int | None) -> dict[str, Any]:
    r = item.resource
    return {"id": r.pk, "kind": r.kind, "media": r.media, "title": r.title, "collection": collection_id,
            "position": item.position, "locked": item.locked, "new": item.new, "shared_at": item.granted_at,
            "opened_at": item.opened_at, "completed_at": item.completed_at, "seconds": item.seconds}


def library_json(library: Library) -> list[dict[str, Any]]:
    rows = [_item(item, None) for item in library.resources]
    for shared in library.collections:
        rows.extend(_item(item, shared.collection.pk) for item in shared.items)
    return rows


def engagement_json(row: Engagement) -> dict[str, Any]:
    return {"resource": row.resource_id, "opened_at": row.opened_at, "completed_at": row.completed_at,
            "seconds": row.seconds, "downloads": row.downloads}


def stats_json(stats: Stats) -> dict[str, Any]:
    return {"shared_with": stats.shared_with, "opened": stats.opened, "completed": stats.completed,
            "average_seconds": stats.average_seconds, "downloads": stats.downloads}
