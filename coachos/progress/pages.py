"""What the progress pages of both sides share: who reads (the team about a client, or the client about
themself), in which zone and units, the date range shown, the URLs of each side, and how a form's answer
goes back (an htmx part, or the whole page when the browser sent a plain form).

The pages call the services and selectors directly (no API round trip); each part of a page
(``pages_parts``, ``pages_charts``, ``pages_photos``) is built from one ``Reader`` so that the client's
units, kinds and zone are read once per request.
"""

from __future__ import annotations

import json
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common import formats, moments

from .errors import ProgressError
from .kinds import KindInfo
from .selectors.access import today_for
from .selectors.kinds import kinds_for
from .selectors.preferences import settings_for, unit_system_for
from .units import System

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 10
PRESETS = (30, 90, 365)


@dataclass
class Reader:
    """Who reads a client's progress and how: the team (the business's zone) or the client (their own
    zone when they chose one; labelled when it is not the business's)."""

    team: bool
    org_slug: str
    client: Client
    zone: tzinfo
    today: date  # in the business's zone: the day tasks and photo dates count in
    local_today: date  # in the reader's zone: the last day of the ranges shown, a new measurement's day
    system: System
    kinds: list[KindInfo]
    unit_choice: str = ""  # the client's own choice ("" = the business's default)
    zone_label: str = ""
    js_locale: str = ""
    _kinds_by_key: dict[str, KindInfo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._kinds_by_key = {kind.key: kind for kind in self.kinds}

    def kind(self, key: str) -> KindInfo | None:
        return self._kinds_by_key.get(key)

    def unit(self, kind: KindInfo) -> str:
        return kind.unit_for(self.system)

    def url(self, name: str, **kwargs: Any) -> str:
        if self.team:
            return reverse(f"progress:{name}", kwargs={"org_slug": self.org_slug, "client_id": self.client.pk,
                                                        **kwargs})
        return reverse(f"portal_progress:{name}", kwargs={"org_slug": self.org_slug, **kwargs})

    @property
    def page_url(self) -> str:
        return self.url("page") if self.team else self.url("index")

    @property
    def namespace(self) -> str:
        return "progress" if self.team else "portal_progress"


def _reader(client: Client, *, team: bool, org_slug: str, zone: tzinfo) -> Reader:
    organization = client.organization
    stored = settings_for(client)
    differs = formats.zones_differ(zone, organization.tzinfo)
    return Reader(team=team, org_slug=org_slug, client=client, zone=zone, today=today_for(organization),
                  local_today=timezone.now().astimezone(zone).date(),
                  system=unit_system_for(client, stored=stored), unit_choice=stored.unit_system,
                  kinds=kinds_for(organization), zone_label=formats.zone_name(zone) if differs else "",
                  js_locale=formats.current_locale().replace("_", "-"))


def team_reader(request: HttpRequest, client: Client) -> Reader:
    """The team reads in the business's zone."""
    organization = request.organization  # type: ignore[attr-defined]
    client.organization = organization
    return _reader(client, team=True, org_slug=organization.slug, zone=organization.tzinfo)


def own_client(request: HttpRequest) -> Client | None:
    """The signed-in client's own record in this business (the first, when their login has several)."""
    if not request.user.is_authenticated:
        return None
    return Client.objects.filter(user=request.user).order_by("pk").first()


def client_zone(client: Client) -> tzinfo:
    zone: tzinfo = client.organization.tzinfo
    if client.timezone:
        try:
            zone = zoneinfo.ZoneInfo(client.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return zone


def portal_reader(request: HttpRequest) -> Reader:
    """The signed-in client reading their own progress; no client record in this business: 404."""
    client = own_client(request)
    if client is None:
        raise Http404("No client record.")
    organization = request.organization  # type: ignore[attr-defined]
    client.organization = organization
    return _reader(client, team=False, org_slug=organization.slug, zone=client_zone(client))


# --- the date range ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Range:
    start: date
    end: date
    days: int | None  # a preset (last N days), or None for dates picked by hand
    error: str = ""

    @property
    def query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        """The instants the range's first day begins and the day after its last begins, in ``zone``."""
        return (datetime.combine(self.start, time(0), tzinfo=zone),
                datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=zone))


def _day(value: str | None) -> date | None:
    return moments.day_from(value)


def date_range(params: Any, today: date) -> Range:
    """The range a page shows, from ``?days=`` (a preset), or ``?start=&end=`` (dates, inclusive); the last
    90 days by default. A range that cannot be read falls back to the default with a sentence why."""
    days = params.get("days", "")
    if days and days.isdigit() and int(days) in PRESETS:
        n = int(days)
        return Range(start=today - timedelta(days=n - 1), end=today, days=n)
    default = Range(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today, days=DEFAULT_DAYS)
    raw_start, raw_end = params.get("start", ""), params.get("end", "")
    if not raw_start and not raw_end:
        return default
    start, end = _day(raw_start), _day(raw_end)
    if start is None or end is None:
        return Range(default.start, default.end, default.days,
                     error=_("Enter both dates of the range as dates, e.g. %(example)s.") % {
                         "example": formats.format_date(today, style="short")})
    if end < start:
        return Range(default.start, default.end, default.days, error=_("The end of the range is before its start."))
    if (end - start).days > MAX_DAYS or start.year < 1900 or end.year > 2999:
        return Range(default.start, default.end, default.days, error=_("Choose a range of at most ten years."))
    return Range(start=start, end=end, days=None)


def range_context(reader: Reader, rng: Range) -> dict[str, Any]:
    presets = [{"days": n, "url": f"{reader.page_url}?days={n}", "current": rng.days == n,
                "label": _label(n)} for n in PRESETS]
    return {"range": rng, "presets": presets}


def _label(days: int) -> str:
    return {30: _("Last 30 days"), 90: _("Last 90 days"), 365: _("Last 12 months")}[days]


# --- answers to forms ----------------------------------------------------------------------------

def form_error(form: forms.Form, exc: ProgressError, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form field it names (``fields`` maps the service's field names to
    the form's), or above the form when the form has no such field."""
    name = (fields or {}).get(exc.field, exc.field)
    form.add_error(name if name in form.fields else None, str(exc))


def part_response(request: HttpRequest, template: str, context: dict[str, Any], *, ok: bool, anchor: str = "",
                  notice: str = "", events: dict[str, Any] | None = None,
                  page: Callable[[], HttpResponse] | None = None) -> HttpResponse:
    """The answer to a form of a page's part; ``ok``: the change was made.

    htmx: the part again (with its notice, or its form's errors), and after a change ``HX-Trigger``
    ``events`` that tell the rest of the page to refresh (``progressMeasured`` carries a chart's new
    points for ``charts.js``). A plain form (no script): after a change, back to the page with the notice;
    refused, the whole page again with the form as typed (``page`` renders it)."""
    reader: Reader = context["reader"]
    if getattr(request, "htmx", False):
        with timezone.override(reader.zone):
            response = render(request, template, {**context, "notice": notice})
        if ok and events:
            response["HX-Trigger"] = json.dumps(events, separators=(",", ":"), default=str)
        return response
    if ok or page is None:
        if notice:
            messages.success(request, notice)
        elif not ok and context.get("error"):
            messages.error(request, context["error"])
        return redirect(reader.page_url + (f"#{anchor}" if anchor else ""))
    return page()


def local_instant(day: date, at: time | None, *, zone: tzinfo, now: datetime | None = None) -> datetime:
    """The instant a reader means by a date (and a time) in their zone: the time given; no time: now when
    the day is today, else midday (a backdated weigh-in stays on its day in any nearby zone)."""
    now = now or timezone.now()
    if at is not None:
        return datetime.combine(day, at, tzinfo=zone)
    if day == now.astimezone(zone).date():
        return now
    return datetime.combine(day, time(12), tzinfo=zone)
