"""Tag management (/o/<slug>/clients/tags/) and tagging many clients from the list.

Anyone in the back office sees the tags, adds them, renames and recolours them (they already
tag clients one by one). Deleting and merging change every client that has the tag and cannot
be undone, so they need the settings permission (the owner), and each asks first on a page of
its own (it works without JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import selectors, services_tags
from .forms_backoffice import BulkTagForm, TagEditForm, TagMergeForm
from .models import Client, Tag

LIST_KEYS = ("q", "status", "tag", "credits", "inactive", "sort", "page")


def _errors_to_form(form: Form, exc: ValidationError) -> None:
    for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


def _can_manage(request: HttpRequest) -> bool:
    return bool(request.membership.has(Perm.SETTINGS))  # type: ignore[attr-defined]


@org_view(Perm.BACKOFFICE)
def tag_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = TagEditForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            tag = services_tags.tag_create(organization=request.organization,  # type: ignore[attr-defined]
                                           actor=request.user, name=form.cleaned_data["name"],
                                           colour=form.cleaned_data["colour"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Tag “%(name)s” added.") % {"name": tag.name})
            return redirect("clients:tags", org_slug=org_slug)
    return render(request, "clients/backoffice/tags.html", {
        "tags": selectors.tags_with_counts(), "form": form, "can_manage": _can_manage(request),
    }, status=400 if form.errors else 200)


@org_view(Perm.BACKOFFICE)
def tag_edit(request: HttpRequest, org_slug: str, tag_id: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=tag_id)
    form = TagEditForm(request.POST or None, initial={"name": tag.name, "colour": tag.colour},
                       current_colour=tag.colour)
    if request.method == "POST" and form.is_valid():
        try:
            services_tags.tag_update(tag=tag, actor=request.user, name=form.cleaned_data["name"],
                                     colour=form.cleaned_data["colour"])
        except ValidationError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(request, _("Tag saved."))
            return redirect("clients:tags", org_slug=org_slug)
    count = Client.tags.through.objects.filter(tag_id=tag.pk).count()
    return render(request, "clients/backoffice/tag_edit.html", {
        "tag": tag, "form": form, "count": count, "can_manage": _can_manage(request),
        "merge_form": TagMergeForm(source=tag), "has_others": Tag.objects.exclude(pk=tag.pk).exists(),
    }, status=400 if form.errors else 200)


@org_view(Perm.SETTINGS)
def tag_delete(request: HttpRequest, org_slug: str, tag_id: int) -> HttpResponse:
    tag = get_object_or_404(Tag, pk=tag_id)
    error = ""
    if request.method == "POST":
        name = tag.name
        try:
            count = services_tags.tag_delete(tag=tag, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, ngettext(
                "Tag “%(name)s” deleted. It was removed from %(n)d client; the client was kept.",
                "Tag “%(name)s” deleted. It was removed from %(n)d clients; the clients were kept.", count,
            ) % {"name": name, "n": count})
            return redirect("clients:tags", org_slug=org_slug)
    count = Client.tags.through.objects.filter(tag_id=tag.pk).count()
    return render(request, "clients/backoffice/tag_delete.html", {
        "tag": tag, "count": count, "uses": services_tags.tag_other_uses(tag), "error": error,
    }, status=409 if error else 200)


@org_view(Perm.SETTINGS)
def tag_merge(request: HttpRequest, org_slug: str, tag_id: int) -> HttpResponse:
    """GET ?into=<id>: what the merge will do, and a button; POST: merge."""
    tag = get_object_or_404(Tag, pk=tag_id)
    form = TagMergeForm(request.POST if request.method == "POST" else (request.GET or None), source=tag)
    if form.is_valid():
        target = form.cleaned_data["into"]
        if request.method == "POST":
            try:
                added = services_tags.tag_merge(source=tag, target=target, actor=request.user)
            except ValidationError as exc:
                _errors_to_form(form, exc)
            else:
                messages.success(request, ngettext(
                    "“%(source)s” merged into “%(target)s”: %(n)d client newly has “%(target)s”.",
                    "“%(source)s” merged into “%(target)s”: %(n)d clients newly have “%(target)s”.", added,
                ) % {"source": tag.name, "target": target.name, "n": added})
                return redirect("clients:tags", org_slug=org_slug)
        else:
            through = Client.tags.through.objects
            return render(request, "clients/backoffice/tag_merge.html", {
                "tag": tag, "target": target, "form": form,
                "count": through.filter(tag_id=tag.pk).count(),
            })
    if form.is_bound:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("clients:tag_edit", org_slug=org_slug, tag_id=tag.pk)


def _back_to_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The client list with the filters it had (only the list's own keys are kept)."""
    kept = QueryDict(request.POST.get("query", ""), mutable=True)
    clean = QueryDict(mutable=True)
    for key in LIST_KEYS:
        value = kept.get(key)
        if value:
            clean[key] = value[:100]
    url = reverse("clients:list", kwargs={"org_slug": org_slug})
    return redirect(f"{url}?{clean.urlencode()}" if clean else url)


@require_POST
@org_view(Perm.BACKOFFICE)
def clients_bulk_tag(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = BulkTagForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return _back_to_list(request, org_slug)
    ids = form.cleaned_data["client"]
    if len(ids) > services_tags.MAX_BULK:
        messages.error(request, _("Select at most %(n)d clients at a time.") % {"n": services_tags.MAX_BULK})
        return _back_to_list(request, org_slug)
    # another business's ids (or a client this member may not see) find nothing
    clients = list(selectors.clients_visible_to(request.membership).filter(pk__in=ids))
    if not clients:
        messages.error(request, _("Select at least one client."))
        return _back_to_list(request, org_slug)
    name = form.cleaned_data["name"]
    try:
        if form.cleaned_data["action"] == "add":
            tag, changed = services_tags.clients_tag_bulk(organization=request.organization,  # type: ignore[attr-defined]
                                                          actor=request.user, clients=clients, name=name)
            messages.success(request, ngettext(
                "Tagged %(n)d client “%(name)s”.", "Tagged %(n)d clients “%(name)s”.", changed,
            ) % {"n": changed, "name": tag.name})
        else:
            found = services_tags.tag_by_name(name)
            if found is None:
                messages.error(request, _("There is no tag called “%(name)s”.") % {"name": name})
                return _back_to_list(request, org_slug)
            changed = services_tags.clients_untag_bulk(organization=request.organization,  # type: ignore[attr-defined]
                                                       actor=request.user, clients=clients, tag=found)
            messages.success(request, ngettext(
                "Removed “%(name)s” from %(n)d client.", "Removed “%(name)s” from %(n)d clients.", changed,
            ) % {"n": changed, "name": found.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back_to_list(request, org_slug)
