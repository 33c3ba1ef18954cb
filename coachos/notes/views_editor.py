"""Writing a note: /o/<org_slug>/notes/new/ and /o/<org_slug>/notes/<note_id>/ (the editor), its
autosave endpoint, version history with restore, action items and deleting.

Every page works as a plain form without script. ``static/notes/editor.js`` adds the rich-text editor
and autosave: it posts the title and text to ``autosave`` while the coach types (a new note is made by
its first autosave), keeps an unsent copy on the device, and shows a conflict instead of overwriting
it. Autosave never changes sharing or tags and never makes action items: the Save button does.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachos.common import formats
from coachos.common.problems import problem_response
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from .errors import NoteConflict, NotesError
from .forms import NoteEditForm, NoteNewForm, note_fields_initial
from .models import Note, NoteActionItem
from .selectors import notes as selectors
from .services import notes as services
from .services.text import TAG_MAX
from .views_common import action_items, editor_strings, note_url, reader_of, safe_next, templates_for_editor


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _form_problem(form: Any, status: int = 422) -> HttpResponse:
    errors = [{"field": field if field != "__all__" else "", "message": str(message)}
              for field, messages_ in form.errors.items() for message in messages_]
    return problem_response(status, _("The note could not be saved."),
                            errors[0]["message"] if errors else "", errors=errors)


def _add_error(form: Any, error: NotesError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _saved_json(note: Note, status: int = 200, **extra: Any) -> JsonResponse:
    return JsonResponse({"id": note.pk, "version": note.version, "saved": formats.format_time(note.updated_at),
                         **extra}, status=status)


def _editor_context(request: HttpRequest, *, form: Any, note: Note | None, config: dict[str, Any],
                    **extra: Any) -> dict[str, Any]:
    reader = reader_of(request)
    return {
        "form": form, "note": note, "templates": templates_for_editor(reader),
        "tag_names": list(selectors.note_tags(reader).values_list("name", flat=True)[:200]),
        "config": config, "strings": editor_strings(), "tag_max": TAG_MAX, **extra,
    }


# --- a new note -------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def new(request: HttpRequest, org_slug: str) -> HttpResponse:
    """A new note about a client (optionally one of their sessions), blank or from a template."""
    reader = reader_of(request)
    initial = {name: request.GET[name] for name in ("client", "session") if request.GET.get(name, "").isdigit()}
    form = NoteNewForm(request.POST or None, reader=reader, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                note = services.note_create(
                    client=data["client"], actor=request.user, title=data["title"], body_html=data["body_html"],
                    shared=data["shared"], session=data["session"], tags=data["tags"],
                    template=data["note_template"])
            except NotesError as error:
                _add_error(form, error)
            else:
                if _wants_json(request):
                    return _saved_json(note, 201, edit_url=note_url(note), autosave_url=reverse(
                        "notes:autosave", kwargs={"org_slug": org_slug, "note_id": note.pk}))
                messages.success(request, _("Note saved."))
                return redirect(note_url(note))
        if _wants_json(request):
            return _form_problem(form)
    chosen = form.chosen_client
    config = {"mode": "new", "create_url": request.path,
              "draft_key": f"new:{chosen.pk if chosen else ''}:{initial.get('session', '')}"}
    context = _editor_context(request, form=form, note=None, config=config, client=chosen)
    return render(request, "notes/edit.html", context, status=422 if form.errors else 200)


# --- the editor -------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def edit(request: HttpRequest, org_slug: str, note_id: int) -> HttpResponse:
    reader = reader_of(request)
    note = selectors.note_visible(reader, note_id)
    form = NoteEditForm(request.POST or None, initial=note_fields_initial(note))
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.note_update(note=note, actor=request.user, base_version=data["base_version"],
                                 title=data["title"], body_html=data["body_html"], shared=data["shared"],
                                 tags=data["tags"])
        except NoteConflict as error:
            # Shown, never overwritten: the typed text stays in the form; saving again (a deliberate
            # choice, now that the coach knows) saves it over the other version.
            conflict = True
            again = request.POST.copy()
            again["base_version"] = str(error.current_version)
            form = NoteEditForm(again, initial=note_fields_initial(note))
            form.is_valid()
        except NotesError as error:
            _add_error(form, error)
        else:
            messages.success(request, _("Note saved."))
            return redirect(safe_next(request, note_url(note)))
    if conflict or form.errors:
        note = selectors.note_visible(reader, note_id)
    raw = str(form["base_version"].value() or "")
    version = int(raw) if raw.isdigit() else note.version
    config = {"mode": "edit", "note": note.pk, "version": version, "draft_key": f"note:{note.pk}", "conflict": conflict,
              "autosave_url": reverse("notes:autosave", kwargs={"org_slug": org_slug, "note_id": note.pk})}
    context = _editor_context(request, form=form, note=note, config=config, client=note.client, conflict=conflict,
                              action_items=action_items(reader, note),
                              may_delete=note.author_id == request.user.pk or reader.is_owner)
    return render(request, "notes/edit.html", context, status=409 if conflict else 422 if form.errors else 200)


@require_POST
@org_view(Perm.BACKOFFICE)
def autosave(request: HttpRequest, org_slug: str, note_id: int) -> HttpResponse:
    """Keep what is being typed (title and text): JSON with the new version, or a 409 problem with the
    current version when the note changed since ``base_version`` (nothing is overwritten)."""
    reader = reader_of(request)
    note = selectors.note_visible(reader, note_id)
    form = NoteEditForm(request.POST)  # tags and sharing are not autosaved: only title and text are read
    if not form.is_valid():
        return _form_problem(form)
    data = form.cleaned_data
    try:
        note = services.note_autosave(note=note, actor=request.user, title=data["title"],
                                      body_html=data["body_html"], base_version=data["base_version"])
    except NoteConflict as error:
        return problem_response(409, _("Changed somewhere else"), str(error), code=error.code,
                                current_version=error.current_version)
    except NotesError as error:
        return problem_response(error.status, _("The note could not be saved."), str(error), code=error.code,
                                errors=[{"field": error.field, "message": str(error)}])
    return _saved_json(note)


@require_POST
@org_view(Perm.BACKOFFICE)
def delete(request: HttpRequest, org_slug: str, note_id: int) -> HttpResponse:
    note = selectors.note_visible(reader_of(request), note_id)
    client = note.client
    try:
        services.note_delete(note=note, actor=request.user)
    except NotesError as error:
        messages.error(request, str(error))
        return redirect(note_url(note))
    messages.success(request, _("Note deleted."))
    fallback = reverse("notes:index", kwargs={"org_slug": org_slug})
    if client is not None:
        fallback += f"?client={client.pk}"
    return redirect(fallback)


# --- versions -----------------------------------------------------------------------------------------

@require_GET
@org_view(Perm.BACKOFFICE)
def versions(request: HttpRequest, org_slug: str, note_id: int) -> HttpResponse:
    note = selectors.note_visible(reader_of(request), note_id)
    return render(request, "notes/versions.html", {"note": note,
                                                    "versions": list(selectors.note_versions(note)[:200])})


@require_GET
@org_view(Perm.BACKOFFICE)
def version(request: HttpRequest, org_slug: str, note_id: int, noteversion_id: int) -> HttpResponse:
    note = selectors.note_visible(reader_of(request), note_id)
    return render(request, "notes/version.html", {"note": note, "version": selectors.note_version(note, noteversion_id)})


@require_POST
@org_view(Perm.BACKOFFICE)
def restore(request: HttpRequest, org_slug: str, note_id: int, noteversion_id: int) -> HttpResponse:
    note = selectors.note_visible(reader_of(request), note_id)
    old = selectors.note_version(note, noteversion_id)
    raw = request.POST.get("base_version", "")
    try:
        services.note_version_restore(note=note, version=old, actor=request.user,
                                      base_version=int(raw) if raw.isdigit() else note.version)
    except NotesError as error:
        messages.error(request, str(error))
        return redirect("notes:versions", org_slug=org_slug, note_id=note.pk)
    messages.success(request, _("Version %(n)d is back as the note's text. The text before it is kept as a "
                                "version too.") % {"n": old.version})
    return redirect(note_url(note))


# --- action items -------------------------------------------------------------------------------------

@require_POST
@org_view(Perm.BACKOFFICE)
def action_item(request: HttpRequest, org_slug: str, note_id: int, noteactionitem_id: int) -> HttpResponse:
    """Tick an action item off, or on again (``done``: 1 or 0)."""
    reader = reader_of(request)
    note = selectors.note_visible(reader, note_id)
    item: NoteActionItem = get_object_or_404(NoteActionItem.objects.filter(note=note, removed_at__isnull=True), pk=noteactionitem_id)
    services.action_item_set_done(item=item, actor=request.user, done=request.POST.get("done") == "1")
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notes/_action_items.html", {"note": note, "action_items": action_items(reader, note)})
    return redirect(safe_next(request, note_url(note)))
