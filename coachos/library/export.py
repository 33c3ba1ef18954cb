"""The engagement CSV: one row per client and resource, the same rows the analytics pages count,
streamed (rows read from the database in keyset chunks of 2,000, written one at a time), so a large
export never sits whole in memory. Dates are the business's; the range is on the last activity."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from django_scopes import scope

from coachos.tenancy.models import Organization

from .selectors import engagement_rows

CHUNK = 2000


class _Echo:
    def write(self, value: str) -> str:
        return value


def _bound(day: date | None, zone: Any) -> datetime | None:
    return datetime.combine(day, time(0), tzinfo=zone) if day is not None else None


def _stamp(value: datetime | None, zone: Any) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""  # machine-readable, not for people


def export_lines(*, organization: Organization, start: date | None = None, end: date | None = None,
                 resource_id: int | None = None) -> Iterator[str]:
    zone = organization.tzinfo
    writer = csv.writer(_Echo())
    yield writer.writerow([_("client"), _("client id"), _("resource"), _("resource id"), _("opened"), _("completed"),
                           _("seconds"), _("downloads"), _("last activity")])
    with scope(organization=organization):
        rows = engagement_rows(organization=organization, start=_bound(start, zone),
                               end=_bound(end + timedelta(days=1), zone) if end else None, resource_id=resource_id)
        values = rows.order_by("pk").values_list(
            "pk", "client__first_name", "client__last_name", "client_id", "resource__title", "resource_id",
            "opened_at", "completed_at", "seconds", "downloads", "updated_at")
    last = 0
    while True:
        # A chunk at a time, each read in its own short scope: the response is written after the view
        # has returned (outside the request's scope), and nothing is held open between chunks.
        with scope(organization=organization):
            chunk = list(values.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        for _pk, first, last_name, client_id, title, rid, opened, completed, seconds, downloads, updated in chunk:
            yield writer.writerow([_safe(f"{first} {last_name}".strip()), client_id, _safe(title), rid,
                                   _stamp(opened, zone), _stamp(completed, zone), seconds, downloads,
                                   _stamp(updated, zone)])
        last = chunk[-1][0]


def _safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula is kept as text."""
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def export_response(*, organization: Organization, start: date | None, end: date | None,
                    resource_id: int | None = None) -> StreamingHttpResponse:
    response = StreamingHttpResponse(export_lines(organization=organization, start=start, end=end,
                                                  resource_id=resource_id), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="library-engagement.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
