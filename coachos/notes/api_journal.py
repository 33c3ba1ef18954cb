"""The journal API: the client's own entries, prompts and goal (a client's token), and the shared
entries the team may read (a team token). An entry the caller may not read — another client's, or
one its client did not share — is a 404, the same as no entry.

No ``from __future__ import annotations``: django-ninja reads the annotations at import time.
"""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from coachos.clients.models import Client, Tag
from coachos.clients.selectors import clients_visible_to
from coachos.common.api import reference

from . import serialize
from .api_common import client_of, own_client, page_of, path_objects, reader_of, team_of
from .errors import NotesError
from .models import JournalGoal
from .readers import Reader
from .schemas import (
    InsightsOut,
    JournalGoalIn,
    JournalGoalOut,
    JournalIn,
    JournalListQuery,
    JournalOut,
    JournalPage,
    JournalPatch,
    JournalQuery,
    PromptIn,
    PromptOut,
    problems,
)
from .selectors import journal as selectors
from .selectors.sessions import session_visible
from .services import journal as services
from .services import prompts as prompt_services

router = Router(tags=["journal"])


def _entry_out(reader: Reader, entry_id: int) -> dict[str, Any]:
    return serialize.entry_json(selectors.journal_entry_readable(reader, entry_id))


def _list(request: HttpRequest, reader: Reader, filters: JournalQuery, *, client: int | None) -> dict[str, Any]:
    zone = selectors.reader_zone(reader, own_client(reader) if not reader.is_team else None)
    rows = selectors.journal_list(reader, selectors.JournalFilters(
        client=client, q=filters.q, mood=filters.mood, tag=filters.tag, since=filters.since, until=filters.until,
        drafts=filters.drafts), zone=zone)
    page, next_url = page_of(request, rows, cursor=filters.cursor, limit=filters.limit)
    return {"results": [serialize.entry_json(e) for e in page], "next": next_url}


def _create(request: HttpRequest, payload: JournalIn, **links: Any) -> Any:
    reader = client_of(request)
    entry = services.journal_entry_create(
        client=own_client(reader), actor=request.auth, title=payload.title, body_html=payload.body_html,
        mood=payload.mood, shared=payload.shared, tags=payload.tags, draft=payload.draft, **links)
    return Status(201, _entry_out(reader, entry.pk))


@router.post("/journal", response={201: JournalOut, **problems(422)},
             summary="Write a journal entry (a client)",
             description="Private unless `shared` (\"share with my coach\"). `mood` 1–5 is required unless the "
                         "entry is a `draft`. `body_html` is stored sanitized.")
def journal_create(request: HttpRequest, payload: JournalIn) -> Any:
    return _create(request, payload)


@router.get("/journal", response={200: JournalPage, **problems(422)},
            summary="Journal entries you may read, newest first",
            description="A client: their own (drafts too). The team: the entries clients shared, of the clients "
                        "they may see (`client` for one).")
def journal_list(request: HttpRequest, filters: Query[JournalListQuery]) -> Any:
    reader = reader_of(request)
    return _list(request, reader, filters, client=filters.client if reader.is_team else None)


@router.get("/journal/insights", response={200: InsightsOut, **problems()},
            summary="Your journal's insights (a client): entries per week, mood trend, tags, streaks")
def journal_insights(request: HttpRequest) -> Any:
    reader = client_of(request)
    return _insights(reader, own_client(reader))


@router.get("/journal/goal", response={200: JournalGoalOut, **problems()}, summary="Your weekly goal (a client)")
def goal_get(request: HttpRequest) -> Any:
    reader = client_of(request)
    goal = JournalGoal.objects.filter(client=own_client(reader)).first()
    return {"entries_per_week": goal.entries_per_week if goal else None, "remind": goal.remind if goal else True}


@router.put("/journal/goal", response={200: JournalGoalOut, **problems(422)},
            summary="Set your weekly goal, e.g. 3 entries a week (a client; null: none)",
            description="With `remind`, a gentle reminder comes once a week, late in the week, when you are behind.")
def goal_set(request: HttpRequest, payload: JournalGoalIn) -> Any:
    reader = client_of(request)
    goal = services.journal_goal_set(client=own_client(reader), actor=request.auth,
                                     entries_per_week=payload.entries_per_week, remind=payload.remind)
    return {"entries_per_week": goal.entries_per_week if goal else None, "remind": goal.remind if goal else True}


@router.get("/journal/{journalentry_id}", response={200: JournalOut, **problems()}, summary="One entry")
@decorate_view(path_objects("journalentry_id"))
def journal_get(request: HttpRequest, journalentry_id: int) -> Any:
    return _entry_out(reader_of(request), journalentry_id)


@router.patch("/journal/{journalentry_id}", response={200: JournalOut, **problems(409, 422)},
              summary="Change your entry, share it or stop sharing it (a client)",
              description="Only the fields sent change. `autosave: true` while typing (with `base_version`).")
