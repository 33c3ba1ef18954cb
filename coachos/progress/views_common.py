"""What the team's and the client's progress views do alike, once the reader is known (the caller looked
the client up: the team through ``clients_visible_to``, the portal through the signed-in client's own
record). Objects named in the URL are looked up within that client, so another client's — or another
business's — goal, task, measurement or photo is a 404.

Each write calls one service and answers with its part of the page (``pages.part_response``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common.formats import format_number

from . import services
from .errors import ProgressError
from .files import photo_response
from .forms import PhotoForm, UnitsForm
from .models import Goal, Measurement, ProgressPhoto, Task
from .pages import Reader, date_range, form_error, part_response
from .pages_charts import chart_update, charts_part
from .pages_full import measure_part, measurement_form, render_page
from .pages_parts import summary_part, tasks_part
from .pages_photos import photos_part
from .services.photos import max_bytes, too_large


def summary(request: HttpRequest, reader: Reader) -> HttpResponse:
    with timezone.override(reader.zone):
        return render(request, "progress/_summary.html",
                      {"reader": reader, "summary": summary_part(reader), "compact": is_compact(request)})


def charts(request: HttpRequest, reader: Reader) -> HttpResponse:
    with timezone.override(reader.zone):
        return render(request, "progress/_charts.html",
                      {"reader": reader, "charts": charts_part(reader, date_range(request.GET, reader.local_today)),
                       "compact": is_compact(request)})


def tasks(request: HttpRequest, reader: Reader, **extra: Any) -> dict[str, Any]:
    """The tasks part's context (``error``: why a tick or a change was refused)."""
    return {"reader": reader, "tasks": tasks_part(reader, **extra), "error": extra.get("error", ""),
            "compact": is_compact(request)}


def is_compact(request: HttpRequest) -> bool:
    """Whether a part is shown in the client page's section (smaller headings, fewer photos)."""
    return (request.POST if request.method == "POST" else request.GET).get("compact") == "1"


# --- measurements ------------------------------------------------------------------------------------

def _achieved_since(reader: Reader, since: Any, kind: str) -> list[Goal]:
    return list(Goal.objects.filter(client=reader.client, status=Goal.Status.ACHIEVED, achieved_at__gte=since,
                                    measurement_kind=kind).order_by("pk"))


def measurement_add(request: HttpRequest, reader: Reader) -> HttpResponse:
    rng = date_range(request.POST, reader.local_today)
    form = measurement_form(reader, request.POST)
    notice, events, ok = "", {}, False
    if form.is_valid():
        data = form.cleaned_data
        began = timezone.now()
        try:
            measurement = services.measurement_record(
                client=reader.client, actor=request.user, kind=data["kind"], value=data["value"],
                unit=data["unit"], measured_at=form.measured_at(), note=data["note"])
        except ProgressError as exc:
            form_error(form, exc, form.SERVICE_FIELDS)
        else:
            ok = True
            kind = reader.kind(measurement.kind)
            notice = _("%(kind)s saved: %(value)s %(unit)s.") % {
                "kind": kind.name if kind else measurement.kind,
                "value": format_number(measurement.entered_value), "unit": measurement.entered_unit}
            for goal in _achieved_since(reader, began, measurement.kind):
                notice += " " + _("Goal achieved: %(title)s. Well done!") % {"title": goal.title}
            form = measurement_form(reader, kind=data["kind"], unit=data["unit"], measured_on=data["measured_on"])
            events = {"progressMeasured": chart_update(reader, rng, measurement.kind) or {"kind": measurement.kind}}
    return part_response(request, "progress/_measure_form.html",
                         {"reader": reader, "measure": measure_part(reader, rng, form),
                          "compact": is_compact(request)}, ok=ok,
                         anchor="progress-measurements", notice=notice, events=events,
                         page=lambda: render_page(request, reader, measurement=form))


