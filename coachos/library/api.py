"""The library API (``/api/v1/``): resources, collections, shares, a client's library, downloads and
engagement. The team's tokens manage the library; a client's own token reads their library, opens and
completes what was shared with them, and downloads it. Anything not theirs is a 404.

No ``from __future__ import annotations``: django-ninja reads the annotations at import."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from coachos.clients.models import Client, Tag
from coachos.clients.selectors import clients_visible_to, sees_every_client
from coachos.common.problems import problem_response
from coachos.common.schema import JsonObject, JsonParser
from coachos.tenancy.models import Membership
from coachos.tenancy.roles import Perm

from . import engagement, files, selectors, serialize, services, sharing
from .errors import FORBIDDEN, LibraryError
from .models import Collection, Folder, Resource, Share
from .schemas import (
    ClientResourceOut,
    CollectionIn,
    CollectionOut,
    EngagementIn,
    EngagementOut,
    ItemsIn,
    ResourceLinkIn,
    ResourceOut,
    ResourcePage,
    ResourcePatch,
    ResourceQuery,
    ShareIn,
    ShareOut,
    SharePatch,
    StatsOut,
    problems,
)

router = Router(tags=["library"])


def _membership(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def _actor(request: HttpRequest) -> Any:
    return getattr(request, "auth", None)


def _team(request: HttpRequest) -> Membership:
    membership = _membership(request)
    if not membership.is_team or not membership.has(Perm.BACKOFFICE):
        raise LibraryError(_("Only the team can do this."), code=FORBIDDEN)
    return membership


def own_client(request: HttpRequest) -> Client | None:
    membership = _membership(request)
    if membership.is_team:
        return None
    return Client.objects.filter(user_id=membership.user_id).select_related("organization").first()


def _resource(request: HttpRequest, resource_id: int) -> Resource:
    _team(request)
    found = Resource.objects.filter(pk=resource_id).select_related("folder").first()
    if found is None:
        raise Http404
    return found


def _collection(request: HttpRequest, collection_id: int) -> Collection:
    _team(request)
    found = Collection.objects.filter(pk=collection_id).first()
    if found is None:
        raise Http404
    return found


def _share(request: HttpRequest, share_id: int) -> Share:
    membership = _team(request)
    found = Share.objects.filter(pk=share_id).select_related("organization").first()
    if found is None:
        raise Http404
    # A coach limited to their own clients manages only shares to clients of theirs.
    if not sees_every_client(membership) and (
            found.audience != Share.Audience.CLIENTS
            or found.clients.exclude(pk__in=clients_visible_to(membership).values("pk")).exists()):
        raise Http404
    return found


def _path_hidden(request: HttpRequest, kwargs: dict[str, Any]) -> bool:
    """Whether an object the path names is not the caller's to see (checked before ninja reads a body)."""
    membership = _membership(request)
    for name, model in (("resource_id", Resource), ("collection_id", Collection), ("share_id", Share)):
        if name in kwargs and str(kwargs[name]).isdigit() and not model.objects.filter(pk=int(kwargs[name])).exists():
            return True
    if "client_id" in kwargs and str(kwargs["client_id"]).isdigit():
        pk = int(kwargs["client_id"])
        if membership.is_team:
            return not clients_visible_to(membership).filter(pk=pk).exists()
        return not Client.objects.filter(pk=pk, user_id=membership.user_id).exists()
    return False


def library_view(run: Callable[..., Any]) -> Callable[..., Any]:
    """Another business's (or an unknown) object in the path is a 404, whatever the body holds."""
    @wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if getattr(request, "membership", None) is not None and _path_hidden(request, kwargs):
            return problem_response(404, "Not found", "No such object.")
        return run(request, *args, **kwargs)

    return wrapper


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"}, "title": {"type": "string"},
            "description": {"type": "string"}, "tags": {"type": "string", "description": "comma-separated"},
            "folder": {"type": "integer"}, "downloadable": {"type": "boolean"},
            "estimated_minutes": {"type": "integer"}}}},
        "application/json": {"schema": ResourceLinkIn.model_json_schema()},
    },
}


