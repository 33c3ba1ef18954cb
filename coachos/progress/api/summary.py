"""The progress summary of a range, and a month beside the one before."""

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.decorators import decorate_view

from .. import serialize
from ..errors import ProgressError
from ..selectors.summary import month_over_month, progress_summary
from ..units import System
from .access import progress_view
from .common import client_of, today
from .schemas import ComparisonOut, MonthQuery, RangeQuery, SummaryOut, problems

router = Router(tags=["progress"])

DEFAULT_DAYS = 30
MAX_DAYS = 366 * 10


@router.get("/clients/{client_id}/progress", response={200: SummaryOut, **problems(422)},
            summary="A client's progress over a date range",
            description="`{attendance: {completed, booked, no_show}, goals: [...], tasks: {done, due}, measurements: "
                        "{kind: {first, last, change, unit, ...}}}` between `start` and `end` (local dates, "
                        "inclusive; default the last 30 days). Values in the client's units.")
@decorate_view(progress_view())
def progress_get(request: HttpRequest, client_id: int, query: Query[RangeQuery]) -> Any:
    client = client_of(request, client_id)
    end = query.end or today(request)
    start = query.start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ProgressError(_("The start cannot be after the end."), field="start")
    if (end - start).days > MAX_DAYS:
        raise ProgressError(_("Choose at most ten years."), field="start")
    summary = progress_summary(client, start=start, end=end,
                               system=System(query.unit_system) if query.unit_system else None)
    return serialize.summary_json(summary)


@router.get("/clients/{client_id}/progress/month-over-month", response={200: ComparisonOut, **problems(422)},
            summary="A month's progress beside the month before (`month=YYYY-MM`, default this month)")
@decorate_view(progress_view())
def progress_months(request: HttpRequest, client_id: int, query: Query[MonthQuery]) -> Any:
    client = client_of(request, client_id)
    month = today(request)
    if query.month:
        year, number = (int(part) for part in query.month.split("-"))
        if not 1 <= number <= 12 or not 1900 <= year <= 9998:
            raise ProgressError(_("Give the month as YYYY-MM."), field="month")
        month = date(year, number, 1)
    comparison = month_over_month(client, month=month,
                                  system=System(query.unit_system) if query.unit_system else None)
    return serialize.comparison_json(comparison)