def measurement_delete(request: HttpRequest, reader: Reader, measurement_id: int) -> HttpResponse:
    measurement = get_object_or_404(Measurement, pk=measurement_id, client=reader.client)
    rng = date_range(request.POST, reader.local_today)
    services.measurement_delete(measurement=measurement, actor=request.user)
    return part_response(request, "progress/_charts.html",
                         {"reader": reader, "charts": charts_part(reader, rng), "compact": is_compact(request)},
                         ok=True, anchor="progress-measurements", notice=_("The measurement was removed."),
                         events={"progressChanged": True})


# --- tasks (ticking; the team's own views assign and stop them) ---------------------------------------

def task_tick(request: HttpRequest, reader: Reader, task_id: int) -> HttpResponse:
    task = get_object_or_404(Task, pk=task_id, client=reader.client)
    done = request.POST.get("done", "1") != "0"
    error = notice = ""
    try:
        if done:
            _tick, new = services.task_done(task=task, actor=request.user)
            notice = _("Done: %(title)s.") % {"title": task.title} if new else ""
        else:
            services.task_undone(task=task, actor=request.user)
    except ProgressError as exc:
        error = str(exc)
    return part_response(request, "progress/_tasks.html", tasks(request, reader, error=error), ok=not error,
                         anchor="progress-tasks", notice=notice, events={"progressTicked": True})


# --- photos ------------------------------------------------------------------------------------------

def photo_add(request: HttpRequest, reader: Reader) -> HttpResponse:
    form = PhotoForm(request.POST, request.FILES, today=reader.today)
    ok, notice = False, ""
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if (upload.size or 0) > max_bytes():
                raise too_large()
            photo = services.photo_upload(client=reader.client, actor=request.user, data=upload.read(),
                                          pose=form.cleaned_data["pose"], taken_on=form.cleaned_data["taken_on"])
        except ProgressError as exc:
            form_error(form, exc)
        else:
            ok = True
            notice = _("Photo saved.")
            following = {"front": "side", "side": "back"}.get(photo.pose, "front")
            form = PhotoForm(today=reader.today, initial={"taken_on": photo.taken_on, "pose": following})
    return part_response(request, "progress/_photos.html",
                         {"reader": reader, "photos": photos_part(reader, form=form)}, ok=ok,
                         anchor="progress-photos", notice=notice, events={"progressChanged": True},
                         page=lambda: render_page(request, reader, photo=form))


def photo_delete(request: HttpRequest, reader: Reader, progressphoto_id: int) -> HttpResponse:
    photo = get_object_or_404(ProgressPhoto, pk=progressphoto_id, client=reader.client)
    services.photo_delete(photo=photo, actor=request.user)
    return part_response(request, "progress/_photos.html",
                         {"reader": reader, "photos": photos_part(reader, form=PhotoForm(today=reader.today))},
                         ok=True, anchor="progress-photos", notice=_("The photo was deleted."))


def photo_compare(request: HttpRequest, reader: Reader) -> HttpResponse:
    """Two days of one pose side by side: the comparison alone (htmx), or the whole page."""
    if not getattr(request, "htmx", False):
        return render_page(request, reader)
    with timezone.override(reader.zone):
        return render(request, "progress/_compare.html",
                      {"reader": reader, "compare": photos_part(reader, request.GET)["compare"]})


def photo_file(client: Client, progressphoto_id: int, *, thumbnail: bool = False) -> HttpResponseBase:
    photo = get_object_or_404(ProgressPhoto, pk=progressphoto_id, client=client)
    return photo_response(photo, thumbnail=thumbnail)


def units_save(request: HttpRequest, reader: Reader, form: UnitsForm, *, saved: str) -> HttpResponse:
    """The client's unit system and monthly report from the page's form (the team's or the client's own),
    then back to the page's "Units and reports"."""
    if form.is_valid():
        try:
            services.progress_settings_update(client=reader.client, actor=request.user,
                                              unit_system=form.cleaned_data["unit_system"],
                                              monthly_report=form.monthly_value())
        except ProgressError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, saved)
    else:
        messages.error(request, _("Choose one of the options offered."))
    return redirect(reader.page_url + "#progress-units")

