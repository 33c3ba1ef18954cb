"""The library API's shapes (django-ninja). No ``from __future__ import annotations``: ninja reads them."""

from datetime import datetime
from typing import Literal

from ninja import Field

from coachos.common.schema import Schema


class FieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """An RFC 9457 problem details body (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    code: str | None = None
    errors: list[FieldError] | None = None


def problems(*statuses: int) -> dict[int, type[Problem]]:
    return {status: Problem for status in (401, 403, 404, *statuses)}


class ResourceOut(Schema):
    id: int
    kind: str = Field(description="file, link or article")
    media: str = Field(description="pdf, image, video, audio, document, video_link, web or article")
    title: str
    description: str
    tags: list[str]
    folder: int | None
    url: str = Field(description="A link's address")
    embed_url: str = Field(description="A YouTube or Vimeo link's player")
    file_name: str
    content_type: str
    size: int
    downloadable: bool
    minutes: int | None
    created_at: datetime
    download_url: str


class ResourceLinkIn(Schema):
    """JSON: a link (`url`) or an article (`body`, HTML, sanitized)."""

    title: str = Field(..., max_length=200)
    url: str | None = Field(None, max_length=500)
    body: str | None = Field(None, max_length=200_000)
    description: str = Field("", max_length=5000)
    tags: list[str] = Field(default_factory=list, max_length=20)
    folder: int | None = None
    estimated_minutes: int | None = Field(None, ge=1, le=100_000, description="Minutes to complete")


class ResourcePatch(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    tags: list[str] | None = Field(None, max_length=20)
    downloadable: bool | None = None
    body: str | None = Field(None, max_length=200_000)


class ResourcePage(Schema):
    items: list[ResourceOut]
    next_cursor: str = Field(description="Pass as `cursor` for the next page; empty at the end")


class ResourceQuery(Schema):
    cursor: str = Field("", max_length=200)
    q: str = Field("", max_length=200, description="Words in the title, description or tags")
    kind: str = Field("", max_length=12, description="file, link, article, or a media type (pdf, video…)")
    tag: str = Field("", max_length=40)
    folder: int | None = None
    limit: int = Field(50, ge=1, le=200)


class CollectionIn(Schema):
    title: str = Field(..., max_length=200)
    resources: list[int] = Field(default_factory=list, max_length=200)
    sequential: bool = False
    description: str = Field("", max_length=5000)


class CollectionItemOut(Schema):
    position: int
    resource: ResourceOut


class CollectionOut(Schema):
    id: int
    title: str
    description: str
    sequential: bool
    minutes: int = Field(description="Estimated minutes to complete every item")
    items: list[CollectionItemOut]
    created_at: datetime


class ItemsIn(Schema):
    resources: list[int] = Field(..., max_length=200)


class ShareIn(Schema):
    resource: int | None = None
    collection: int | None = None
    clients: list[int] | None = Field(None, max_length=5000)
    tag: int | None = None
    all_clients: bool = False
    at: datetime | None = Field(None, description="When to share (ISO 8601 with its UTC offset). Absent: "
                                                  "now. A drip repeats at the same wall-clock time in the business's "
                                                  "zone.")
    repeat: Literal["once", "weekly", "monthly"] = Field("once", description="weekly/monthly: a collection's "
                                                                             "items one at a time (a drip)")
    message: str = Field("", max_length=2000)


class SharePatch(Schema):
    clients: list[int] | None = Field(None, max_length=5000)
    tag: int | None = None
    all_clients: bool = False
    at: datetime | None = None
    message: str | None = Field(None, max_length=2000)


class ShareEventOut(Schema):
    action: str
    actor: str
    audience: str
    clients: int
    at: datetime


class ShareOut(Schema):
    id: int
    resource: int | None
    collection: int | None
    audience: str
    clients: list[int]
    tag: int | None
    message: str
    repeat: str
    status: str
    first_at: datetime
    next_run_at: datetime | None
    runs: int
    history: list[ShareEventOut]


class ClientResourceOut(Schema):
    id: int
    kind: str
    media: str
    title: str
    collection: int | None
    position: int | None
    locked: bool
    new: bool
    shared_at: datetime | None
    opened_at: datetime | None
    completed_at: datetime | None
    seconds: int


class EngagementIn(Schema):
    event: Literal["open", "beat", "complete", "uncomplete"]
    seconds: float = Field(0, ge=0, le=60, description="A beat: seconds the viewer was visible (at most 60)")


class EngagementOut(Schema):
    resource: int
    opened_at: datetime | None
    completed_at: datetime | None
    seconds: int
    downloads: int


class StatsOut(Schema):
    shared_with: int
    opened: int
    completed: int
    average_seconds: int
    downloads: int
