"""The team's library: /o/<slug>/library/ — resources (a cursor-paged, searchable list in folders),
adding files (with a progress bar), links and articles, one resource's page (viewer, sharing, history,
analytics), and the CSV export. Collections: ``views_collections``. Every object is looked up in the
business's scope: another business's id is a 404."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.clients.models import Tag
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import embeds, files, selectors, services, sharing
from .errors import LibraryError
from .forms import (
    ArticleForm,
    ExportForm,
    FolderForm,
    LinkForm,
    SearchForm,
    ShareEditForm,
    ShareForm,
    UploadForm,
)
from .models import Collection, Engagement, Folder, Resource, Share
from .pages import as_int, form_error, organization_of, visible_clients
from .views_csp import embed_csp


def _folders(request: HttpRequest) -> Any:
    return Folder.objects.filter(organization=organization_of(request)).order_by("name")


def _resource(resource_id: int) -> Resource:
    found = Resource.objects.filter(pk=resource_id).select_related("folder").first()
    if found is None:
        raise Http404("No such resource.")
    return found


@require_GET
@org_view(Perm.BACKOFFICE)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = organization_of(request)
    form = SearchForm(request.GET)
    form.is_valid()
    data = form.cleaned_data if form.is_valid() else {}
    folder_id = data.get("folder")
    folder = Folder.objects.filter(pk=folder_id).first() if folder_id else None
    error = ""
    try:
        rows, next_cursor = selectors.resource_page(organization=organization, cursor=data.get("cursor") or "",
                                                    q=data.get("q") or "", kind=data.get("kind") or "",
                                                    folder_id=folder.pk if folder else None)
    except LibraryError as exc:
        rows, next_cursor, error = [], "", str(exc)
    query = request.GET.copy()
    query.pop("cursor", None)
    used, quota = services.used_bytes(organization), services.quota_bytes(organization)
    folders = list(_folders(request).annotate(n=Count("resources")))
    return render(request, "library/index.html", {
        "rows": rows, "next_cursor": next_cursor, "form": form, "query": query.urlencode(), "folder": folder,
        "folders": folders, "subfolders": [f for f in folders if f.parent_id == (folder.pk if folder else None)],
        "filtered": bool(data.get("q") or data.get("kind")), "paged": bool(data.get("cursor")), "error": error,
        "used": used, "quota": quota, "used_percent": min(100, used * 100 // quota) if quota else 0,
        "any_resources": bool(rows) or Resource.objects.filter(organization=organization).exists(),
        "folder_form": FolderForm(initial={"parent": folder.pk if folder else None}),
    })


def _add(request: HttpRequest, form_class: type, template: str, create: Any) -> HttpResponseBase:
    organization = organization_of(request)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if request.method == "POST" and form_class is UploadForm and files.announced_too_large(request):
        error = files.too_large()
        if wants_json:
            return JsonResponse({"errors": {"file": [str(error)]}}, status=413)
        form = form_class(folders=_folders(request))
        form_error(form, error)
        return render(request, template, {"form": form}, status=413)
    form = form_class(request.POST or None, request.FILES or None, folders=_folders(request),
                      initial={"folder": as_int(request.GET.get("folder"))})
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            folder = data.get("folder")
            try:
                resource = create(organization=organization, actor=request.user, data=data,
                                  folder_id=folder.pk if folder else None)
            except LibraryError as error:
                form_error(form, error)
            else:
                url = reverse("library:resource", kwargs={"org_slug": organization.slug, "resource_id": resource.pk})
                if wants_json:
                    return JsonResponse({"id": resource.pk, "url": url}, status=201)
                messages.success(request, _("Added to your library."))
                return redirect(url)
        if wants_json:
            return JsonResponse({"errors": {k: [str(m) for m in v] for k, v in form.errors.items()}}, status=422)
    return render(request, template, {"form": form, "max_video": files.video_max_bytes() // (1024 * 1024),
                                      "max_file": files.file_max_bytes() // (1024 * 1024)},
                  status=422 if form.errors else 200)


def _common(data: dict[str, Any]) -> dict[str, Any]:
    return {"title": data.get("title") or "", "description": data.get("description") or "",
            "tags": data.get("tags") or "", "minutes": data.get("minutes")}


@org_view(Perm.BACKOFFICE)
def upload(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    def create(*, organization: Any, actor: Any, data: dict[str, Any], folder_id: int | None) -> Resource:
        return services.resource_upload(organization=organization, actor=actor, upload=data["file"],
                                        folder_id=folder_id, downloadable=bool(data.get("downloadable")),
                                        **_common(data))
    return _add(request, UploadForm, "library/upload.html", create)


@org_view(Perm.BACKOFFICE)
def link_new(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    def create(*, organization: Any, actor: Any, data: dict[str, Any], folder_id: int | None) -> Resource:
        return services.resource_link(organization=organization, actor=actor, url=data["url"], folder_id=folder_id,
                                      **_common(data))
    return _add(request, LinkForm, "library/link_form.html", create)


@org_view(Perm.BACKOFFICE)
def article_new(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    def create(*, organization: Any, actor: Any, data: dict[str, Any], folder_id: int | None) -> Resource:
        return services.resource_article(organization=organization, actor=actor, body=data["body"],
                                         folder_id=folder_id, **_common(data))
    return _add(request, ArticleForm, "library/article_form.html", create)


@require_POST
@org_view(Perm.BACKOFFICE)
def folder_new(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    form = FolderForm(request.POST)
    parent = None
    if form.is_valid():
        parent = form.cleaned_data.get("parent")
        try:
            services.folder_create(organization=organization_of(request), actor=request.user,
                                   name=form.cleaned_data["name"], parent_id=parent)
            messages.success(request, _("Folder created."))
        except LibraryError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Name the folder."))
    url = reverse("library:index", kwargs={"org_slug": org_slug})
    return redirect(f"{url}?folder={parent}" if parent else url)


def share_form(request: HttpRequest, *, drip: bool, data: Any = None) -> ShareForm:
    return ShareForm(data, clients=visible_clients(request).order_by("first_name", "last_name"),
                     tags=Tag.objects.all().order_by("name"), drip=drip)


def share_submit(request: HttpRequest, form: ShareForm, *, resource: Resource | None = None,
                 collection: Collection | None = None) -> Share | None:
    """Create the share the form describes (its wall-clock time is the business's), or put the error on it."""
    organization = organization_of(request)
    with timezone.override(organization.tzinfo):
        valid = form.is_valid()
    if not valid:
        return None
    data = form.cleaned_data
    try:
        return sharing.share_create(
            organization=organization, actor=request.user, resource=resource, collection=collection,
            client_ids=[c.pk for c in data.get("clients") or []] if data["audience"] == "clients" else None,
            tag_id=data["tag"].pk if data["audience"] == "tag" and data.get("tag") else None,
            all_clients=data["audience"] == "all", at=data.get("at") if data["when"] == "later" else None,
            repeat=data.get("repeat") or Share.Repeat.ONCE, message=data.get("message") or "")
    except LibraryError as error:
        form_error(form, error)
        return None


def shares_context(request: HttpRequest, shares: Any) -> dict[str, Any]:
    organization = organization_of(request)
    rows = list(shares.select_related("tag", "created_by").prefetch_related("clients", "events__actor")
                .order_by("-created_at", "-id")[:50])
    return {"shares": rows, "zone": organization.tzinfo, "zone_name": organization.timezone}


@embed_csp
@org_view(Perm.BACKOFFICE)
def resource(request: HttpRequest, org_slug: str, resource_id: int) -> HttpResponseBase:
    item = _resource(resource_id)
    form = share_form(request, drip=False, data=request.POST or None)
    if request.method == "POST":
        share = share_submit(request, form, resource=item)
        if share is not None:
            messages.success(request, _("Shared.") if share.runs else _("Share scheduled."))
            return redirect(request.path)
    stats = selectors.resource_stats(item)
    people = list(Engagement.objects.filter(resource=item).select_related("client").order_by("-updated_at")[:100])
    return render(request, "library/resource.html", {
        "item": item, "embed_url": embeds.player_url(item.embed_provider, item.embed_id), "form": form,
        "stats": stats, "people": people, "chart": json.dumps({
            "labels": [_("Shared with"), _("Opened"), _("Completed")],
            "values": [stats.shared_with, stats.opened, stats.completed]}),
        "collections": Collection.objects.filter(items__resource=item).distinct(),
        **shares_context(request, Share.objects.filter(resource=item)),
    }, status=422 if form.errors else 200)


@require_POST
@org_view(Perm.BACKOFFICE)
def resource_delete(request: HttpRequest, org_slug: str, resource_id: int) -> HttpResponseBase:
    services.resource_delete(resource=_resource(resource_id), actor=request.user)
    messages.success(request, _("Deleted."))
    return redirect("library:index", org_slug=org_slug)


@require_GET
@org_view(Perm.BACKOFFICE)
def resource_file(request: HttpRequest, org_slug: str, resource_id: int) -> HttpResponseBase:
    return files.file_response(_resource(resource_id), inline=request.GET.get("inline") == "1")


def _share(share_id: int) -> Share:
    found = Share.objects.filter(pk=share_id).select_related("organization", "resource", "collection").first()
    if found is None:
        raise Http404("No such share.")
    return found


def _back(share: Share, org_slug: str) -> str:
    if share.resource_id:
        return reverse("library:resource", kwargs={"org_slug": org_slug, "resource_id": share.resource_id})
    return reverse("library:collection", kwargs={"org_slug": org_slug, "collection_id": share.collection_id})


@org_view(Perm.BACKOFFICE)
def share_edit(request: HttpRequest, org_slug: str, share_id: int) -> HttpResponseBase:
    share = _share(share_id)
    organization = organization_of(request)
    initial = {"message": share.message,
               "at": share.next_run_at.astimezone(organization.tzinfo).replace(tzinfo=None) if share.next_run_at else None}
    with timezone.override(organization.tzinfo):
        form = ShareEditForm(request.POST or None, initial=initial)
        valid = request.method == "POST" and form.is_valid()
    if valid:
        at = form.cleaned_data.get("at")
        try:
            sharing.share_update(share=share, actor=request.user, message=form.cleaned_data.get("message") or "",
                                 at=at if at and not share.runs and at != share.first_at else None)
        except LibraryError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Share changed."))
            return redirect(_back(share, org_slug))
    return render(request, "library/share_edit.html", {"share": share, "form": form, "back": _back(share, org_slug),
                                                       "zone_name": organization.timezone},
                  status=422 if form.errors else 200)


@require_POST
@org_view(Perm.BACKOFFICE)
def share_cancel(request: HttpRequest, org_slug: str, share_id: int) -> HttpResponseBase:
    share = _share(share_id)
    try:
        sharing.share_cancel(share=share, actor=request.user)
        messages.success(request, _("Share cancelled."))
    except LibraryError as error:
        messages.error(request, str(error))
    return redirect(_back(share, org_slug))


@require_GET
@org_view(Perm.BACKOFFICE)
def export(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    from .export import export_response

    form = ExportForm(request.GET)
    if not form.is_valid():
        return render(request, "library/export.html", {"form": form}, status=422)
    if "start" not in request.GET:
        return render(request, "library/export.html", {"form": ExportForm()})
    return export_response(organization=organization_of(request), start=form.cleaned_data.get("start"),
                           end=form.cleaned_data.get("end"), resource_id=as_int(request.GET.get("resource")))