def _int(value: str | None, field: str) -> int | None:
    if value in (None, ""):
        return None
    if not str(value).isdigit() or len(str(value)) > 9:
        raise LibraryError(_("Enter a whole number."), field=field)
    return int(str(value))


@router.post("/resources", response={201: ResourceOut, **problems(400, 413, 415, 422)}, url_name="library_resources",
             summary="Add a resource: a file (multipart `file` + `title`), or a link / an article (JSON)",
             description="multipart/form-data with `file` (PDF, image, audio, video, office document; video at most "
                         "200 MB, anything else 25 MB; the type is read from the bytes: HTML, SVG and programs are "
                         "refused) and `title`; or JSON `{title, url}` (YouTube and Vimeo links embed as players) or "
                         "`{title, body}` (an article, HTML, sanitized). The business's storage quota applies.",
             openapi_extra={"requestBody": UPLOAD_BODY})
def resource_create(request: HttpRequest) -> Any:
    membership = _team(request)
    content_type = (request.content_type or "").lower()
    if content_type.startswith("multipart/"):
        if files.announced_too_large(request):
            raise files.too_large()
        upload = request.FILES.get("file")
        if upload is None:
            raise LibraryError(_("Choose a file."), field="file")
        resource = services.resource_upload(
            organization=membership.organization, actor=_actor(request), upload=upload,
            title=request.POST.get("title", ""), description=request.POST.get("description", ""),
            tags=request.POST.get("tags", ""), folder_id=_int(request.POST.get("folder"), "folder"),
            downloadable=request.POST.get("downloadable", "true").lower() not in {"false", "0", "no"},
            minutes=_int(request.POST.get("estimated_minutes"), "estimated_minutes"))
        return Status(201, serialize.resource_json(resource))
    try:
        # The API's own JSON parser: strict types (JsonObject), no NaN, no NUL (coachos/common/schema.py)
        data = JsonParser().parse_body(request) if request.body else JsonObject()
    except ValueError:  # not JSON, not UTF-8, NaN
        return problem_response(400, "Malformed request body", "The request body is not valid JSON.")
    if b"\\u0000" in request.body.lower():  # no text a person writes holds a NUL; PostgreSQL cannot store one
        return problem_response(400, "Malformed request body", "The request body holds a NUL character.")
    payload = ResourceLinkIn.model_validate(data)
    common: dict[str, Any] = {"organization": membership.organization, "actor": _actor(request), "title": payload.title,
                              "description": payload.description, "tags": payload.tags, "folder_id": payload.folder,
                              "minutes": payload.estimated_minutes}
    if payload.url and payload.body:
        raise LibraryError(_("Send a link or an article, not both."), field="url")
    if payload.url:
        resource = services.resource_link(url=payload.url, **common)
    elif payload.body:
        resource = services.resource_article(body=payload.body, **common)
    else:
        raise LibraryError(_("Send a file, a link (`url`) or an article (`body`)."), field="url")
    return Status(201, serialize.resource_json(resource))


@router.get("/resources", response={200: ResourcePage, **problems(422)},
            summary="The library, newest first, a page at a time (search by title, description, tag, type)")
def resource_list(request: HttpRequest, query: Query[ResourceQuery]) -> Any:
    membership = _team(request)
    if query.folder is not None and not Folder.objects.filter(pk=query.folder).exists():
        raise LibraryError(_("That folder does not exist."), field="folder")
    rows, cursor = selectors.resource_page(organization=membership.organization, cursor=query.cursor,
                                           limit=query.limit, q=query.q, kind=query.kind, tag=query.tag,
                                           folder_id=query.folder)
    return {"items": [serialize.resource_json(r) for r in rows], "next_cursor": cursor}


