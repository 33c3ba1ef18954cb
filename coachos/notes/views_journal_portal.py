"""The client's journal in the portal: /portal/<org_slug>/journal/ ("Journal" in the portal's menu).

The timeline of their entries (search; filters by date, mood and tag; drafts marked), the prompts
their coach sent them, one entry with its sharing switch, and the insights page with the weekly goal.
Every entry is looked up through ``journal_entries_readable``: another client's entry is a 404, the
same as another business's. Writing lives in ``views_journal_write``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachos.notes.errors import NotesError
from coachos.notes.forms_journal import GoalForm, JournalFilterForm, apply_error, mood_choices
from coachos.notes.models import JournalGoal
from coachos.notes.readers import Reader
from coachos.notes.selectors import journal as selectors
from coachos.notes.services import journal as services
from coachos.notes.views_journal_common import (
    client_reader,
    insights_context,
    own_client,
    paginate,
    reader_of,
    safe_next,
    zone_context,
    zone_of,
)
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm


def _index_url(org_slug: str) -> str:
    return reverse("portal_journal:index", kwargs={"org_slug": org_slug})


@org_view(Perm.PORTAL)
@require_GET
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    reader = reader_of(request)
    client = own_client(reader)
    if client is None:
        return render(request, "notes/journal/no_client.html", {})
    zone = zone_of(reader, client)
    tags = [name for name, _count in selectors.journal_tags(reader, client)]
    form = JournalFilterForm(request.GET or None, tags=tags)
    wanted = form.values()
    filters = selectors.JournalFilters(q=wanted.get("q", ""), mood=wanted.get("mood"), tag=wanted.get("tag", ""),
                                       since=wanted.get("since"), until=wanted.get("until"))
    rows = selectors.journal_list(reader, filters, zone=zone).select_related("session__session_type")
    page, query = paginate(request, rows)
    found = selectors.journal_insights(reader, client)
    with timezone.override(zone):
        return render(request, "notes/journal/index.html", {
            "client": client, "form": form, "filtered": bool(wanted), "page": page, "query": query,
            "any_entries": selectors.journal_entries_readable(reader).filter(client=client).exists(),
            "prompts": list(selectors.prompts_open(reader)[:10]), "summary": found.summary, "goal": found.goal,
            "moods": mood_choices(), **zone_context(reader, zone),
        })


@org_view(Perm.PORTAL)
@require_GET
def entry(request: HttpRequest, org_slug: str, journalentry_id: int) -> HttpResponse:
    reader, client = client_reader(request)
    found = selectors.journal_entry_readable(reader, journalentry_id)
    zone = zone_of(reader, client)
    with timezone.override(zone):
        return render(request, "notes/journal/entry.html", {
            "entry": found, "moods": mood_choices(), **zone_context(reader, zone)})


@org_view(Perm.PORTAL)
@require_POST
def share(request: HttpRequest, org_slug: str, journalentry_id: int) -> HttpResponse:
    """One click: share the entry with the coach (``shared=1``) or stop sharing it (``shared=0``)."""
    reader, client = client_reader(request)
    found = selectors.journal_entry_readable(reader, journalentry_id)
    wanted = request.POST.get("shared") == "1"
    error = ""
    try:
        found = services.journal_entry_update(entry=found, actor=request.user, shared=wanted)
    except NotesError as exc:
        error = str(exc)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "notes/journal/_share.html", {"entry": found, "share_error": error,
                                                              "next": safe_next(request, _index_url(org_slug))},
                      status=422 if error else 200)
    if error:
        messages.error(request, error)
    elif found.shared:
        messages.success(request, _("Shared with your coach."))
    else:
        messages.success(request, _("No longer shared: only you can read it."))
    return redirect(safe_next(request, _index_url(org_slug)))


@org_view(Perm.PORTAL)
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, org_slug: str, journalentry_id: int) -> HttpResponse:
    reader, client = client_reader(request)
    found = selectors.journal_entry_readable(reader, journalentry_id)
    if request.method == "POST":
        services.journal_entry_delete(entry=found, actor=request.user)
        messages.success(request, _("The entry is deleted."))
        return redirect(_index_url(org_slug))
    zone = zone_of(reader, client)
    with timezone.override(zone):
        return render(request, "notes/journal/delete.html", {"entry": found, **zone_context(reader, zone)})


def _insights_page(request: HttpRequest, reader: Reader, client: Any, form: GoalForm,
                   status: int = 200) -> HttpResponse:
    zone = zone_of(reader, client)
    found = selectors.journal_insights(reader, client)
    with timezone.override(zone):
        return render(request, "notes/journal/insights.html", {
            "client": client, "goal_form": form, **insights_context(found), **zone_context(reader, zone),
            "tags_url": _index_url(reader.organization.slug)}, status=status)


@org_view(Perm.PORTAL)
@require_GET
def insights(request: HttpRequest, org_slug: str) -> HttpResponse:
    reader, client = client_reader(request)
    goal = JournalGoal.objects.filter(client=client).first()
    form = GoalForm(initial={"entries_per_week": goal.entries_per_week if goal else None,
                             "remind": goal.remind if goal else True})
    return _insights_page(request, reader, client, form)


@org_view(Perm.PORTAL)
@require_POST
def goal(request: HttpRequest, org_slug: str) -> HttpResponse:
    reader, client = client_reader(request)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            saved = services.journal_goal_set(client=client, actor=request.user,
                                              entries_per_week=form.cleaned_data["entries_per_week"],
                                              remind=form.cleaned_data["remind"])
        except NotesError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Your goal is saved.") if saved else _("You have no weekly goal now."))
            return redirect("portal_journal:insights", org_slug=org_slug)
    return _insights_page(request, reader, client, form, status=422)
