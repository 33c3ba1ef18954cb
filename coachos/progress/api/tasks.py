"""Tasks ("action items"): the team assigns and changes them; the client ticks them off (the team may
tick for them). The coach's dashboard lists the overdue ones."""

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.decorators import decorate_view

from .. import serialize, services
from ..models import Task
from ..selectors import access
from ..selectors.tasks import overdue_tasks, task_view, tasks_for
from .access import membership_of, progress_view, require_team
from .common import client_of, today
from .schemas import OverdueTaskOut, TaskIn, TaskOut, TaskPatch, problems

router = Router(tags=["progress"])
DAY = Query(None, alias="date", description="The day the tick is for (YYYY-MM-DD; default today).")


def _task(request: HttpRequest, task_id: int) -> Task:
    return access.tasks_visible(membership_of(request)).select_related(
        "client__organization", "assigned_by").get(pk=task_id)


def _task_out(request: HttpRequest, task: Task) -> dict[str, Any]:
    return serialize.task_json(task_view(_task(request, task.pk), today=today(request)))


@router.post("/clients/{client_id}/tasks", response={201: TaskOut, **problems(422)},
             summary="Assign a task to a client (team)",
             description="`repeat`: none (once; `due_date` is its due date), daily or weekly (`due_date` is its "
                         "last day, if any). A repeating task makes a streak.")
@decorate_view(progress_view())
def task_create(request: HttpRequest, client_id: int, payload: TaskIn) -> Any:
    client = client_of(request, client_id)
    require_team(request)
    task = services.task_create(client=client, actor=request.auth, **payload.dict())
    return Status(201, _task_out(request, task))


@router.get("/clients/{client_id}/tasks", response={200: list[TaskOut], **problems()},
            summary="A client's tasks: whether the current period is done, streak, overdue")
@decorate_view(progress_view())
def task_list(request: HttpRequest, client_id: int, stopped: bool = False) -> Any:
    views = tasks_for(client_of(request, client_id), today=today(request), include_stopped=stopped)
    return [serialize.task_json(view) for view in views]


@router.get("/tasks/overdue", response={200: list[OverdueTaskOut], **problems()},
            summary="Overdue tasks of the clients you see, longest overdue first (team: the dashboard)")
@decorate_view(progress_view())
def task_overdue(request: HttpRequest, limit: int = 100) -> Any:
    membership = require_team(request)
    found = overdue_tasks(membership, today=today(request), limit=max(1, min(limit, 500)))
    return [serialize.overdue_json(item) for item in found]


@router.get("/tasks/{task_id}", response={200: TaskOut, **problems()}, summary="One task")
@decorate_view(progress_view())
def task_get(request: HttpRequest, task_id: int) -> Any:
    return _task_out(request, _task(request, task_id))


@router.patch("/tasks/{task_id}", response={200: TaskOut, **problems(409, 422)},
              summary="Change or stop a task (team)")
@decorate_view(progress_view())
def task_patch(request: HttpRequest, task_id: int, payload: TaskPatch) -> Any:
    task = _task(request, task_id)
    require_team(request)
    services.task_update(task=task, actor=request.auth, changes=payload.dict(exclude_unset=True))
    return _task_out(request, task)


@router.post("/tasks/{task_id}/done", response={200: TaskOut, 201: TaskOut, **problems(409, 422)},
             summary="Tick a task off (today's period, or `date`'s within the last 7 days)",
             description="201 with the task once ticked; ticking the same period again → 200, nothing doubles.")
@decorate_view(progress_view())
def task_done(request: HttpRequest, task_id: int, day: date | None = DAY) -> Any:
    task = _task(request, task_id)
    _tick, created = services.task_done(task=task, actor=request.auth, day=day)
    return Status(201 if created else 200, _task_out(request, task))


@router.delete("/tasks/{task_id}/done", response={200: TaskOut, **problems(409, 422)},
               summary="Take a tick back (today's period, or `date`'s)")
@decorate_view(progress_view())
def task_undo(request: HttpRequest, task_id: int, day: date | None = DAY) -> Any:
    task = _task(request, task_id)
    services.task_undone(task=task, actor=request.auth, day=day)
    return _task_out(request, task)
