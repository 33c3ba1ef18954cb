"""Who may read which journal entry — decided here and nowhere else — and the reads built on it.

The rule (``journal_entries_readable``): the client always reads their own entries (drafts too);
the team reads an entry only when the client shared it and it is not a draft, and only for the
clients ``clients_visible_to`` gives them. Every page, API endpoint, list, search, insight and the
admin use this rule (``shared_with_team`` is the team's half of it as a condition); an entry the
reader may not read is a 404, the same answer as for no entry.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.notes import insights
from coachos.notes.models import JournalEntry, JournalGoal, JournalPrompt, JournalPromptRecipient, JournalTag
from coachos.notes.readers import Reader
from coachos.notes.search import search


def shared_with_team() -> Q:
    """The entries the team may ever read: shared by the client, and saved (not a draft)."""
    return Q(shared=True, draft=False)


def journal_entries_readable(reader: Reader) -> QuerySet[JournalEntry]:
    entries = JournalEntry.objects.filter(organization=reader.organization)
    if reader.is_team:
        return entries.filter(shared_with_team(), client__in=clients_visible_to(reader.membership))
    if not reader.client_ids:
        return entries.none()
    return entries.filter(client_id__in=reader.client_ids)


def journal_entry_readable(reader: Reader, entry_id: int) -> JournalEntry:
    found = (journal_entries_readable(reader).filter(pk=entry_id)
             .select_related("client", "session__session_type", "prompt").prefetch_related("tags").first())
    if found is None:
        raise Http404("No such entry.")
    return found


@dataclass(frozen=True)
class JournalFilters:
    client: int | None = None
    q: str = ""
    mood: int | None = None
    tag: str = ""
    since: date | None = None  # days in the reader's zone, inclusive
    until: date | None = None
    drafts: bool | None = None  # None: both; the team never sees drafts anyway
    shared: bool | None = None


def reader_zone(reader: Reader, client: Client | None = None) -> tzinfo:
    """The zone days are counted in: the client's own display zone for a client, the business's for the team."""
    if not reader.is_team and client is not None and client.timezone:
        try:
            return zoneinfo.ZoneInfo(client.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return reader.organization.tzinfo


def journal_list(reader: Reader, filters: JournalFilters, *, zone: tzinfo | None = None) -> QuerySet[JournalEntry]:
    entries = journal_entries_readable(reader)
    zone = zone or reader.organization.tzinfo
    if filters.client is not None:
        entries = entries.filter(client_id=filters.client)
    if filters.mood is not None:
        entries = entries.filter(mood=filters.mood)
    if filters.tag:
        entries = entries.filter(tags__name__iexact=filters.tag.strip())
    if filters.since is not None:
        entries = entries.filter(created_at__gte=datetime.combine(filters.since, time.min, tzinfo=zone))
    if filters.until is not None:
        entries = entries.filter(created_at__lte=datetime.combine(filters.until, time.max, tzinfo=zone))
    if filters.drafts is not None:
        entries = entries.filter(draft=filters.drafts)
    if filters.shared is not None:
        entries = entries.filter(shared=filters.shared)
    entries = search(entries, filters.q)
    return entries.order_by("-created_at", "-id").select_related("client", "prompt").prefetch_related("tags")


def journal_tags(reader: Reader, client: Client) -> list[tuple[str, int]]:
    """A client's tags with how many readable entries carry each (the team: shared entries only)."""
    entries = journal_entries_readable(reader).filter(client=client)
    rows = (JournalTag.objects.filter(client=client, entries__in=entries).annotate(n=Count("entries"))
            .order_by("-n", "name").values_list("name", "n"))
    return list(rows)


@dataclass(frozen=True)
class JournalInsights:
    summary: insights.Insights
    goal: JournalGoal | None  # the client's own goal (shown to the client only)


def journal_insights(reader: Reader, client: Client, *, today: date | None = None, weeks: int = 12
                     ) -> JournalInsights:
    """Entries per week, mood trend, common tags and streaks over the entries this reader may read:
    every saved entry for the client, the shared ones for the coach."""
    zone = reader_zone(reader, client)
    today = today or timezone.localtime(timezone.now(), zone).date()
    rows = (journal_entries_readable(reader).filter(client=client, draft=False)
            .prefetch_related("tags").only("created_at", "mood"))
    facts = [insights.Fact(day=timezone.localtime(row.created_at, zone).date(), mood=row.mood,
                           tags=tuple(tag.name for tag in row.tags.all())) for row in rows]
    goal = None if reader.is_team else JournalGoal.objects.filter(client=client).first()
    return JournalInsights(summary=insights.summarize(facts, today=today, weeks=weeks), goal=goal)


def prompts_open(reader: Reader) -> QuerySet[JournalPromptRecipient]:
    """A client's prompts not answered yet, newest first."""
    if reader.is_team or not reader.client_ids:
        return JournalPromptRecipient.objects.none()
    return (JournalPromptRecipient.objects.filter(client_id__in=reader.client_ids, entry__isnull=True)
            .select_related("prompt", "prompt__author").order_by("-created_at", "-id"))


def prompt_for_client(reader: Reader, prompt_id: int) -> JournalPrompt:
    found = JournalPrompt.objects.filter(pk=prompt_id, recipients__client_id__in=reader.client_ids).first()
    if reader.is_team or found is None:
        raise Http404("No such prompt.")
    return found


def prompts_sent(reader: Reader) -> QuerySet[JournalPrompt]:
    """The prompts the team sent to clients this reader may see, with how many were sent and how many
    answers the clients shared (an unshared answer is not counted: it is not the team's to know of)."""
    if not reader.is_team:
        return JournalPrompt.objects.none()
    visible = clients_visible_to(reader.membership)
    return (JournalPrompt.objects.filter(organization=reader.organization, recipients__client__in=visible)
            .distinct().annotate(
                sent=Count("recipients", filter=Q(recipients__client__in=visible), distinct=True),
                shared_answers=Count("recipients", distinct=True, filter=Q(
                    recipients__client__in=visible, recipients__entry__shared=True,
                    recipients__entry__draft=False)))
            .order_by("-created_at", "-id"))
