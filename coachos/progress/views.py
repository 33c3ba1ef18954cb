"""The team's progress pages of one client, under /o/<slug>/clients/<client_id>/ (see ``urls.py``): the
client page's "Progress" section, the full page, and the writes behind their forms. The client is looked
up among those the member may see (``clients_visible_to``: a coach limited to their own clients sees only
those), so anyone else's is a 404 like another business's. Goals: ``views_goals``."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.clients.models import Client
from coachos.clients.views_sections import client_or_404, guarded, section_response
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import services, views_common
from .errors import ProgressError
from .forms import ProgressDefaultsForm, TaskForm, TeamUnitsForm
from .models import Task
from .pages import Reader, form_error, part_response, team_reader
from .pages_full import page_context, render_page


def _client(request: HttpRequest, client_id: int) -> Client:
    return client_or_404(client_id, request.membership)  # type: ignore[attr-defined]


def _reader(request: HttpRequest, client_id: int) -> Reader:
    return team_reader(request, _client(request, client_id))


@require_GET
@org_view(Perm.BACKOFFICE)
def section(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    """The client page's "Progress" section (loaded on its own by htmx; a failure shows a Retry)."""
    client = _client(request, client_id)

    def build() -> HttpResponse:
        reader = team_reader(request, client)
        with timezone.override(reader.zone):
            return section_response(request, "progress", "progress/section.html",
                                    page_context(reader, request.GET, compact=True))

    return guarded("progress", request, client, build)


@require_GET
@org_view(Perm.BACKOFFICE)
def page(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    return render_page(request, _reader(request, client_id))


@require_GET
@org_view(Perm.BACKOFFICE)
def summary_part(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    return views_common.summary(request, _reader(request, client_id))


@require_GET
@org_view(Perm.BACKOFFICE)
def charts_part(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    return views_common.charts(request, _reader(request, client_id))


# --- tasks ---------------------------------------------------------------------------------------

@require_POST
@org_view(Perm.BACKOFFICE)
def task_add(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    reader = _reader(request, client_id)
    form = TaskForm(request.POST)
    ok = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.task_create(client=reader.client, actor=request.user, title=data["title"], notes=data["notes"],
                                 due_date=data["due_date"], repeat=data["repeat"])
        except ProgressError as exc:
            form_error(form, exc)
        else:
            ok, form = True, TaskForm()
    return part_response(request, "progress/_tasks.html", views_common.tasks(request, reader, form=form), ok=ok,
                         anchor="progress-tasks", notice=_("Task assigned.") if ok else "",
                         events={"progressTicked": True}, page=lambda: render_page(request, reader, task=form))


@require_POST
@org_view(Perm.BACKOFFICE)
def task_tick(request: HttpRequest, org_slug: str, client_id: int, task_id: int) -> HttpResponse:
    return views_common.task_tick(request, _reader(request, client_id), task_id)


@require_POST
@org_view(Perm.BACKOFFICE)
def task_stop(request: HttpRequest, org_slug: str, client_id: int, task_id: int) -> HttpResponse:
    """Stop a task (its last period is today's) or start it again (``active=1``)."""
    reader = _reader(request, client_id)
    task = get_object_or_404(Task, pk=task_id, client=reader.client)
    active = request.POST.get("active") == "1"
    error = ""
    try:
        services.task_update(task=task, actor=request.user, changes={"active": active})
    except ProgressError as exc:
        error = str(exc)
    notice = "" if error else (_("Task started again.") if active else _("Task stopped."))
    return part_response(request, "progress/_tasks.html",
                         views_common.tasks(request, reader, form=TaskForm(), error=error), ok=not error,
                         anchor="progress-tasks", notice=notice, events={"progressTicked": True})


# --- measurements and photos ---------------------------------------------------------------------

@require_POST
@org_view(Perm.BACKOFFICE)
def measurement_add(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    return views_common.measurement_add(request, _reader(request, client_id))


@require_POST
@org_view(Perm.BACKOFFICE)
def measurement_delete(request: HttpRequest, org_slug: str, client_id: int, measurement_id: int) -> HttpResponse:
    return views_common.measurement_delete(request, _reader(request, client_id), measurement_id)


@require_POST
@org_view(Perm.BACKOFFICE)
def photo_add(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    return views_common.photo_add(request, _reader(request, client_id))


@require_POST
@org_view(Perm.BACKOFFICE)
def photo_delete(request: HttpRequest, org_slug: str, client_id: int, progressphoto_id: int) -> HttpResponse:
    return views_common.photo_delete(request, _reader(request, client_id), progressphoto_id)


@require_GET
@org_view(Perm.BACKOFFICE)
def photo_compare(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    return views_common.photo_compare(request, _reader(request, client_id))


@require_GET
@org_view(Perm.BACKOFFICE)
def photo_file(request: HttpRequest, org_slug: str, client_id: int, progressphoto_id: int) -> HttpResponseBase:
    return views_common.photo_file(_client(request, client_id), progressphoto_id)


@require_GET
@org_view(Perm.BACKOFFICE)
def photo_thumbnail(request: HttpRequest, org_slug: str, client_id: int, progressphoto_id: int) -> HttpResponseBase:
    return views_common.photo_file(_client(request, client_id), progressphoto_id, thumbnail=True)


# --- units and the monthly report ----------------------------------------------------------------

@require_POST
@org_view(Perm.BACKOFFICE)
def units(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    """The client's unit system and monthly report, set by the team ("": the business's default)."""
    return views_common.units_save(request, _reader(request, client_id), TeamUnitsForm(request.POST),
                                   saved=_("Settings saved."))


@require_POST
@org_view(Perm.BACKOFFICE)
def defaults(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    """The business's monthly-report default (the owner), from any client's progress page."""
    reader = _reader(request, client_id)
    form = ProgressDefaultsForm(request.POST)
    if form.is_valid():
        try:
            services.progress_defaults_update(organization=reader.client.organization, actor=request.user,
                                              monthly_report=form.value())
        except ProgressError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The business's default is saved."))
    else:
        messages.error(request, _("Choose one of the options offered."))
    return redirect(reader.page_url + "#progress-units")

