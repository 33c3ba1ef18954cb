"""Writing in the journal (the portal): a new entry (from a prompt, a template or a session), editing
one, and the autosave behind both.

The page is the notes editor's (``static/notes/editor.js``, reused as it is): a rich-text area over
the plain text box, autosave, an unsent copy kept on the device, and conflicts shown rather than
overwritten. Its protocol: the first autosave of a new entry posts the whole form to ``new/`` asking
for JSON, which makes a **draft** (never shown to the team, shared or not) and answers its id,
version and URLs; then the title and text go to the entry's ``autosave/`` with the version they
started from (another version: a 409, nothing written). The Save button saves the entry for good,
with its mood, tags and sharing (never autosaved). Without script the page is a plain form.

The editor keys its device copy and its messages between tabs by the id it is given; a journal
entry's is ``journal-<pk>`` so that it never meets a note's (``note:<pk>``) in the same browser.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coachos.common import formats
from coachos.common.problems import problem_response
from coachos.notes.errors import NoteConflict, NotesError
from coachos.notes.forms_journal import JournalEntryForm, apply_error, mood_choices
from coachos.notes.models import JournalEntry, JournalTag, NoteTemplate
from coachos.notes.readers import Reader
from coachos.notes.selectors import journal as selectors
from coachos.notes.services import journal as services
from coachos.notes.services.templates import template_body, templates_seed
from coachos.notes.views_journal_common import client_reader, session_choices, zone_context, zone_of
from coachos.scheduling.models import TrainingSession
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

TEMPLATE = "notes/journal/edit.html"


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else None


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def editor_id(entry: JournalEntry) -> str:
    return f"journal-{entry.pk}"


def _strings() -> dict[str, str]:
    """The editor's words, for a journal entry (the script has no catalog)."""
    return {
        "saving": _("Saving…"), "saved": _("Saved at %(time)s"), "unsaved": _("Not saved yet"),
        "offline": _("You are offline. Your text is kept on this device and will be sent when you are back."),
        "failed": _("Could not save just now. Your text is kept on this device; trying again…"),
        "restored": _("Text that had not been sent yet was restored from this device. Saving it…"),
        "conflict": _("This entry was changed in another tab or on another device since you started typing."),
        "conflict_local": _("This device has text for this entry that was never sent, and the entry has "
                            "changed since."),
        "reload": _("Reload (use the saved entry)"), "keep": _("Keep mine"),
        "updated": _("Updated with the changes made in another tab."),
        "choose_client": _("Your journal is not ready yet. Reload the page."),
        "link_prompt": _("Link address (https://…)"),
        "link_bad": _("Use an address that starts with https://, http:// or mailto:."),
        "link_apply": _("Add link"), "link_remove": _("Remove link"), "link_cancel": _("Cancel"),
        "settings_unsaved": _("Your mood, tags and sharing are saved when you press Save."),
        "template_added": _("The template's sections were added."),
    }


def _saved_json(entry: JournalEntry, zone: Any, status: int = 200, **extra: Any) -> JsonResponse:
    return JsonResponse({"id": editor_id(entry), "entry": entry.pk, "version": entry.version, "draft": entry.draft,
                         "saved": formats.format_time(entry.updated_at, zone=zone), **extra}, status=status)


def _templates(reader: Reader) -> list[NoteTemplate]:
    templates_seed(organization=reader.organization)  # the built-in reflections, on first use (as the API does)
    return list(NoteTemplate.objects.filter(organization=reader.organization, kind=NoteTemplate.Kind.JOURNAL,
                                            active=True).order_by("position", "name"))


