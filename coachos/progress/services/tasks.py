"""Every write of tasks: the team assigns and changes them; the client (or the team for them) ticks
them off, once per period (a unique constraint: two taps make one tick); a job announces each missed
period once (``task.overdue``)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Client
from coachos.common import events
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from ..errors import CONFLICT, ProgressError
from ..models import Task, TaskCompletion
from ..models.tasks import NOTES_MAX, TITLE_MAX
from ..periods import Repeat
from ..selectors.tasks import missed_period, overdue_query, period_for_day, tickable
from .common import clean_text, require_actor, today_of

logger = logging.getLogger("coachos.progress")

BACKFILL_DAYS = 7  # a forgotten tick may be made up to a week later


def _repeat(value: str) -> str:
    if value not in Repeat.__members__.values():
        raise ProgressError(_("Choose once, daily or weekly."), field="repeat")
    return value


@transaction.atomic
def task_create(*, client: Client, actor: Any, title: str, notes: str = "", due_date: date | None = None,
                repeat: str = Repeat.NONE, start_date: date | None = None, origin: str = "") -> Task:
    """Assign a task (the team only). ``due_date``: a one-off's due date, a repeating task's last day.
    ``origin``: what made it, when another app did (unique: a second task from it is an IntegrityError)."""
    require_actor(actor, client, team_only=True)
    title = clean_text(title, field="title", limit=TITLE_MAX, required=True)
    notes = clean_text(notes, field="notes", limit=NOTES_MAX, one_line=False)
    repeat = _repeat(repeat)
    start_date = start_date or today_of(client)
    if due_date is not None and due_date > date(2999, 12, 31):
        raise ProgressError(_("Enter a date before 3000."), field="due_date")
    if due_date is not None and due_date < start_date:
        raise ProgressError(_("The due date has passed."), field="due_date")
    task = Task.objects.create(organization_id=client.organization_id, client=client, title=title, notes=notes,
                               due_date=due_date, repeat=repeat, start_date=start_date, origin=origin[:60],
                               assigned_by=actor if getattr(actor, "is_authenticated", False) else None)
    audit.log(organization=client.organization, actor=actor, action="progress.task_assigned", obj=task,
              data={"client": client.pk, "repeat": repeat})
    return task


@transaction.atomic
def task_update(*, task: Task, actor: Any, changes: dict[str, Any]) -> Task:
    """Change a task (the team): title, notes, due date, repeat (only before its first tick), or stop it
    (``active``: false; its last period is today's) and start it again."""
    task = Task.objects.select_for_update(of=("self",)).select_related("client__organization").get(pk=task.pk)
    require_actor(actor, task.client, team_only=True)
    fields = []
    if "title" in changes:
        task.title = clean_text(changes["title"], field="title", limit=TITLE_MAX, required=True)
        fields.append("title")
    if "notes" in changes:
        task.notes = clean_text(changes["notes"], field="notes", limit=NOTES_MAX, one_line=False)
        fields.append("notes")
    if "repeat" in changes and changes["repeat"] != task.repeat:
        if TaskCompletion.objects.filter(task=task).exists():
            raise ProgressError(_("This task has been ticked off already: assign a new task to change how "
                                  "often it repeats."), field="repeat", code=CONFLICT)
        task.repeat = _repeat(changes["repeat"])
        fields.append("repeat")
    if "due_date" in changes:
        if changes["due_date"] is not None and changes["due_date"] > date(2999, 12, 31):
            raise ProgressError(_("Enter a date before 3000."), field="due_date")
        if changes["due_date"] is not None and changes["due_date"] < task.start_date:
            raise ProgressError(_("The due date cannot be before the day the task was assigned."), field="due_date")
        task.due_date = changes["due_date"]
        fields.append("due_date")
    if "active" in changes and bool(changes["active"]) != task.active:
        task.active = bool(changes["active"])
        task.ended_on = None if task.active else today_of(task.client)
        fields += ["active", "ended_on"]
        audit.log(organization=task.client.organization, actor=actor,
                  action="progress.task_resumed" if task.active else "progress.task_stopped", obj=task)
    if fields:
        task.save(update_fields=[*fields, "updated_at"])
    return task


def _tick_period(task: Task, day: date | None) -> date:
    today = today_of(task.client)
    day = day or today
    if day > today:
        raise ProgressError(_("A task cannot be ticked off for a day to come."), field="date")
    if day < today - timedelta(days=BACKFILL_DAYS):
        raise ProgressError(_("Only the last %(n)d days can be ticked off.") % {"n": BACKFILL_DAYS}, field="date")
    period = period_for_day(task, day)
    if not tickable(task, period):
        raise ProgressError(_("This task was not due then."), field="date")
    return period


def task_done(*, task: Task, actor: Any, day: date | None = None,
              now: datetime | None = None) -> tuple[TaskCompletion, bool]:
    """Tick the task off for the period of ``day`` (default today): (the tick, whether it is new). A
    second tick for the same period — a double tap, two devices at once — returns the first."""
    task = Task.objects.select_related("client__organization").get(pk=task.pk)
    require_actor(actor, task.client)
    if not task.active:
        raise ProgressError(_("This task was stopped."), code=CONFLICT)
    period = _tick_period(task, day)
    existing = TaskCompletion.objects.filter(task=task, period=period).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            tick = TaskCompletion.objects.create(organization_id=task.organization_id, task=task, period=period,
                                                 done_at=now or timezone.now(),
                                                 by=actor if getattr(actor, "is_authenticated", False) else None)
    except IntegrityError:
        return TaskCompletion.objects.get(task=task, period=period), False
    return tick, True


@transaction.atomic
def task_undone(*, task: Task, actor: Any, day: date | None = None) -> bool:
    """Take a tick back (a tap by mistake). Returns whether there was one."""
    task = Task.objects.select_related("client__organization").get(pk=task.pk)
    require_actor(actor, task.client)
    period = _tick_period(task, day)
    deleted, _rows = TaskCompletion.objects.filter(task=task, period=period).delete()
    return deleted > 0


def tasks_note_overdue(*, now: datetime | None = None) -> int:
    """The job: emit ``task.overdue`` for each task newly overdue, in every business (each in its own
    scope and transaction). A conditional UPDATE claims each (task, missed period), so two runs at
    once announce it once. Returns how many were announced."""
    now = now or timezone.now()
    with scopes_disabled():
        organization_ids = list(Task.objects.filter(active=True).values_list("organization_id", flat=True)
                                .distinct().order_by("organization_id"))
    announced = 0
    for organization in Organization.objects.filter(pk__in=organization_ids).order_by("pk"):
        with scope(organization=organization), transaction.atomic():
            today = now.astimezone(organization.tzinfo).date()
            for task in overdue_query(Task.objects.filter(organization=organization), today=today).select_related(
                    "client").order_by("pk"):
                missed = missed_period(task, today)
                if task.overdue_noted is not None and task.overdue_noted >= missed:
                    continue
                claimed = Task.objects.filter(pk=task.pk).exclude(overdue_noted__gte=missed).update(
                    overdue_noted=missed)
                if claimed:
                    events.emit("task.overdue", organization=organization, client=task.client_id, obj=task,
                                data={"period": missed}, key=f"task.overdue:task:{task.pk}:{missed.isoformat()}")
                    announced += 1
    if announced:
        logger.info("overdue tasks announced", extra={"count": announced})
    return announced

