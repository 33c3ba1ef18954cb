"""The team's side of the journal: /o/<org_slug>/journal/ (namespace ``journal``).

A client's **shared** entries and the same insights over them (a journal tab of the client), the
client page's "Journal" section, one shared entry, and journal prompts (sent to clients, several
clients or everyone with a tag). Everything goes through ``journal_entries_readable``: an entry the
client did not share (or a draft) is not listed, counted, searched nor shown, and by its id it is a
404 — exactly like an entry that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from coachos.clients.models import Client, Tag
from coachos.clients.selectors import clients_visible_to
from coachos.clients.views_sections import guarded, section_response
from coachos.notes.errors import NotesError
from coachos.notes.forms_journal import JournalFilterForm, PromptForm, apply_error
from coachos.notes.readers import Reader
from coachos.notes.selectors import journal as selectors
from coachos.notes.services.prompts import journal_prompt_send
from coachos.notes.views_journal_common import insights_context, paginate, reader_of, zone_context
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm


def _team(request: HttpRequest) -> Reader:
    reader = reader_of(request)
    if not reader.is_team:
        raise Http404("No such page.")
    return reader


def _client(reader: Reader, client_id: int) -> Client:
    return get_object_or_404(clients_visible_to(reader.membership), pk=client_id)


@org_view(Perm.BACKOFFICE)
@require_GET
def client_journal(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    reader = _team(request)
    client = _client(reader, client_id)
    tags = [name for name, _count in selectors.journal_tags(reader, client)]
    form = JournalFilterForm(request.GET or None, tags=tags, team=True)
    wanted = form.values()
    filters = selectors.JournalFilters(client=client.pk, q=wanted.get("q", ""), mood=wanted.get("mood"),
                                       tag=wanted.get("tag", ""), since=wanted.get("since"),
                                       until=wanted.get("until"))
    rows = selectors.journal_list(reader, filters).select_related("session__session_type")
    page, query = paginate(request, rows)
    found = selectors.journal_insights(reader, client)
    return render(request, "notes/journal/team_client.html", {
        "client": client, "form": form, "filtered": bool(wanted), "page": page, "query": query,
        **insights_context(found), **zone_context(reader, reader.organization.tzinfo),
    })


@org_view(Perm.BACKOFFICE)
@require_GET
def entry(request: HttpRequest, org_slug: str, journalentry_id: int) -> HttpResponse:
    reader = _team(request)
    found = selectors.journal_entry_readable(reader, journalentry_id)
    return render(request, "notes/journal/team_entry.html", {"entry": found, "client": found.client})


@require_GET
@org_view(Perm.BACKOFFICE)
def section(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    """The client page's "Journal" section: what the client shared lately, and the week's numbers."""
    reader = _team(request)
    client = _client(reader, client_id)

    def build() -> HttpResponse:
        found = selectors.journal_insights(reader, client)
        latest = list(selectors.journal_list(reader, selectors.JournalFilters(client=client.pk))[:3])
        return section_response(request, "journal", "notes/journal/section.html", {
            "client": client, "latest": latest, "summary": found.summary})

    return guarded("journal", request, client, build)


@org_view(Perm.BACKOFFICE)
@require_http_methods(["GET", "POST"])
def prompts(request: HttpRequest, org_slug: str) -> HttpResponse:
    reader = _team(request)
    visible = clients_visible_to(reader.membership)
    tags = Tag.objects.filter(organization=reader.organization)
    if request.method == "POST":
        form = PromptForm(request.POST, clients=visible, tags=tags)
        if form.is_valid():
            data = form.cleaned_data
            try:
                prompt = journal_prompt_send(organization=reader.organization, actor=request.user, text=data["text"],
                                             clients=list(data["clients"]), tag=data["tag"])
            except NotesError as error:
                apply_error(form, error)
            else:
                sent = prompt.recipients.count()
                messages.success(request, ngettext("The prompt was sent to %(n)d client.",
                                                   "The prompt was sent to %(n)d clients.", sent) % {"n": sent})
                return redirect("journal:prompts", org_slug=org_slug)
        status = 422
    else:
        wanted = request.GET.get("client", "")
        initial = {"clients": [int(wanted)]} if wanted.isdigit() and visible.filter(pk=int(wanted)).exists() else {}
        form = PromptForm(clients=visible, tags=tags, initial=initial)
        status = 200
    sent_prompts = list(selectors.prompts_sent(reader).select_related("author")[:50])
    return render(request, "notes/journal/prompts.html", {
        "form": form, "sent": sent_prompts, "has_clients": visible.exists(),
        "suggestions": [_("What went well this week?"), _("What got in your way this week, and what helped?"),
                        _("How did you feel after our last session?")],
    }, status=status)