def _page(request: HttpRequest, reader: Reader, client: Any, form: JournalEntryForm, *, config: dict[str, Any],
          entry: JournalEntry | None = None, linked: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    zone = zone_of(reader, client)
    linked = linked or {}
    with timezone.override(zone):
        return render(request, TEMPLATE, {
            "form": form, "entry": entry, "client": client, "config": config, "strings": _strings(),
            "editor_templates": [],  # templates are links here (they work without script too)
            "moods": mood_choices(), "templates": [] if entry else _templates(reader),
            "tag_names": list(JournalTag.objects.filter(client=client).values_list("name", flat=True)[:200]),
            "conflict": config.get("conflict", False), "prompt": linked.get("prompt"),
            "template": linked.get("template"), "session": linked.get("session"), **zone_context(reader, zone),
        }, status=status)


def _linked(reader: Reader, source: Any) -> dict[str, Any]:
    """The prompt, template and session a new entry is for (``?prompt=``, ``?template=``, ``?session=``).
    Another client's prompt or session is a 404; an unknown template is ignored."""
    found: dict[str, Any] = {"prompt": None, "template": None, "session": None}
    if (pk := _int(source.get("prompt"))) is not None:
        found["prompt"] = selectors.prompt_for_client(reader, pk)
    if (pk := _int(source.get("template"))) is not None:
        found["template"] = NoteTemplate.objects.filter(organization=reader.organization, pk=pk, active=True,
                                                        kind=NoteTemplate.Kind.JOURNAL).first()
    if (pk := _int(source.get("session"))) is not None:
        found["session"] = (TrainingSession.objects.filter(pk=pk, bookings__client_id__in=reader.client_ids)
                            .select_related("session_type").distinct().first())
        if found["session"] is None:
            raise Http404("No such session.")
    return found


@org_view(Perm.PORTAL)
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, org_slug: str) -> HttpResponse:
    reader, client = client_reader(request)
    zone = zone_of(reader, client)
    linked = _linked(reader, request.POST if request.method == "POST" else request.GET)
    session = linked["session"]
    choices = session_choices(client, zone, include=session.pk if session else None)
    draft_key = "journal:new:{}:{}".format(*(getattr(linked[k], "pk", "") for k in ("prompt", "session")))
    config = {"mode": "new", "create_url": reverse("portal_journal:new", kwargs={"org_slug": org_slug}),
              "draft_key": draft_key}
    if request.method == "POST":
        as_draft = _wants_json(request)  # the editor's first autosave: a draft, mood not needed yet
        form = JournalEntryForm(request.POST, sessions=choices, mood_required=not as_draft)
        if form.is_valid():
            try:
                entry = _create(request, client, form, linked, draft=as_draft)
            except NotesError as error:
                apply_error(form, error)
            else:
                if as_draft:
                    return _saved_json(entry, zone, 201, edit_url=_edit_url(entry), autosave_url=reverse(
                        "portal_journal:autosave", kwargs={"org_slug": org_slug, "journalentry_id": entry.pk}))
                messages.success(request, _("Your entry is saved and shared with your coach.") if entry.shared
                                 else _("Your entry is saved. Only you can read it."))
                return redirect("portal_journal:entry", org_slug=org_slug, journalentry_id=entry.pk)
        if as_draft:
            return _form_problem(form)
        return _page(request, reader, client, form, config=config, linked=linked, status=422)
    template = linked["template"]
    form = JournalEntryForm(sessions=choices, initial={
        "body_html": template_body(template.sections) if template is not None else "",
        "prompt": getattr(linked["prompt"], "pk", None), "template": getattr(template, "pk", None),
        "session": getattr(session, "pk", None)})
    return _page(request, reader, client, form, config=config, linked=linked)


def _create(request: HttpRequest, client: Any, form: JournalEntryForm, linked: dict[str, Any], *,
            draft: bool) -> JournalEntry:
    data = form.cleaned_data
    session = TrainingSession.objects.filter(pk=data["session"]).first() if data.get("session") else None
    return services.journal_entry_create(
        client=client, actor=request.user, title=data["title"], body_html=form.body(), mood=data["mood"],
        shared=data["shared"] and not draft, tags=form.tag_names(), session=session, prompt=linked["prompt"],
        template=linked["template"], draft=draft)


