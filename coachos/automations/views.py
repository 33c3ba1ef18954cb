"""Automation pages: /o/<org_slug>/automations/.

Who may do what: everyone in the back office sees the automations, their runs and the to-dos,
and ticks to-dos off. Creating, changing, switching on or off, running by hand and retrying —
things that message the business's clients in its name — need Perm.SETTINGS (the owner).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.clients.models import Client
from coachos.common import formats, moments
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import actions as A
from . import audience, services
from .forms import ActionFormSet, AutomationForm, apply_errors, collect_actions
from .models import EVENT_CHOICES, WEEKDAY_CHOICES, Automation, AutomationRun, Todo
from .recipes import RECIPES

Run = AutomationRun
DRY_RUN_SHOWN = 50


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.has(Perm.SETTINGS))  # type: ignore[attr-defined]


def describe_trigger(automation: Automation) -> str:
    """“Every Monday and Thursday at 09:00” — for the list and the detail page."""
    at = formats.format_time(automation.time_of_day)
    if automation.trigger_type == Automation.Trigger.EVENT:
        text = automation.get_event_display()
        if automation.event == "booking.completed" and automation.session_number:
            text += _(" (the client's session no. %(n)d)") % {"n": automation.session_number}
        if automation.event == "package.low_credits":
            text += _(" (%(n)d or fewer left)") % {"n": automation.credits_threshold or 0}
        return text
    if automation.trigger_type == Automation.Trigger.SCHEDULE:
        if automation.frequency == Automation.Frequency.WEEKLY:
            day_names = dict(WEEKDAY_CHOICES)
            names = ", ".join(str(day_names[d]) for d in automation.weekdays)
            return _("Every %(days)s at %(at)s") % {"days": names, "at": at}
        if automation.frequency == Automation.Frequency.MONTHLY:
            return _("Monthly on day %(d)s at %(at)s") % {"d": automation.day_of_month, "at": at}
        return _("Every day at %(at)s") % {"at": at}
    days, credits = automation.condition_days or 0, automation.credits_threshold or 0
    labels: dict[str, str] = {
        Automation.Condition.NO_BOOKING: _("No booking in the last %(n)d days") % {"n": days},
        Automation.Condition.BIRTHDAY: _("Birthday today"),
        Automation.Condition.PACKAGE_EXPIRES: _("A package expires within %(n)d days") % {"n": days},
        Automation.Condition.LOW_CREDITS: _("%(n)d credits or fewer left") % {"n": credits},
    }
    label = labels.get(automation.condition, automation.get_condition_display())
    return _("%(condition)s — checked daily at %(at)s") % {"condition": label, "at": at}


def _with_last_run(queryset: QuerySet[Automation]) -> QuerySet[Automation]:
    last = Run.objects.filter(automation=OuterRef("pk")).order_by("-started_at", "-id")
    return queryset.annotate(last_status=Subquery(last.values("status")[:1]),
                             last_started=Subquery(last.values("started_at")[:1]),
                             last_id=Subquery(last.values("id")[:1]))


@org_view(Perm.BACKOFFICE)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    automations = list(_with_last_run(Automation.objects.all()).order_by("-enabled", "name", "id"))
    for automation in automations:
        automation.trigger_text = describe_trigger(automation)  # type: ignore[attr-defined]
        automation.action_text = "; ".join(A.describe(a) for a in automation.actions)  # type: ignore[attr-defined]
    return render(request, "automations/index.html", {
        "automations": automations, "recipes": RECIPES.values(), "can_edit": _can_edit(request),
        "open_todos": Todo.objects.filter(done=False).count(),
    })


def _form_page(request: HttpRequest, org_slug: str, automation: Automation | None) -> HttpResponse:
    recipe = RECIPES.get(request.GET.get("recipe", "")) if automation is None else None
    initial_actions = (automation.actions if automation is not None else
                       recipe.data["actions"] if recipe is not None else [])
    initial_data = None
    if recipe is not None:
        initial_data = {k: v for k, v in recipe.data.items() if k != "actions"}
    form = AutomationForm(request.POST or None, automation=automation, initial_data=initial_data)
    formset = ActionFormSet(request.POST or None, prefix="actions", initial=[dict(a) for a in initial_actions])
    action_errors: list[str] = []
    dry_run: dict[str, Any] | None = None
    if request.method == "POST":
        forms_ok = form.is_valid() & formset.is_valid()
        if forms_ok:
            data = form.service_data()
            data["actions"] = collect_actions(formset)
            tags = list(form.cleaned_data.get("tags") or [])
            try:
                if "dry_run" in request.POST:
                    dry_run = _dry_run_preview(request, data, tags)
                elif automation is None:
                    saved = services.automation_create(organization=request.organization,  # type: ignore[attr-defined]
                                                       actor=request.user, data=data, tags=tags)
                    messages.success(request, _("Automation “%(name)s” created.") % {"name": saved.name})
                    return redirect("automations:detail", org_slug=org_slug, automation_id=saved.pk)
                else:
                    saved = services.automation_update(automation=automation, actor=request.user, data=data,
                                                       tags=tags)
                    messages.success(request, _("Automation “%(name)s” saved.") % {"name": saved.name})
                    return redirect("automations:detail", org_slug=org_slug, automation_id=saved.pk)
            except ValidationError as exc:
                action_errors = apply_errors(form, exc)
    return render(request, "automations/form.html", {
        "form": form, "formset": formset, "automation": automation, "recipe": recipe,
        "action_errors": action_errors, "dry_run": dry_run,
    })


def _dry_run_preview(request: HttpRequest, data: dict[str, Any], tags: list[Any]) -> dict[str, Any]:
    fields = services.automation_clean(data=data)
    draft = Automation(organization=request.organization, **fields)  # type: ignore[attr-defined]
    return _dry_run(draft, {t.pk for t in tags})


def _dry_run(automation: Automation, tag_ids: set[int] | None = None) -> dict[str, Any]:
    now = timezone.now()
    targets = audience.audience(automation, now=now, tag_ids=tag_ids)
    shown = Client.objects.in_bulk([t.client_id for t in targets[:DRY_RUN_SHOWN]])
    return {"count": len(targets), "clients": [shown[t.client_id] for t in targets[:DRY_RUN_SHOWN]
                                               if t.client_id in shown],
            "more": max(len(targets) - DRY_RUN_SHOWN, 0), "event": automation.trigger_type == "event", "at": now}


@org_view(Perm.SETTINGS)
def create(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _form_page(request, org_slug, None)


@org_view(Perm.SETTINGS)
def edit(request: HttpRequest, org_slug: str, automation_id: int) -> HttpResponse:
    return _form_page(request, org_slug, get_object_or_404(Automation, pk=automation_id))


class RunFilter:
    """?status=…&since=YYYY-MM-DD&until=YYYY-MM-DD (dates in the business's zone)."""

    def __init__(self, request: HttpRequest) -> None:
        self.status = request.GET.get("status", "")
        if self.status not in Run.Status.values:
            self.status = ""
        self.since = moments.day_from(request.GET.get("since"))
        self.until = moments.day_from(request.GET.get("until"))

    def apply(self, runs: QuerySet[AutomationRun]) -> QuerySet[AutomationRun]:
        zone = timezone.get_current_timezone()
        if self.status:
            runs = runs.filter(status=self.status)
        if self.since:
            runs = runs.filter(started_at__gte=datetime.combine(self.since, time(0), tzinfo=zone))
        if self.until:
            runs = runs.filter(started_at__lt=datetime.combine(self.until, time(0), tzinfo=zone)
                               + timedelta(days=1))
        return runs

    @property
    def active(self) -> bool:
        return bool(self.status or self.since or self.until)


def _runs_page(request: HttpRequest, runs: QuerySet[AutomationRun]) -> dict[str, Any]:
    filters = RunFilter(request)
    page = Paginator(filters.apply(runs).select_related("automation"), 25).get_page(request.GET.get("page"))
    return {"page": page, "filters": filters, "statuses": Run.Status.choices}


@org_view(Perm.BACKOFFICE)
def detail(request: HttpRequest, org_slug: str, automation_id: int) -> HttpResponse:
    automation = get_object_or_404(Automation.objects.prefetch_related("tags"), pk=automation_id)
    context = {
        "automation": automation, "trigger_text": describe_trigger(automation),
        "action_lines": [A.describe(a) for a in automation.actions], "can_edit": _can_edit(request),
        "dry_run": _dry_run(automation),
    }
    context.update(_runs_page(request, Run.objects.filter(automation=automation)))
    return render(request, "automations/detail.html", context)


@org_view(Perm.BACKOFFICE)
def runs(request: HttpRequest, org_slug: str) -> HttpResponse:
    context = _runs_page(request, Run.objects.all())
    return render(request, "automations/runs.html", context)


def _outcome_rows(run: AutomationRun) -> list[dict[str, Any]]:
    client_ids = {o["client"] for o in run.outcomes if o.get("client")}
    clients = Client.objects.in_bulk(list(client_ids))
    from coachos.comms.models import OutboundMessage

    message_ids = [o["message"] for o in run.outcomes if o.get("message")]
    statuses = dict(OutboundMessage.objects.filter(pk__in=message_ids).values_list("pk", "status"))
    labels = dict(OutboundMessage.Status.choices)
    rows = []
    for outcome in run.outcomes:
        action = run.automation.actions[outcome["action"]] if outcome["action"] < len(run.automation.actions) else {}
        message_status = statuses.get(outcome.get("message"))
        rows.append({**outcome, "client_obj": clients.get(outcome["client"]), "action_label": A.describe(action),
                     "message_status": labels.get(message_status, "") if message_status else ""})
    return rows


@org_view(Perm.BACKOFFICE)
def run_detail(request: HttpRequest, org_slug: str, automationrun_id: int) -> HttpResponse:
    run = get_object_or_404(Run.objects.select_related("automation", "retry_of", "created_by"), pk=automationrun_id)
    return render(request, "automations/run.html", {
        "run": run, "rows": _outcome_rows(run), "retries": list(run.retries.order_by("id")),
        "event_label": dict(EVENT_CHOICES).get(run.trigger_data.get("name", "")),
        "can_edit": _can_edit(request),
    })


@require_POST
@org_view(Perm.SETTINGS)
def run_retry(request: HttpRequest, org_slug: str, automationrun_id: int) -> HttpResponse:
    run = get_object_or_404(Run, pk=automationrun_id)
    try:
        new = services.automation_run_retry(run=run, actor=request.user)
    except services.AutomationError as exc:
        messages.error(request, str(exc))
        return redirect("automations:run", org_slug=org_slug, automationrun_id=run.pk)
    messages.success(request, _("Retried as run #%(id)s: %(status)s.") % {"id": new.pk,
                                                                          "status": new.get_status_display()})
    return redirect("automations:run", org_slug=org_slug, automationrun_id=new.pk)


@require_POST
@org_view(Perm.SETTINGS)
def set_enabled(request: HttpRequest, org_slug: str, automation_id: int) -> HttpResponse:
    automation = get_object_or_404(Automation, pk=automation_id)
    enabled = request.POST.get("enabled") == "1"
    services.automation_set_enabled(automation=automation, actor=request.user, enabled=enabled)
    if enabled:
        messages.success(request, _("“%(name)s” is on.") % {"name": automation.name})
    else:
        messages.success(request, _("“%(name)s” is off: it will not run until you switch it on.")
                         % {"name": automation.name})
    return redirect("automations:detail", org_slug=org_slug, automation_id=automation.pk)


@require_POST
@org_view(Perm.SETTINGS)
def run_now(request: HttpRequest, org_slug: str, automation_id: int) -> HttpResponse:
    automation = get_object_or_404(Automation, pk=automation_id)
    try:
        run = services.automation_run_now(automation=automation, actor=request.user)
    except services.AutomationError as exc:
        messages.error(request, str(exc))
        return redirect("automations:detail", org_slug=org_slug, automation_id=automation.pk)
    messages.success(request, _("Run #%(id)s: %(status)s.") % {"id": run.pk, "status": run.get_status_display()})
    return redirect("automations:run", org_slug=org_slug, automationrun_id=run.pk)


@require_POST
@org_view(Perm.SETTINGS)
def delete(request: HttpRequest, org_slug: str, automation_id: int) -> HttpResponse:
    automation = get_object_or_404(Automation, pk=automation_id)
    name = automation.name
    services.automation_delete(automation=automation, actor=request.user)
    messages.success(request, _("Automation “%(name)s” deleted.") % {"name": name})
    return redirect("automations:index", org_slug=org_slug)


@org_view(Perm.BACKOFFICE)
def todos(request: HttpRequest, org_slug: str) -> HttpResponse:
    show = request.GET.get("show", "open")
    if show not in ("open", "done"):
        show = "open"
    items = Todo.objects.filter(done=show == "done").select_related("client", "automation")
    items = items.order_by("-done_at", "-id") if show == "done" else items.order_by("due", "id")
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(request, "automations/todos.html", {
        "page": page, "show": show, "today": today,
        "open_count": Todo.objects.filter(done=False).count(),
    })


@require_POST
@org_view(Perm.BACKOFFICE)
def todo_done(request: HttpRequest, org_slug: str, todo_id: int) -> HttpResponse:
    todo = get_object_or_404(Todo, pk=todo_id)
    done = request.POST.get("done", "1") == "1"
    services.todo_set_done(todo=todo, actor=request.user, done=done)
    if done:
        messages.success(request, _("Done: %(title)s") % {"title": todo.title})
    else:
        messages.success(request, _("Back on the list: %(title)s") % {"title": todo.title})
    return redirect(reverse("automations:todos", kwargs={"org_slug": org_slug})
                    + ("" if done else "?show=done"))
