"""The business's note templates: /o/<org_slug>/notes/templates/ — list, add, change, stop offering.

A template is a name and ordered sections (a heading and a hint each); a note starts from it in one
click in the editor. Journal templates (offered to clients in their journal) are kept here too. Owners
and coaches change templates (``services.templates`` checks); the front desk sees the list.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm, Role

from . import richtext
from .errors import NotesError
from .forms import SectionFormSet, TemplateForm, sections_of
from .models import NoteTemplate
from .readers import Reader
from .services import templates as services
from .views_common import reader_of


def _may_change(reader: Reader) -> bool:
    return reader.membership.role in (Role.OWNER, Role.COACH)


@require_GET
@org_view(Perm.BACKOFFICE)
def template_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    reader = reader_of(request)
    services.templates_seed(organization=reader.organization)
    templates = list(NoteTemplate.objects.filter(organization=reader.organization))
    labels: dict[str, str] = {NoteTemplate.Kind.NOTE: _("Note templates"), NoteTemplate.Kind.JOURNAL: _("Journal templates")}
    groups = [(labels[kind], [t for t in templates if t.kind == kind]) for kind in NoteTemplate.Kind.values]
    return render(request, "notes/template_list.html", {"groups": groups, "may_change": _may_change(reader)})


def _preview(sections: list[dict[str, str]]) -> str:
    return richtext.sanitize(services.template_body(sections)) if sections else ""


def _save(request: HttpRequest, reader: Reader, template: NoteTemplate | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    sections: list[dict[str, str]] = []
    if template is not None:
        initial = {"name": template.name, "kind": template.kind, "active": template.active}
        sections = list(template.sections)
    form = TemplateForm(request.POST or None, initial=initial)
    formset = SectionFormSet(request.POST or None, initial=sections, prefix="sections")
    if template is not None:
        form.fields["kind"].disabled = True  # a template keeps its kind; make another for the other kind
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            if template is None:
                template = services.template_create(organization=reader.organization, actor=request.user,
                                                    name=data["name"], kind=data["kind"], sections=sections_of(formset))
                if not data["active"]:
                    services.template_update(template=template, actor=request.user, active=False)
                messages.success(request, _("Template “%(name)s” added.") % {"name": template.name})
            else:
                services.template_update(template=template, actor=request.user, name=data["name"],
                                         sections=sections_of(formset), active=data["active"])
                messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
        except NotesError as error:
            if error.field in form.fields:
                form.add_error(error.field, str(error))
            else:
                form.add_error(None, str(error))
        else:
            return redirect("notes:templates", org_slug=request.organization.slug)  # type: ignore[attr-defined]
    invalid = request.method == "POST"
    return render(request, "notes/template_form.html", {
        "form": form, "formset": formset, "template": template, "preview": _preview(sections),
    }, status=422 if invalid else 200)


@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def template_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    reader = reader_of(request)
    if not _may_change(reader):
        raise PermissionDenied(_("Only owners and coaches can change templates."))
    return _save(request, reader, None)


@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def template_edit(request: HttpRequest, org_slug: str, notetemplate_id: int) -> HttpResponse:
    reader = reader_of(request)
    template: NoteTemplate = get_object_or_404(NoteTemplate.objects.filter(organization=reader.organization), pk=notetemplate_id)
    if not _may_change(reader):
        raise PermissionDenied(_("Only owners and coaches can change templates."))
    return _save(request, reader, template)