def _edit_url(entry: JournalEntry) -> str:
    return reverse("portal_journal:edit", kwargs={"org_slug": entry.organization.slug, "journalentry_id": entry.pk})


def _form_problem(form: JournalEntryForm, status: int = 422) -> HttpResponse:
    errors = [{"field": field if field != "__all__" else "", "message": str(message)}
              for field, found in form.errors.items() for message in found]
    return problem_response(status, _("The entry could not be saved."), errors[0]["message"] if errors else "",
                            errors=errors)


def _initial(entry: JournalEntry) -> dict[str, Any]:
    return {"title": entry.title, "body_html": entry.body_html, "mood": entry.mood, "shared": entry.shared,
            "tags": ", ".join(sorted((t.name for t in entry.tags.all()), key=str.casefold)),
            "base_version": entry.version}


@org_view(Perm.PORTAL)
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, org_slug: str, journalentry_id: int) -> HttpResponse:
    """Edit an entry, or finish a draft: Save keeps it for good (with a mood)."""
    reader, client = client_reader(request)
    entry = selectors.journal_entry_readable(reader, journalentry_id)
    form = JournalEntryForm(request.POST or None, initial=_initial(entry))
    conflict = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.journal_entry_update(
                entry=entry, actor=request.user, base_version=data.get("base_version"), title=data["title"],
                body_html=form.body(), mood=data["mood"], shared=data["shared"], tags=form.tag_names(), draft=False)
        except NoteConflict as error:
            # Shown, never written over: the typed text stays; saving again (now a choice) keeps it.
            conflict = True
            again = request.POST.copy()
            again["base_version"] = str(error.current_version)
            form = JournalEntryForm(again, initial=_initial(entry))
            form.is_valid()
        except NotesError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Your entry is saved."))
            return redirect("portal_journal:entry", org_slug=org_slug, journalentry_id=saved.pk)
    if conflict or form.errors:
        entry = selectors.journal_entry_readable(reader, journalentry_id)
    raw = str(form["base_version"].value() or "")
    config = {"mode": "edit", "note": editor_id(entry), "version": int(raw) if raw.isdigit() else entry.version,
              "draft_key": f"note:{editor_id(entry)}", "conflict": conflict,
              "autosave_url": reverse("portal_journal:autosave",
                                      kwargs={"org_slug": org_slug, "journalentry_id": entry.pk})}
    return _page(request, reader, client, form, config=config, entry=entry,
                 status=409 if conflict else 422 if form.errors else 200)


@org_view(Perm.PORTAL)
@require_POST
def autosave(request: HttpRequest, org_slug: str, journalentry_id: int) -> HttpResponse:
    """Keep what is being typed (title and text): JSON with the new version, or a 409 problem with the
    current version when the entry changed since ``base_version`` (nothing is overwritten)."""
    reader, client = client_reader(request)
    entry = selectors.journal_entry_readable(reader, journalentry_id)
    base = _int(request.POST.get("base_version"))
    if base is None:
        return problem_response(422, _("The entry could not be saved."),
                                _("An autosave names the version it started from."),
                                errors=[{"field": "base_version", "message": _("This field is required.")}])
    form = JournalEntryForm(request.POST, mood_required=False)
    form.is_valid()
    if "title" in form.errors or "body_html" in form.errors:
        return _form_problem(form)
    try:
        entry = services.journal_entry_autosave(entry=entry, actor=request.user, title=form.cleaned_data["title"],
                                                body_html=form.body(), base_version=base)
    except NoteConflict as error:
        return problem_response(409, _("Changed somewhere else"), str(error), code=error.code,
                                current_version=error.current_version)
    except NotesError as error:
        return problem_response(error.status, _("The entry could not be saved."), str(error), code=error.code,
                                errors=[{"field": error.field, "message": str(error)}])
    return _saved_json(entry, zone_of(reader, client))
