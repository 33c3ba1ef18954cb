"""A client's library in the portal: /portal/<slug>/library/ ("Library" in the portal's navigation).
Everything is looked up through the signed-in client's own library (``selectors.client_library``):
something not shared with them — by id or by a file's URL — is a 404, like another business's; an item
a sequential collection still locks says so and opens nothing."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.clients.models import Client
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import embeds, engagement, files, selectors
from .errors import LibraryError
from .pages import own_client
from .views_csp import embed_csp


def _client(request: HttpRequest) -> Client:
    client = own_client(request)
    if client is None:
        raise Http404("No client record.")
    return client


@require_GET
@org_view(Perm.PORTAL)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = own_client(request)
    if client is None:
        return render(request, "library/portal/no_record.html")
    library = selectors.client_library(client)
    return render(request, "library/portal/index.html", {"library": library, "client": client})


@require_GET
@org_view(Perm.PORTAL)
def collection(request: HttpRequest, org_slug: str, collection_id: int) -> HttpResponse:
    shared = selectors.collection_for(_client(request), collection_id)
    if shared is None:
        raise Http404("No such collection.")
    return render(request, "library/portal/collection.html", {"shared": shared})


@embed_csp
@require_GET
@org_view(Perm.PORTAL)
def resource(request: HttpRequest, org_slug: str, resource_id: int) -> HttpResponse:
    client = _client(request)
    item = selectors.resource_access(client, resource_id)
    if item is None:
        raise Http404("No such resource.")
    if item.locked:
        return render(request, "library/portal/locked.html", {"item": item}, status=409)
    engagement.engagement_open(client=client, resource_id=resource_id)
    item = selectors.resource_access(client, resource_id) or item
    collection_id = next((c.collection.pk for c in selectors.client_library(client).collections
                          if any(i.resource.pk == resource_id for i in c.items)), None)
    return render(request, "library/portal/resource.html", {
        "item": item, "resource": item.resource, "collection_id": collection_id,
        "embed_url": embeds.player_url(item.resource.embed_provider, item.resource.embed_id)})


@require_GET
@org_view(Perm.PORTAL)
def resource_file(request: HttpRequest, org_slug: str, resource_id: int) -> HttpResponseBase:
    """The file: inline in the viewer (``?inline=1``), else a counted download where allowed."""
    client = _client(request)
    inline = request.GET.get("inline") == "1"
    try:
        if inline:
            item = engagement.open_item(client, resource_id)
        else:
            item = engagement.engagement_download(client=client, resource_id=resource_id)
    except LibraryError:
        raise Http404("Locked.") from None
    if not inline and not item.resource.downloadable:
        raise Http404("Not downloadable.")
    return files.file_response(item.resource, inline=inline)


@require_POST
@org_view(Perm.PORTAL)
def complete(request: HttpRequest, org_slug: str, resource_id: int) -> HttpResponseBase:
    client = _client(request)
    done = request.POST.get("done", "1") == "1"
    try:
        engagement.engagement_complete(client=client, resource_id=resource_id, done=done)
    except LibraryError as error:
        return render(request, "library/portal/locked.html", {"message": str(error)}, status=409)
    next_url = request.POST.get("next", "")
    if next_url.startswith(f"/portal/{org_slug}/library/"):
        return redirect(next_url)
    return redirect("portal_library:resource", org_slug=org_slug, resource_id=resource_id)


@require_POST
@org_view(Perm.PORTAL)
def beat(request: HttpRequest, org_slug: str, resource_id: int) -> JsonResponse:
    """Seconds the viewer was visible (from ``viewer.js``)."""
    client = _client(request)
    if selectors.resource_access(client, resource_id) is None:
        raise Http404("No such resource.")
    try:
        seconds = int(json.loads(request.body or b"{}").get("seconds", 0))
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": _("The beat could not be read.")}, status=400)
    try:
        row = engagement.engagement_beat(client=client, resource_id=resource_id, seconds=seconds)
    except LibraryError as error:
        return JsonResponse({"error": str(error)}, status=error.status)
    return JsonResponse({"seconds": row.seconds})