@decorate_view(path_objects("journalentry_id"))
def journal_update(request: HttpRequest, journalentry_id: int, payload: JournalPatch) -> Any:
    reader = client_of(request)
    entry = selectors.journal_entry_readable(reader, journalentry_id)
    sent = payload.dict(exclude_unset=True)
    if payload.autosave:
        if "base_version" not in sent:
            raise NotesError(_("An autosave names the version it started from."), field="base_version")
        services.journal_entry_autosave(entry=entry, actor=request.auth, base_version=sent["base_version"],
                                        title=sent.get("title", entry.title),
                                        body_html=sent.get("body_html", entry.body_html))
    else:
        extra = {"mood": sent["mood"]} if "mood" in sent else {}
        services.journal_entry_update(entry=entry, actor=request.auth, base_version=sent.get("base_version"),
                                      title=sent.get("title"), body_html=sent.get("body_html"),
                                      shared=sent.get("shared"), tags=sent.get("tags"), draft=sent.get("draft"),
                                      **extra)
    return _entry_out(reader, journalentry_id)


@router.delete("/journal/{journalentry_id}", response={204: None, **problems()},
               summary="Delete your entry (a client)")
@decorate_view(path_objects("journalentry_id"))
def journal_delete(request: HttpRequest, journalentry_id: int) -> Any:
    reader = client_of(request)
    services.journal_entry_delete(entry=selectors.journal_entry_readable(reader, journalentry_id),
                                  actor=request.auth)
    return Status(204, None)


@router.post("/sessions/{session_id}/journal", response={201: JournalOut, **problems(422)},
             summary="Write a journal entry about one of your sessions (a client)")
@decorate_view(path_objects("session_id"))
def journal_create_for_session(request: HttpRequest, session_id: int, payload: JournalIn) -> Any:
    return _create(request, payload, session=session_visible(client_of(request), session_id))


# --- the team's view of a client's journal ---------------------------------------------------------

@router.get("/clients/{client_id}/journal", response={200: JournalPage, **problems(422)},
            summary="A client's shared journal entries (team)",
            description="Only the entries the client shared (never drafts). An unshared entry is not listed, "
                        "counted or searchable.")
@decorate_view(path_objects("client_id"))
def client_journal(request: HttpRequest, client_id: int, filters: Query[JournalQuery]) -> Any:
    reader = team_of(request)
    get_object_or_404(clients_visible_to(reader.membership), pk=client_id)
    return _list(request, reader, filters, client=client_id)


@router.get("/clients/{client_id}/journal/insights", response={200: InsightsOut, **problems()},
            summary="A client's journal insights over their shared entries only (team)")
@decorate_view(path_objects("client_id"))
def client_journal_insights(request: HttpRequest, client_id: int) -> Any:
    reader = team_of(request)
    return _insights(reader, get_object_or_404(clients_visible_to(reader.membership), pk=client_id))


def _insights(reader: Reader, client: Client) -> dict[str, Any]:
    found = selectors.journal_insights(reader, client)
    summary = found.summary
    return {"total": summary.total, "longest_streak": summary.longest_streak,
            "current_streak": summary.current_streak, "this_week": summary.this_week,
            "weeks": [{"start": w.start, "entries": w.entries, "mood_average": w.mood_average} for w in summary.weeks],
            "common_tags": [{"name": name, "count": count} for name, count in summary.common_tags],
            "entries_per_week_goal": found.goal.entries_per_week if found.goal is not None else None}


# --- prompts -------------------------------------------------------------------------------------

@router.post("/journal-prompts", response={201: PromptOut, **problems(422)},
             summary="Send a journal prompt to clients (team)",
             description="To the `clients` given and every client with `tag`; each is told by text, email or "
                         "in the portal as their settings allow.")
def prompt_send(request: HttpRequest, payload: PromptIn) -> Any:
    reader = team_of(request)
    clients = [reference(Client, pk, "clients", "client", visible=clients_visible_to(reader.membership))
               for pk in dict.fromkeys(payload.clients)]
    tag = reference(Tag, payload.tag, "tag", "tag") if payload.tag is not None else None
    prompt = prompt_services.journal_prompt_send(organization=reader.organization, actor=request.auth,
                                                 text=payload.text, clients=clients, tag=tag)
    sent = selectors.prompts_sent(reader).get(pk=prompt.pk)
    return Status(201, serialize.prompt_json(sent, team=True))


@router.get("/journal-prompts", response={200: list[PromptOut], **problems()},
            summary="Prompts: the team's sent ones, or a client's unanswered ones")
def prompt_list(request: HttpRequest) -> Any:
    reader = reader_of(request)
    if reader.is_team:
        return [serialize.prompt_json(p, team=True) for p in selectors.prompts_sent(reader)[:200]]
    return [serialize.prompt_json(r.prompt, team=False, answered=False) for r in selectors.prompts_open(reader)[:200]]


@router.post("/journal-prompts/{journalprompt_id}/answer", response={201: JournalOut, **problems(422)},
             summary="Answer a prompt with a journal entry (a client)")
@decorate_view(path_objects("journalprompt_id"))
def prompt_answer(request: HttpRequest, journalprompt_id: int, payload: JournalIn) -> Any:
    reader = client_of(request)
    return _create(request, payload, prompt=selectors.prompt_for_client(reader, journalprompt_id))
