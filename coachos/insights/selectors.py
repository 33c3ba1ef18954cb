"""What the page, the API, the exports, the digest and the assistant read: one call each."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.http import HttpRequest

from . import cards, metrics, periods
from .models import RevenueTarget


def viewer_of(request: HttpRequest) -> metrics.Viewer:
    return metrics.Viewer(organization=request.organization,  # type: ignore[attr-defined]
                          membership=getattr(request, "membership", None))


def target_progress(viewer: metrics.Viewer, today: date) -> dict[str, Any] | None:
    """This month's revenue target and how far the month's revenue has come (money viewers only)."""
    if not viewer.sees_money or viewer.limited:
        return None
    month = periods.month_start(today)
    target = RevenueTarget.objects.filter(month=month).first()
    if target is None:
        return {"month": month, "amount_minor": None, "revenue_minor": None, "progress": None}
    last = periods.preset_dates("month", today)[1]
    start, end = periods.local_range(month, last, viewer.organization.tzinfo)
    revenue = metrics.revenue_total(viewer, start, end)
    return {"month": month, "amount_minor": target.amount_minor, "revenue_minor": revenue,
            "progress": metrics.rate(revenue, target.amount_minor)}


def insights(viewer: metrics.Viewer, start: datetime, end: datetime, now: datetime) -> dict[str, Any]:
    report = metrics.report(viewer, start, end, now)
    data = asdict(report)
    data["cards"] = cards.cards_for(viewer, now)
    data["target"] = target_progress(viewer, now.astimezone(viewer.organization.tzinfo).date())
    return data
