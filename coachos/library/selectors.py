"""Reads of the library that pages, API and exports share — each in a constant number of queries.

``client_library`` is the one rule for what a client sees: resources given to them directly, and the
items of collections given to them (a drip's first ``released`` items). ``resource_access`` says whether
a client may open one resource, and whether a sequential collection still locks it: every page, API,
download and engagement beat asks it."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from .errors import LibraryError
from .models import Collection, CollectionItem, Engagement, Grant, Resource

PAGE = 50


# --- the coach's list ------------------------------------------------------------------------------

def encode_cursor(resource: Resource) -> str:
    return base64.urlsafe_b64encode(f"{resource.created_at.isoformat()}|{resource.pk}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        stamp, _sep, pk = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        when = parse_datetime(stamp)
        if when is None or not pk.isdigit():
            raise ValueError
        return when, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise LibraryError(_("The cursor is not valid. Start again from the first page."), field="cursor") from None


def resource_search(*, organization: Organization, q: str = "", kind: str = "", tag: str = "",
                    folder_id: int | None = None) -> QuerySet[Resource]:
    rows = Resource.objects.filter(organization=organization)
    q, tag = q.replace("\x00", ""), tag.replace("\x00", "")  # PostgreSQL text cannot hold NUL
    for word in q.split()[:8]:
        rows = rows.filter(Q(title__icontains=word) | Q(description__icontains=word) | Q(tags__icontains=word))
    if kind:
        rows = rows.filter(Q(kind=kind) | Q(media=kind))
    if tag:
        rows = rows.filter(tags__icontains=tag)
    if folder_id is not None:
        rows = rows.filter(folder_id=folder_id)
    return rows


def resource_page(*, organization: Organization, cursor: str = "", limit: int = PAGE, **filters: object
                  ) -> tuple[list[Resource], str]:
    """One page, newest first, and the cursor of the next ("" at the end): keyset, so page 100 is as
    fast as page 1. Two queries whatever the page."""
    rows = resource_search(organization=organization, **filters).select_related("folder")  # type: ignore[arg-type]
    after = decode_cursor(cursor)
    if after is not None:
        when, pk = after
        rows = rows.filter(Q(created_at__lt=when) | Q(created_at=when, pk__lt=pk))
    page = list(rows.order_by("-created_at", "-id")[:limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, encode_cursor(page[-1]) if more and page else ""


# --- what a client sees ----------------------------------------------------------------------------

@dataclass
class Item:
    resource: Resource
    opened_at: datetime | None = None
    completed_at: datetime | None = None
    seconds: int = 0
    locked: bool = False
    new: bool = False
    granted_at: datetime | None = None
    message: str = ""
    position: int | None = None


@dataclass
class SharedCollection:
    collection: Collection
    items: list[Item] = field(default_factory=list)
    total: int = 0  # items in the collection (a drip may have released fewer)
    new: bool = False
    granted_at: datetime | None = None
    message: str = ""

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.completed_at)

    @property
    def minutes(self) -> int:
        return sum(item.resource.minutes or 0 for item in self.items)

    @property
    def minutes_left(self) -> int:
        return sum(item.resource.minutes or 0 for item in self.items if not item.completed_at)


@dataclass
class Library:
    resources: list[Item]
    collections: list[SharedCollection]

    def item(self, resource_id: int) -> Item | None:
        """The resource as the client may open it: unlocked anywhere wins over locked."""
        found: Item | None = None
        for item in self.all_items():
            if item.resource.pk == resource_id and (found is None or found.locked):
                found = item
        return found

    def all_items(self) -> list[Item]:
        return [*self.resources, *(item for shared in self.collections for item in shared.items)]


def client_library(client: Client) -> Library:
    """Everything shared with ``client`` (four queries)."""
    grants = list(Grant.objects.filter(client=client).select_related("resource", "collection")
                  .order_by("-granted_at", "-id"))
    collection_grants = {g.collection_id: g for g in grants if g.collection_id is not None}
    items = list(CollectionItem.objects.filter(collection_id__in=list(collection_grants)).select_related("resource")
                 .order_by("collection_id", "position")) if collection_grants else []
    resource_ids = {g.resource_id for g in grants if g.resource_id} | {i.resource_id for i in items}
    engagement = {e.resource_id: e for e in Engagement.objects.filter(client=client, resource_id__in=resource_ids)}

    def item_of(resource: Resource, **extra: object) -> Item:
        e = engagement.get(resource.pk)
        return Item(resource=resource, opened_at=e.opened_at if e else None, completed_at=e.completed_at if e else None,
                    seconds=e.seconds if e else 0, **extra)  # type: ignore[arg-type]

    direct = [item_of(g.resource, new=g.seen_at is None, granted_at=g.granted_at, message=g.message)
              for g in grants if g.resource is not None]
    shared: dict[int, SharedCollection] = {
        cid: SharedCollection(collection=g.collection, new=g.seen_at is None, granted_at=g.granted_at,  # type: ignore[arg-type]
                              message=g.message) for cid, g in collection_grants.items()}
    for ci in items:
        entry = shared[ci.collection_id]
        entry.total += 1
        grant = collection_grants[ci.collection_id]
        if grant.released is not None and ci.position >= grant.released:
            continue
        entry.items.append(item_of(ci.resource, position=ci.position, granted_at=grant.granted_at))
    for entry in shared.values():
        if entry.collection.sequential:
            previous_done = True
            for item in entry.items:
                item.locked = not previous_done
                previous_done = item.completed_at is not None
    return Library(resources=direct, collections=[shared[cid] for cid in collection_grants])


def resource_access(client: Client, resource_id: int) -> Item | None:
    """The resource if ``client`` may see it (``locked`` when a sequential collection still holds it),
    else None."""
    return client_library(client).item(resource_id)


def collection_for(client: Client, collection_id: int) -> SharedCollection | None:
    return next((c for c in client_library(client).collections if c.collection.pk == collection_id), None)


# --- analytics ----------------------------------------------------------------------------------------

@dataclass
class Stats:
    shared_with: int = 0
    opened: int = 0
    completed: int = 0
    seconds: int = 0
    downloads: int = 0

    @property
    def average_seconds(self) -> int:
        return self.seconds // self.opened if self.opened else 0


def reach(resource: Resource) -> QuerySet[Client]:
    """Clients who were given ``resource`` (directly, or in a collection as far as it was released)."""
    # One filter() call: the position and the resource are of the same collection item (one join).
    via_collection = Grant.objects.filter(Q(collection__items__resource=resource) & (
        Q(released__isnull=True) | Q(released__gt=F("collection__items__position"))))
    return Client.objects.filter(Q(library_grants__resource=resource) | Q(pk__in=via_collection.values("client_id"))
                                 ).distinct()


def resource_stats(resource: Resource) -> Stats:
    stats = Stats(shared_with=reach(resource).count())
    for e in Engagement.objects.filter(resource=resource, opened_at__isnull=False).values_list(
            "completed_at", "seconds", "downloads"):
        stats.opened += 1
        stats.completed += 1 if e[0] else 0
        stats.seconds += e[1]
        stats.downloads += e[2]
    return stats


def collection_stats(collection: Collection) -> tuple[Stats, list[tuple[Resource, Stats]]]:
    """The collection's clients (given it), how many opened any item and finished all, and each item's own."""
    items = list(CollectionItem.objects.filter(collection=collection).select_related("resource").order_by("position"))
    client_ids = set(Grant.objects.filter(collection=collection).values_list("client_id", flat=True))
    per_item: dict[int, Stats] = {ci.resource_id: Stats(shared_with=len(client_ids)) for ci in items}
    opened: set[int] = set()
    completed_by: dict[int, int] = {}
    total = Stats(shared_with=len(client_ids))
    rows = Engagement.objects.filter(resource_id__in=list(per_item), client_id__in=client_ids,
                                     opened_at__isnull=False).values_list("resource_id", "client_id", "completed_at",
                                                                          "seconds")
    for resource_id, client_id, completed_at, seconds in rows:
        s = per_item[resource_id]
        s.opened += 1
        s.seconds += seconds
        total.seconds += seconds
        opened.add(client_id)
        if completed_at:
            s.completed += 1
            completed_by[client_id] = completed_by.get(client_id, 0) + 1
    total.opened = len(opened)
    total.completed = sum(1 for n in completed_by.values() if items and n >= len(items))
    return total, [(ci.resource, per_item[ci.resource_id]) for ci in items]


def engagement_rows(*, organization: Organization, start: datetime | None = None, end: datetime | None = None,
                    resource_id: int | None = None, client_id: int | None = None) -> QuerySet[Engagement]:
    """Engagement rows (for the page and the CSV alike), by last activity in [start, end)."""
    rows = Engagement.objects.filter(organization=organization)
    if start is not None:
        rows = rows.filter(updated_at__gte=start)
    if end is not None:
        rows = rows.filter(updated_at__lt=end)
    if resource_id is not None:
        rows = rows.filter(resource_id=resource_id)
    if client_id is not None:
        rows = rows.filter(client_id=client_id)
    return rows.order_by("updated_at", "id")
