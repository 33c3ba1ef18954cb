"""The Insights page (/o/<slug>/insights/): numbers, charts, cards, the revenue target, CSV and PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coachos.common import formats
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import cards, exports, periods, selectors, services


class RangeForm(forms.Form):
    preset = forms.ChoiceField(label=gettext_lazy("Period"), required=False, choices=[
        ("week", gettext_lazy("This week")), ("month", gettext_lazy("This month")),
        ("30d", gettext_lazy("Last 30 days")), ("quarter", gettext_lazy("This quarter")),
        ("year", gettext_lazy("This year")), ("custom", gettext_lazy("Dates I choose"))])
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end must be on or after the start."))
            elif (end - start).days > periods.MAX_DAYS:
                self.add_error("end", _("Choose at most %(n)s days.") % {"n": periods.MAX_DAYS})
        return data


class TargetForm(forms.Form):
    amount = forms.DecimalField(label=gettext_lazy("Revenue target this month"), min_value=0, max_digits=12,
                                decimal_places=2)


def _range(request: HttpRequest) -> tuple[RangeForm, date, date]:
    organization = request.organization  # type: ignore[attr-defined]
    today = timezone.now().astimezone(organization.tzinfo).date()
    form = RangeForm(request.GET or None)
    first, last = periods.preset_dates("month", today)
    if form.is_bound and form.is_valid():
        preset = form.cleaned_data.get("preset") or ""
        if form.cleaned_data.get("start") and form.cleaned_data.get("end") and preset in ("", "custom"):
            first, last = form.cleaned_data["start"], form.cleaned_data["end"]
        elif preset in periods.PRESETS:
            first, last = periods.preset_dates(preset, today)
    return form, first, last


def _report(request: HttpRequest, first: date, last: date) -> dict[str, Any]:
    viewer = selectors.viewer_of(request)
    start, end = periods.local_range(first, last, viewer.organization.tzinfo)
    return selectors.insights(viewer, start, end, timezone.now())


def _chart(data: dict[str, Any], currency: str) -> dict[str, Any]:
    revenue = data["revenue"]
    return {
        "currency": currency,
        "revenue": None if revenue is None else {
            "labels": [formats.format_date(p["period"], style="medium") for p in revenue["series"]],
            "values": [float(formats.minor_to_major(p["net_minor"], currency)) for p in revenue["series"]],
            "label": _("Revenue")},
        "utilization": {"labels": [row["name"] for row in data["utilization"]],
                        "values": [round(row["utilization"] * 100, 1) for row in data["utilization"]],
                        "label": _("Booked share of available hours (%)")},
    }


@org_view(Perm.BACKOFFICE)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    form, first, last = _range(request)
    data = _report(request, first, last)
    organization = request.organization  # type: ignore[attr-defined]
    peak = max((n for row in data["heatmap"] for n in row), default=0)
    heat_rows = [{"day": name, "cells": [{"hour": h, "n": n, "level": _level(n, peak)} for h, n in enumerate(row)]}
                 for name, row in zip(_weekday_names(), data["heatmap"], strict=True)]
    hours = [h for h in range(24) if any(row[h] for row in data["heatmap"])]
    return render(request, "insights/index.html", {
        "form": form, "first": first, "last": last, "data": data, "chart": _chart(data, organization.currency),
        "heat_rows": heat_rows, "hours": hours, "query": request.GET.urlencode(),
        "target_form": TargetForm(), "can_set_target": request.membership.has(Perm.SETTINGS),  # type: ignore[attr-defined]
        "cohort_width": max((len(c["retention"]) for c in data["cohorts"]), default=0),
    })


def _level(n: int, peak: int) -> int:
    return 0 if not n or not peak else max(1, round(4 * n / peak))


def _weekday_names() -> list[str]:
    from django.utils.dates import WEEKDAYS

    return [str(WEEKDAYS[i]) for i in range(7)]


@org_view(Perm.BACKOFFICE)
def export_csv(request: HttpRequest, org_slug: str) -> HttpResponse:
    _form, first, last = _range(request)
    data = _report(request, first, last)
    response = HttpResponse(exports.csv_text(data, request.organization), content_type="text/csv")  # type: ignore[attr-defined]
    response["Content-Disposition"] = f'attachment; filename="insights-{first}-{last}.csv"'
    return response


@org_view(Perm.BACKOFFICE)
def export_pdf(request: HttpRequest, org_slug: str) -> HttpResponse:
    _form, first, last = _range(request)
    data = _report(request, first, last)
    pdf = exports.pdf_bytes(data, request.organization, first, last)  # type: ignore[attr-defined]
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="insights-{first}-{last}.pdf"'
    return response


@require_POST
@org_view(Perm.BACKOFFICE)
def card_dismiss(request: HttpRequest, org_slug: str) -> HttpResponse:
    kind, fingerprint = request.POST.get("kind", ""), request.POST.get("fingerprint", "")
    viewer = selectors.viewer_of(request)
    # Only a card the member is shown now can be dismissed (nothing to store for a made-up one).
    if not any(c.kind == kind and c.fingerprint == fingerprint for c in cards.all_cards(viewer, timezone.now())):
        raise Http404
    services.card_dismiss(membership=request.membership, kind=kind, fingerprint=fingerprint,  # type: ignore[attr-defined]
                          actor=request.user)
    messages.success(request, _("Card dismissed. It comes back if its numbers change."))
    return redirect(_back(request))


@require_POST
@org_view(Perm.SETTINGS)
def target_set(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    form = TargetForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_back(request))
    minor = int(form.cleaned_data["amount"] * 10 ** formats.decimals_of(organization.currency))
    today = timezone.now().astimezone(organization.tzinfo).date()
    services.revenue_target_set(organization=organization, month=today, amount_minor=minor, actor=request.user)
    messages.success(request, _("Revenue target saved."))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    from django.urls import reverse

    url = reverse("insights:index", args=[request.organization.slug])  # type: ignore[attr-defined]
    query = request.POST.get("query", "")
    return f"{url}?{query}" if query and "\n" not in query and "//" not in query else url

