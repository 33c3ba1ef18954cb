"""Goals and milestones, for the team (/o/<slug>/clients/<client_id>/progress/goals/…) and the client
(/portal/<slug>/progress/goals/…): the list part, a new goal, a goal's page (milestones and history),
editing it, adding and ticking milestones. A goal is looked up within the client the reader may see, so
another client's goal (or milestone) is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import services
from .errors import ProgressError
from .forms_goals import GoalEditForm, GoalForm, MilestoneForm
from .models import Goal, Milestone
from .pages import Reader, form_error, part_response, portal_reader, team_reader
from .pages_goals import goal_page
from .pages_parts import goals_part as goals_context
from .selectors.goals import goal_kind
from .views import _client


def _goal(reader: Reader, goal_id: int) -> Goal:
    return get_object_or_404(Goal.objects.select_related("custom_kind", "client"), pk=goal_id, client=reader.client)


def _render(request: HttpRequest, reader: Reader, template: str, context: dict[str, object]) -> HttpResponse:
    with timezone.override(reader.zone):
        return render(request, template, {"reader": reader, "client": reader.client,
                                          "base_template": "backoffice.html" if reader.team else "portal.html",
                                          **context})


def _list(request: HttpRequest, reader: Reader) -> HttpResponse:
    return _render(request, reader, "progress/_goals.html",
                   {"goals": goals_context(reader), "compact": request.GET.get("compact") == "1"})


def _new(request: HttpRequest, reader: Reader) -> HttpResponse:
    form = GoalForm(request.POST or None, kinds=reader.kinds, system=reader.system, today=reader.today)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(client=reader.client, actor=request.user, **form.service_arguments())
        except ProgressError as exc:
            form_error(form, exc, form.service_fields())
        else:
            messages.success(request, _("Goal set: %(title)s.") % {"title": goal.title})
            return redirect(reader.url("goal", goal_id=goal.pk))
    return _render(request, reader, "progress/goal_form.html", {"form": form, "action": reader.url("goal_new")})


def _detail(request: HttpRequest, reader: Reader, goal_id: int) -> HttpResponse:
    goal = _goal(reader, goal_id)
    with timezone.override(reader.zone):
        return render(request, "progress/goal.html", goal_page(reader, goal))


def _edit(request: HttpRequest, reader: Reader, goal_id: int) -> HttpResponse:
    goal = _goal(reader, goal_id)
    form = GoalEditForm(request.POST or None, goal=goal, kind=goal_kind(goal))
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(goal=goal, actor=request.user, changes=form.changes())
        except ProgressError as exc:
            form_error(form, exc, form.service_fields())
        else:
            messages.success(request, _("Goal saved."))
            return redirect(reader.url("goal", goal_id=goal.pk))
    return _render(request, reader, "progress/goal_edit.html",
                   {"form": form, "goal": goal, "action": reader.url("goal_edit", goal_id=goal.pk),
                    "goal_url": reader.url("goal", goal_id=goal.pk), "has_target": "target_value" in form.fields,
                    "has_sessions": "sessions" in form.fields})


def _milestone_add(request: HttpRequest, reader: Reader, goal_id: int) -> HttpResponse:
    goal = _goal(reader, goal_id)
    form = MilestoneForm(request.POST)
    ok = False
    if form.is_valid():
        try:
            services.milestone_add(goal=goal, actor=request.user, title=form.cleaned_data["title"],
                                   target_date=form.cleaned_data["target_date"])
        except ProgressError as exc:
            form_error(form, exc)
        else:
            ok, form = True, MilestoneForm()
    return _milestones_response(request, reader, goal, ok=ok, form=form,
                                notice=_("Milestone added.") if ok else "")


def _milestone_toggle(request: HttpRequest, reader: Reader, goal_id: int, milestone_id: int) -> HttpResponse:
    """Tick a milestone off (``done=1``), take the tick back (``done=0``), or remove it (``remove=1``)."""
    goal = _goal(reader, goal_id)
    milestone = get_object_or_404(Milestone, pk=milestone_id, goal=goal)
    error = notice = ""
    try:
        if request.POST.get("remove") == "1":
            services.milestone_remove(milestone=milestone, actor=request.user)
            notice = _("Milestone removed.")
        else:
            done = request.POST.get("done", "1") != "0"
            services.milestone_update(milestone=milestone, actor=request.user, changes={"done": done})
            notice = _("Milestone done. Nice work!") if done else _("Milestone reopened.")
    except ProgressError as exc:
        error = str(exc)
    return _milestones_response(request, reader, goal, ok=not error, notice=notice, error=error)


def _milestones_response(request: HttpRequest, reader: Reader, goal: Goal, *, ok: bool, notice: str,
                         form: MilestoneForm | None = None, error: str = "") -> HttpResponse:
    goal.refresh_from_db()
    context = goal_page(reader, goal, milestone_form=form, error=error)

    def page() -> HttpResponse:
        with timezone.override(reader.zone):
            return render(request, "progress/goal.html", context)

    if not getattr(request, "htmx", False) and ok:
        if notice:
            messages.success(request, notice)
        return redirect(reader.url("goal", goal_id=goal.pk) + "#goal-milestones")
    return part_response(request, "progress/_goal_body.html", context, ok=ok, notice=notice,
                         events={"progressChanged": True}, page=page)


# --- the team's routes ---------------------------------------------------------------------------

def _team(request: HttpRequest, client_id: int) -> Reader:
    return team_reader(request, _client(request, client_id))


@require_GET
@org_view(Perm.BACKOFFICE)
def goals_part(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    return _list(request, _team(request, client_id))


@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def goal_new(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    return _new(request, _team(request, client_id))


@require_GET
@org_view(Perm.BACKOFFICE)
def goal_detail(request: HttpRequest, org_slug: str, client_id: int, goal_id: int) -> HttpResponse:
    return _detail(request, _team(request, client_id), goal_id)


@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def goal_edit(request: HttpRequest, org_slug: str, client_id: int, goal_id: int) -> HttpResponse:
    return _edit(request, _team(request, client_id), goal_id)


@require_POST
@org_view(Perm.BACKOFFICE)
def milestone_add(request: HttpRequest, org_slug: str, client_id: int, goal_id: int) -> HttpResponse:
    return _milestone_add(request, _team(request, client_id), goal_id)


@require_POST
@org_view(Perm.BACKOFFICE)
def milestone_toggle(request: HttpRequest, org_slug: str, client_id: int, goal_id: int,
                     milestone_id: int) -> HttpResponse:
    return _milestone_toggle(request, _team(request, client_id), goal_id, milestone_id)


# --- the client's routes (portal) ----------------------------------------------------------------

@require_GET
@org_view(Perm.PORTAL)
def portal_goals_part(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _list(request, portal_reader(request))


@require_http_methods(["GET", "POST"])
@org_view(Perm.PORTAL)
def portal_goal_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _new(request, portal_reader(request))


@require_GET
@org_view(Perm.PORTAL)
def portal_goal_detail(request: HttpRequest, org_slug: str, goal_id: int) -> HttpResponse:
    return _detail(request, portal_reader(request), goal_id)


@require_http_methods(["GET", "POST"])
@org_view(Perm.PORTAL)
def portal_goal_edit(request: HttpRequest, org_slug: str, goal_id: int) -> HttpResponse:
    return _edit(request, portal_reader(request), goal_id)


@require_POST
@org_view(Perm.PORTAL)
def portal_milestone_add(request: HttpRequest, org_slug: str, goal_id: int) -> HttpResponse:
    return _milestone_add(request, portal_reader(request), goal_id)


@require_POST
@org_view(Perm.PORTAL)
def portal_milestone_toggle(request: HttpRequest, org_slug: str, goal_id: int, milestone_id: int) -> HttpResponse:
    return _milestone_toggle(request, portal_reader(request), goal_id, milestone_id)
