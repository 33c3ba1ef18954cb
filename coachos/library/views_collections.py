"""The team's collections: /o/<slug>/library/collections/ — make one, order its items (drag and drop or
the keyboard: the page posts the new order), make it sequential, share it (now, later, or a weekly /
monthly drip), and see how far its clients got."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import selectors, services
from .errors import LibraryError
from .forms import AddItemForm, CollectionForm
from .models import Collection, Resource, Share
from .pages import form_error, organization_of
from .views import share_form, share_submit, shares_context


def _collection(collection_id: int) -> Collection:
    found = Collection.objects.filter(pk=collection_id).first()
    if found is None:
        raise Http404("No such collection.")
    return found


@org_view(Perm.BACKOFFICE)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    from django.db.models import Count

    rows = Collection.objects.annotate(n=Count("items")).order_by("-created_at", "-id")[:200]
    return render(request, "library/collections.html", {"rows": rows})


@org_view(Perm.BACKOFFICE)
def new(request: HttpRequest, org_slug: str) -> HttpResponseBase:
    form = CollectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(organization=organization_of(request), actor=request.user,
                                                    title=form.cleaned_data["title"], resource_ids=[],
                                                    sequential=form.cleaned_data["sequential"],
                                                    description=form.cleaned_data["description"])
        except LibraryError as error:
            form_error(form, error)
        else:
            return redirect("library:collection", org_slug=org_slug, collection_id=collection.pk)
    return render(request, "library/collection_form.html", {"form": form}, status=422 if form.errors else 200)


def _resources() -> object:
    return Resource.objects.order_by("title")[:500]


@org_view(Perm.BACKOFFICE)
def detail(request: HttpRequest, org_slug: str, collection_id: int) -> HttpResponseBase:
    collection = _collection(collection_id)
    form = share_form(request, drip=True, data=request.POST or None)
    if request.method == "POST":
        share = share_submit(request, form, collection=collection)
        if share is not None:
            messages.success(request, _("Shared.") if share.runs else _("Share scheduled."))
            return redirect(request.path)
    total, per_item = selectors.collection_stats(collection)
    return render(request, "library/collection.html", {
        "collection": collection, "per_item": per_item, "total": total, "form": form,
        "minutes": sum(r.minutes or 0 for r, _s in per_item),
        "add_form": AddItemForm(resources=Resource.objects.exclude(collection_items__collection=collection)
                                .order_by("title")),
        "settings_form": CollectionForm(initial=instance_initial(collection)),
        "chart": json.dumps({"labels": [r.title[:30] for r, _s in per_item],
                             "opened": [s.opened for _r, s in per_item],
                             "completed": [s.completed for _r, s in per_item]}),
        **shares_context(request, Share.objects.filter(collection=collection)),
    }, status=422 if form.errors else 200)


def instance_initial(collection: Collection) -> dict[str, object]:
    return {"title": collection.title, "description": collection.description, "sequential": collection.sequential}


@require_POST
@org_view(Perm.BACKOFFICE)
def settings(request: HttpRequest, org_slug: str, collection_id: int) -> HttpResponseBase:
    collection = _collection(collection_id)
    form = CollectionForm(request.POST)
    if form.is_valid():
        try:
            services.collection_update(collection=collection, actor=request.user, title=form.cleaned_data["title"],
                                       description=form.cleaned_data["description"],
                                       sequential=form.cleaned_data["sequential"])
            messages.success(request, _("Collection saved."))
        except LibraryError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Give it a title."))
    return redirect("library:collection", org_slug=org_slug, collection_id=collection.pk)


def _ids(collection: Collection) -> list[int]:
    return list(collection.items.order_by("position").values_list("resource_id", flat=True))


@require_POST
@org_view(Perm.BACKOFFICE)
def add_item(request: HttpRequest, org_slug: str, collection_id: int) -> HttpResponseBase:
    collection = _collection(collection_id)
    form = AddItemForm(request.POST, resources=Resource.objects.all())
    if form.is_valid():
        try:
            services.collection_set_items(collection=collection, actor=request.user,
                                          resource_ids=[*_ids(collection), form.cleaned_data["resource"].pk])
        except LibraryError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, _("Choose a resource to add."))
    return redirect("library:collection", org_slug=org_slug, collection_id=collection.pk)


@require_POST
@org_view(Perm.BACKOFFICE)
def remove_item(request: HttpRequest, org_slug: str, collection_id: int, resource_id: int) -> HttpResponseBase:
    collection = _collection(collection_id)
    services.collection_set_items(collection=collection, actor=request.user,
                                  resource_ids=[pk for pk in _ids(collection) if pk != resource_id])
    return redirect("library:collection", org_slug=org_slug, collection_id=collection.pk)


@require_POST
@org_view(Perm.BACKOFFICE)
def reorder(request: HttpRequest, org_slug: str, collection_id: int) -> HttpResponseBase:
    """The items in a new order (JSON ``{"resources": [ids]}`` from the page's script, or a form's
    ``resources`` values): the same items, reordered."""
    collection = _collection(collection_id)
    try:
        if request.content_type == "application/json":
            ids = [int(pk) for pk in json.loads(request.body or b"{}").get("resources", [])]
        else:
            ids = [int(pk) for pk in request.POST.getlist("resources")]
    except (ValueError, TypeError, AttributeError):
        return JsonResponse({"error": _("The order could not be read.")}, status=400)
    if sorted(ids) != sorted(_ids(collection)):
        return JsonResponse({"error": _("The collection changed meanwhile. Reload the page.")}, status=409)
    services.collection_set_items(collection=collection, actor=request.user, resource_ids=ids)
    if request.content_type == "application/json":
        return JsonResponse({"resources": ids})
    return redirect(reverse("library:collection", kwargs={"org_slug": org_slug, "collection_id": collection.pk}))


@require_POST
@org_view(Perm.BACKOFFICE)
def delete(request: HttpRequest, org_slug: str, collection_id: int) -> HttpResponseBase:
    services.collection_delete(collection=_collection(collection_id), actor=request.user)
    messages.success(request, _("Collection deleted."))
    return redirect("library:collections", org_slug=org_slug)
