"""GET /api/v1/insights?start=&end= — the business's numbers for a range (see docs/insights.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router
from pydantic import BeforeValidator, WithJsonSchema

from coachos.common.api import require_perm
from coachos.common.schema import Schema
from coachos.scheduling.api.common import DATE_RE, parse_day, parse_instant, problems
from coachos.tenancy.roles import Perm

from . import periods, selectors

router = Router(tags=["insights"])


def _bound(value: Any) -> date | datetime:
    return parse_day(value) if isinstance(value, str) and DATE_RE.match(value) else parse_instant(value)


Bound = Annotated[Any, BeforeValidator(_bound), WithJsonSchema({"type": "string", "example": "2026-03-01"})]


class InsightsQuery(Schema):
    start: Bound = Field(description="A date (YYYY-MM-DD: from its start in the business's time zone) or an "
                                     "ISO 8601 date-time with a UTC offset.")
    end: Bound = Field(description="A date (YYYY-MM-DD: up to the end of that day, inclusive, in the business's "
                                   "time zone) or an ISO 8601 date-time with a UTC offset. The same rule as "
                                   f"`GET /sessions`; at most {periods.MAX_DAYS} days.")


class Forecast(Schema):
    actual_minor: int = Field(description="Money in so far (income − refunds).")
    booked_minor: int = Field(description="Confirmed bookings still to come in the range, at their session type's price.")
    memberships_minor: int = Field(description="Active memberships renewing before the end of the range.")
    total_minor: int = Field(description="actual + booked + memberships.")
    deferred_minor: int = Field(description="Sessions clients paid for and have not had yet (not added to the total).")


class RevenuePoint(Schema):
    period: date = Field(description="The first local day of the bucket.")
    net_minor: int


class Revenue(Schema):
    total_minor: int = Field(description="Income (sales, manual payments) − refunds, in minor units.")
    currency: str
    bucket: str = Field(description="day, week or month, from the range's length.")
    series: list[RevenuePoint]
    forecast: Forecast


class Sessions(Schema):
    completed: int = Field(description="Sessions overlapping the range with status completed (as `GET /sessions`).")
    no_show: int
    scheduled: int
    cancelled: int
    late_cancelled: int = Field(description="Bookings cancelled late, in sessions overlapping the range.")
    no_show_rate: float = Field(description="no_show ÷ (completed + no_show); 0 when both are 0.")
    late_cancel_rate: float


class Clients(Schema):
    active: int = Field(description="Clients with a place in a session starting in the range.")
    new: int = Field(description="Active clients who had never booked before the range.")
    retained: int = Field(description="Active in the range and in the one of the same length before it.")
    churned: int = Field(description="Active in the previous range, not in this one.")


class Utilization(Schema):
    coach: int
    name: str
    booked_hours: float
    available_hours: float
    utilization: float = Field(description="booked ÷ available hours.")


class Cohort(Schema):
    month: date
    size: int = Field(description="Clients whose first booking was in this month.")
    retention: list[float] = Field(description="Share of the cohort that booked in month +1, +2, …")


class Packages(Schema):
    sold: int
    credits_sold: int
    sell_through: float = Field(description="Of the credits sold in the range, the share used by now.")
    credits_used: int
    credits_outstanding: int
    credits_expiring: int
    clients_expiring: int
    expiring_days: int


class Rating(Schema):
    average: float | None
    count: int


class CardOut(Schema):
    kind: str
    title: str
    why: str
    action: str
    action_url: str


class Headline(Schema):
    start: datetime
    end: datetime
    completed: int
    no_show: int
    no_show_rate: float
    active_clients: int
    revenue_minor: int | None = None
    change: dict[str, float | None]


class Target(Schema):
    month: date
    amount_minor: int | None
    revenue_minor: int | None
    progress: float | None


class BusinessInsightsOut(Schema):
    start: datetime
    end: datetime
    currency: str
    revenue: Revenue | None = Field(description="Null for a member who may not see money.")
    sessions: Sessions
    clients: Clients
    utilization: list[Utilization]
    heatmap: list[list[int]] = Field(description="Booked places by local weekday (0 = Monday) × hour.")
    cohorts: list[Cohort]
    packages: Packages
    rating: Rating
    comparisons: dict[str, Headline] = Field(description="previous_period (WoW / MoM for a week / month) and "
                                                         "previous_year (YoY).")
    cards: list[CardOut]
    target: Target | None


def parse_range(request: HttpRequest, start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    tz = request.organization.tzinfo  # type: ignore[attr-defined]
    lo = start if isinstance(start, datetime) else periods.local_range(start, start, tz)[0]
    hi = end if isinstance(end, datetime) else periods.local_range(end, end, tz)[1]
    if hi <= lo:
        raise ValidationError({"end": [_("The end must be after the start.")]})
    if hi - lo > timedelta(days=periods.MAX_DAYS):
        raise ValidationError({"end": [_("The range may cover at most %(n)s days.") % {"n": periods.MAX_DAYS}]})
    return lo, hi


@router.get("/insights", response={200: BusinessInsightsOut, **problems(403, 422)},
            summary="The business's numbers for a range, with comparisons and insight cards",
            description="Counts agree with `GET /sessions` over the same range. Owners see the whole business; a "
                        "coach limited to their own clients sees theirs; revenue only with the money permission.")
def insights_get(request: HttpRequest, filters: Query[InsightsQuery]) -> dict[str, Any]:
    require_perm(request, Perm.BACKOFFICE)
    start, end = parse_range(request, filters.start, filters.end)
    data = selectors.insights(selectors.viewer_of(request), start, end, timezone.now())
    data["cards"] = [card.as_dict() for card in data["cards"]]
    return data