@router.get("/resources/{resource_id}", response={200: ResourceOut, **problems()}, summary="One resource")
@decorate_view(library_view)
def resource_get(request: HttpRequest, resource_id: int) -> Any:
    return serialize.resource_json(_resource(request, resource_id))


@router.patch("/resources/{resource_id}", response={200: ResourceOut, **problems(422)}, summary="Change a resource")
@decorate_view(library_view)
def resource_patch(request: HttpRequest, resource_id: int, payload: ResourcePatch) -> Any:
    resource = services.resource_update(resource=_resource(request, resource_id), actor=_actor(request),
                                        title=payload.title, description=payload.description, tags=payload.tags,
                                        downloadable=payload.downloadable, body=payload.body)
    return serialize.resource_json(resource)


@router.delete("/resources/{resource_id}", response={204: None, **problems()}, summary="Delete a resource")
@decorate_view(library_view)
def resource_delete(request: HttpRequest, resource_id: int) -> Any:
    services.resource_delete(resource=_resource(request, resource_id), actor=_actor(request))
    return Status(204, None)


@router.get("/resources/{resource_id}/download", response={200: None, 302: None, **problems(409)},
            url_name="library_download",
            summary="The file, for the team and for clients it was shared with; 404 for anyone else",
            description="`?inline=1` shows a PDF, image, audio or video in the browser. A client's download is "
                        "counted; an item a sequential collection still locks is a 409.")
@decorate_view(library_view)
def resource_download(request: HttpRequest, resource_id: int, inline: bool = False) -> Any:
    membership = _membership(request)
    if membership.is_team:
        resource = _resource(request, resource_id)
    else:
        client = own_client(request)
        if client is None:
            raise Http404
        resource = engagement.engagement_download(client=client, resource_id=resource_id).resource
        if not resource.downloadable:
            inline = True
    return files.file_response(resource, inline=inline)


@router.get("/resources/{resource_id}/analytics", response={200: StatsOut, **problems()},
            summary="Shared with, opened, completed, average time and downloads")
@decorate_view(library_view)
def resource_analytics(request: HttpRequest, resource_id: int) -> Any:
    return serialize.stats_json(selectors.resource_stats(_resource(request, resource_id)))


@router.post("/resources/{resource_id}/engagement", response={200: EngagementOut, **problems(409, 422)},
             summary="A client's own engagement: open, a beat of visible time (≤ 60 s), complete, uncomplete")
@decorate_view(library_view)
def resource_engagement(request: HttpRequest, resource_id: int, payload: EngagementIn) -> Any:
    client = own_client(request)
    if client is None:
        if not Resource.objects.filter(pk=resource_id).exists():
            raise Http404
        raise LibraryError(_("Only the client records their engagement."), code=FORBIDDEN)
    if payload.event == "open":
        row = engagement.engagement_open(client=client, resource_id=resource_id)
    elif payload.event == "beat":
        row = engagement.engagement_beat(client=client, resource_id=resource_id, seconds=round(payload.seconds))
    else:
        row = engagement.engagement_complete(client=client, resource_id=resource_id,
                                             done=payload.event == "complete")
    return serialize.engagement_json(row)


@router.post("/collections", response={201: CollectionOut, **problems(422)}, summary="Make a collection")
def collection_create(request: HttpRequest, payload: CollectionIn) -> Any:
    membership = _team(request)
    collection = services.collection_create(organization=membership.organization, actor=_actor(request),
                                            title=payload.title, resource_ids=payload.resources,
                                            sequential=payload.sequential, description=payload.description)
    return Status(201, serialize.collection_json(collection))


@router.get("/collections/{collection_id}", response={200: CollectionOut, **problems()}, summary="One collection")
@decorate_view(library_view)
def collection_get(request: HttpRequest, collection_id: int) -> Any:
    return serialize.collection_json(_collection(request, collection_id))


