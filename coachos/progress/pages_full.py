"""The whole progress page of one client — the team's (/o/<slug>/clients/<id>/progress/), the client's
own in the portal (/portal/<slug>/progress/) and the client page's "Progress" section — put together from
the parts, each with its form (as typed, with its errors, when a plain form came back refused)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .forms import MeasurementForm, PhotoForm, ProgressDefaultsForm, TaskForm, TeamUnitsForm, UnitsForm
from .pages import Range, Reader, date_range, range_context
from .pages_charts import charts_part
from .pages_parts import attendance_part, goals_part, month_part, summary_part, tasks_part
from .pages_photos import photos_part
from .selectors.preferences import defaults_for, settings_for
from .selectors.tasks import tasks_for


def measurement_form(reader: Reader, data: Any = None, **initial: Any) -> MeasurementForm:
    return MeasurementForm(data, kinds=reader.kinds, system=reader.system, zone=reader.zone, today=reader.local_today,
                           initial=initial or None)


def measure_part(reader: Reader, rng: Range, form: MeasurementForm | None = None, **extra: Any) -> dict[str, Any]:
    return {"form": form or measurement_form(reader), "url": reader.url("measurement_add"), "range": rng, **extra}


def page_context(reader: Reader, params: Any, *, compact: bool = False, **forms: Any) -> dict[str, Any]:
    """Everything a progress page shows. ``forms``: a form to show as it came back (``measurement``,
    ``task``, ``photo``)."""
    rng = date_range(params, reader.local_today)
    views = tasks_for(reader.client, today=reader.today, include_stopped=reader.team)
    active = [view for view in views if view.task.active]
    context: dict[str, Any] = {
        "reader": reader, "client": reader.client, "compact": compact, **range_context(reader, rng),
        "summary": summary_part(reader, active),
        "goals": goals_part(reader),
        "tasks": tasks_part(reader, views, form=forms.get("task") or (TaskForm() if reader.team else None)),
        "measure": measure_part(reader, rng, forms.get("measurement")),
        "charts": charts_part(reader, rng),
        "photos": photos_part(reader, params, form=forms.get("photo") or PhotoForm(today=reader.today),
                              compact=compact),
    }
    if not compact:
        context.update(attendance=attendance_part(reader, rng), month=month_part(reader, params.get("month")))
    if not compact:
        form_class = TeamUnitsForm if reader.team else UnitsForm
        context["units_form"] = form_class(initial={
            "unit_system": reader.unit_choice,
            "monthly_report": UnitsForm.monthly_choice(settings_for(reader.client).monthly_report)})
    if reader.team and not compact:
        defaults = defaults_for(reader.client.organization)
        context["business_monthly"] = bool(defaults.monthly_report)
        context["defaults_form"] = ProgressDefaultsForm(initial={"monthly_report": "on" if defaults.monthly_report else "off"})
    return context


def render_page(request: HttpRequest, reader: Reader, **forms: Any) -> HttpResponse:
    """The full page (the team's or the client's), in the reader's zone."""
    template = "progress/page.html" if reader.team else "progress/portal/index.html"
    params = request.GET if request.method == "GET" else request.POST
    with timezone.override(reader.zone):
        return render(request, template, page_context(reader, params, **forms))
