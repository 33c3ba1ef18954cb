"""What the journal pages and the session pages share: who is looking (a ``Reader``), the zone they
read times in (labelled when it is not the business's), pages of a list that keep their filters, the
insights made ready for a chart and its table, and the sessions an entry may be about."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from coachos.clients.models import Client
from coachos.common import formats
from coachos.notes.readers import Reader, reader_for
from coachos.notes.selectors.journal import JournalInsights, reader_zone
from coachos.notes.selectors.sessions import CANCELLED
from coachos.scheduling.models import Booking, TrainingSession

PER_PAGE = 20
SESSION_CHOICES_BACK = timedelta(days=90)
SESSION_CHOICES_AHEAD = timedelta(days=14)


def reader_of(request: HttpRequest) -> Reader:
    """The person asking, as notes' rules know them; not a member of this business: a 404."""
    reader = reader_for(user=request.user, organization=request.organization,  # type: ignore[attr-defined]
                        membership=getattr(request, "membership", None))
    if reader is None:
        raise Http404("No such page.")
    return reader


def own_client(reader: Reader) -> Client | None:
    """A client's own record (the first, when their login is linked to more than one)."""
    if reader.is_team or not reader.client_ids:
        return None
    return Client.objects.select_related("organization").filter(pk=reader.client_ids[0]).first()


def client_reader(request: HttpRequest) -> tuple[Reader, Client]:
    """A portal page that needs the client's record: without one it is a 404."""
    reader = reader_of(request)
    client = own_client(reader)
    if client is None:
        raise Http404("No client record.")
    return reader, client


def zone_of(reader: Reader, client: Client | None = None) -> tzinfo:
    """The client's own display zone in the portal, the business's for the team."""
    return reader_zone(reader, client)


def zone_context(reader: Reader, zone: tzinfo) -> dict[str, Any]:
    """``zone_label`` ("London") only when the reader's zone shows another time than the business's."""
    business = reader.organization.tzinfo
    differs = formats.zones_differ(zone, business)
    return {"zone": zone, "zone_label": formats.zone_name(zone) if differs else "",
            "business_zone": business, "business_zone_label": formats.zone_name(business)}


def paginate(request: HttpRequest, rows: QuerySet[Any], per_page: int = PER_PAGE) -> tuple[Page[Any], str]:
    """A page of ``rows`` and the query string of the other parameters (for the page links)."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    kept = [(key, value) for key, values in request.GET.lists() if key != "page" for value in values]
    return page, urlencode(kept)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where a form goes back to: its ``next`` when it is a page of this site, else ``fallback``."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return wanted
    return fallback


def url_or_empty(name: str, **kwargs: Any) -> str:
    """A link to another feature's page, or "" while that page does not exist (it is left out)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


# --- insights -------------------------------------------------------------------------------------

def insights_context(found: JournalInsights) -> dict[str, Any]:
    """The numbers, a chart's data (bars: entries per week; a line: the week's average mood) and the
    same numbers as a table, so that the chart is a picture and never the only source."""
    summary = found.summary
    weeks = [{
        "start": week.start, "label": formats.format_date(week.start, style="medium"),
        "entries": week.entries, "mood": week.mood_average,
        "mood_text": formats.format_number(week.mood_average, decimals=1) if week.mood_average is not None else "",
    } for week in summary.weeks]
    chart = {
        "labels": [week["label"] for week in weeks],
        "entries": [week["entries"] for week in weeks],
        "mood": [week["mood"] for week in weeks],
        "entries_label": pgettext("journal", "Entries"),
        "mood_label": _("Average mood (1 awful – 5 great)"),
    }
    goal = found.goal
    return {
        "summary": summary, "weeks": list(reversed(weeks)), "chart": chart, "goal": goal,
        "has_entries": summary.total > 0,
        "goal_met": goal is not None and summary.this_week >= goal.entries_per_week,
    }


# --- the sessions an entry may be about ----------------------------------------------------------

def session_label(session: TrainingSession, zone: tzinfo) -> str:
    return _("%(when)s · %(type)s") % {"when": formats.format_datetime(session.starts_at, zone=zone),
                                       "type": session.session_type.name}


def session_choices(client: Client, zone: tzinfo, *, include: int | None = None,
                    now: datetime | None = None) -> list[tuple[int, str]]:
    """The client's recent and coming sessions (not cancelled), newest first, plus ``include`` (the
    session a page was opened for) when it is theirs."""
    now = now or timezone.now()
    bookings = (Booking.objects.filter(client=client).exclude(status__in=CANCELLED)
                .exclude(session__status=TrainingSession.Status.CANCELLED)
                .select_related("session__session_type"))
    recent = bookings.filter(session__starts_at__gte=now - SESSION_CHOICES_BACK,
                             session__starts_at__lte=now + SESSION_CHOICES_AHEAD).order_by("-session__starts_at")
    sessions = {b.session_id: b.session for b in recent[:40]}
    if include is not None and include not in sessions:
        extra = Booking.objects.filter(client=client, session_id=include).select_related("session__session_type").first()
        if extra is not None:
            sessions[extra.session_id] = extra.session
    ordered = sorted(sessions.values(), key=lambda s: s.starts_at, reverse=True)
    return [(s.pk, session_label(s, zone)) for s in ordered]