@router.put("/collections/{collection_id}/items", response={200: CollectionOut, **problems(422)},
            summary="Set a collection's items in order (reorder, add, remove)")
@decorate_view(library_view)
def collection_items(request: HttpRequest, collection_id: int, payload: ItemsIn) -> Any:
    collection = services.collection_set_items(collection=_collection(request, collection_id), actor=_actor(request),
                                               resource_ids=payload.resources)
    return serialize.collection_json(collection)


def _target(request: HttpRequest, resource_id: int | None, collection_id: int | None
            ) -> tuple[Resource | None, Collection | None]:
    resource = Resource.objects.filter(pk=resource_id).first() if resource_id is not None else None
    collection = Collection.objects.filter(pk=collection_id).first() if collection_id is not None else None
    if (resource_id is not None and resource is None) or (collection_id is not None and collection is None):
        raise LibraryError(_("That resource or collection does not exist."),
                           field="resource" if resource_id is not None else "collection")
    return resource, collection


@router.post("/shares", response={201: ShareOut, **problems(422)},
             summary="Share a resource or a collection with clients, a tag or everyone; now, later, or as a drip")
def share_create(request: HttpRequest, payload: ShareIn) -> Any:
    membership = _team(request)
    resource, collection = _target(request, payload.resource, payload.collection)
    if payload.tag is not None and not Tag.objects.filter(pk=payload.tag).exists():
        raise LibraryError(_("That tag does not exist."), field="tag")
    share = sharing.share_create(organization=membership.organization, actor=_actor(request), resource=resource,
                                 collection=collection, client_ids=payload.clients, tag_id=payload.tag,
                                 all_clients=payload.all_clients, at=payload.at, repeat=payload.repeat,
                                 message=payload.message)
    return Status(201, serialize.share_json(share))


@router.get("/shares/{share_id}", response={200: ShareOut, **problems()}, summary="A share and its history")
@decorate_view(library_view)
def share_get(request: HttpRequest, share_id: int) -> Any:
    return serialize.share_json(_share(request, share_id))


@router.patch("/shares/{share_id}", response={200: ShareOut, **problems(409, 422)},
              summary="Change a share before it goes (time, message, audience)")
@decorate_view(library_view)
def share_patch(request: HttpRequest, share_id: int, payload: SharePatch) -> Any:
    share = sharing.share_update(share=_share(request, share_id), actor=_actor(request), at=payload.at,
                                 message=payload.message, client_ids=payload.clients, tag_id=payload.tag,
                                 all_clients=payload.all_clients)
    return serialize.share_json(share)


@router.post("/shares/{share_id}/cancel", response={200: ShareOut, **problems(409)},
             summary="Cancel a share before it goes (a drip: its next items)")
@decorate_view(library_view)
def share_cancel(request: HttpRequest, share_id: int) -> Any:
    return serialize.share_json(sharing.share_cancel(share=_share(request, share_id), actor=_actor(request)))


@router.get("/clients/{client_id}/resources", response={200: list[ClientResourceOut], **problems()},
            summary="What a client can see in their library, with when they opened and completed each item")
@decorate_view(library_view)
def client_resources(request: HttpRequest, client_id: int) -> Any:
    membership = _membership(request)
    if membership.is_team:
        client = clients_visible_to(membership).filter(pk=client_id).first()
    else:
        client = own_client(request)
        if client is not None and client.pk != client_id:
            client = None
    if client is None:
        raise Http404
    return serialize.library_json(selectors.client_library(client))


def error_response(exc: LibraryError) -> HttpResponse:
    titles = {403: "Forbidden", 409: "Conflict", 413: "File too large", 415: "Unsupported file type"}
    extra: dict[str, Any] = {}
    if exc.status in (413, 415, 422) or exc.field:
        extra["errors"] = [{"field": exc.field, "message": str(exc)}]
    return problem_response(exc.status, titles.get(exc.status, "Invalid request"), str(exc), code=exc.code, **extra)
