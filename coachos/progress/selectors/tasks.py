"""Tasks with what the client and the coach need to see: done for the current period or not, the
streak, overdue since when — and, for the coach's dashboard, every overdue task of the clients a member
may see. Fixed numbers of queries (the tasks, then their ticks' periods)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from coachos.clients.models import Client
from coachos.tenancy.models import Membership

from ..models import Task, TaskCompletion
from ..periods import Repeat, one_off_period, overdue_period, period_of, periods_between, previous_period, streak
from .access import tasks_visible


@dataclass
class TaskView:
    task: Task
    period: date  # the period a tick now counts for
    done: bool  # that period is ticked
    streak: int  # consecutive periods done (repeating tasks)
    overdue_since: date | None  # the missed period that makes it overdue
    finished: bool  # a repeating task past its last day, or a stopped one: nothing more to tick


def current_period(task: Task, today: date) -> date:
    """The period a tick made today counts for."""
    if task.repeat == Repeat.NONE:
        return one_off_period(due_date=task.due_date, start_date=task.start_date)
    return period_of(today, task.repeat)


def period_for_day(task: Task, day: date) -> date:
    """The period a tick for ``day`` (today, or a day the client forgot to tick) counts for."""
    return current_period(task, day)


def tickable(task: Task, period: date) -> bool:
    """Whether ``period`` is one of the task's (between its first and last period)."""
    if task.repeat == Repeat.NONE:
        return period == one_off_period(due_date=task.due_date, start_date=task.start_date)
    if period < period_of(task.start_date, task.repeat):
        return False
    last_day = task.last_day
    return last_day is None or period <= period_of(last_day, task.repeat)


def _view(task: Task, done: set[date], today: date) -> TaskView:
    period = current_period(task, today)
    last_day = task.last_day
    finished = not task.active or (task.repeat != Repeat.NONE and last_day is not None
                                   and period > period_of(last_day, task.repeat))
    overdue = None
    if task.active:
        overdue = overdue_period(done, today=today, repeat=task.repeat, start_date=task.start_date,
                                 due_date=task.due_date if task.repeat == Repeat.NONE else None,
                                 last_day=last_day if task.repeat != Repeat.NONE else None)
    return TaskView(task=task, period=period, done=period in done,
                    streak=streak(done, today=today, repeat=task.repeat, start_date=task.start_date,
                                  last_day=last_day),
                    overdue_since=overdue, finished=finished)


def task_views(tasks: Iterable[Task], *, today: date) -> list[TaskView]:
    tasks = list(tasks)
    done: dict[int, set[date]] = defaultdict(set)
    for task_id, period in TaskCompletion.objects.filter(task__in=[t.pk for t in tasks]).values_list(
            "task_id", "period"):
        done[task_id].add(period)
    return [_view(task, done[task.pk], today) for task in tasks]


def task_view(task: Task, *, today: date) -> TaskView:
    return task_views([task], today=today)[0]


def tasks_for(client: Client, *, today: date, include_stopped: bool = False) -> list[TaskView]:
    """The client's tasks: active first, then by due date."""
    tasks = Task.objects.filter(client=client).select_related("assigned_by")
    if not include_stopped:
        tasks = tasks.filter(active=True)
    return task_views(tasks.order_by("-active", "due_date", "id"), today=today)


@dataclass(frozen=True)
class Overdue:
    task: Task
    missed: date  # the period that was missed (the due date, yesterday, last week's Monday)


def overdue_query(tasks: QuerySet[Task], *, today: date) -> QuerySet[Task]:
    """The active tasks among ``tasks`` that are overdue today, in SQL (see ``periods``): a one-off past
    its due date without a tick; a daily task without yesterday's tick; a weekly one without last week's."""
    yesterday = today - timedelta(days=1)
    last_week = previous_period(period_of(today, Repeat.WEEKLY), Repeat.WEEKLY)

    def ticked(period: date | None = None) -> Exists:
        ticks = TaskCompletion.objects.filter(task=OuterRef("pk"))
        return Exists(ticks.filter(period=period) if period is not None else ticks)

    def lasts_until(day: date) -> Q:  # the task's last day, if any, is not before ``day``
        return ((Q(due_date__isnull=True) | Q(due_date__gte=day))
                & (Q(ended_on__isnull=True) | Q(ended_on__gte=day)))

    one_off = Q(repeat=Repeat.NONE, due_date__lt=today) & ~Q(ticked_any=True)
    daily = Q(repeat=Repeat.DAILY, start_date__lte=yesterday) & lasts_until(yesterday) & ~Q(ticked_yesterday=True)
    weekly = (Q(repeat=Repeat.WEEKLY, start_date__lte=last_week + timedelta(days=6)) & lasts_until(last_week)
              & ~Q(ticked_last_week=True))
    return (tasks.filter(active=True)
            .annotate(ticked_any=ticked(), ticked_yesterday=ticked(yesterday), ticked_last_week=ticked(last_week))
            .filter(one_off | daily | weekly))


def missed_period(task: Task, today: date) -> date:
    if task.repeat == Repeat.NONE:
        return one_off_period(due_date=task.due_date, start_date=task.start_date)
    return previous_period(period_of(today, task.repeat), task.repeat)


def overdue_tasks(membership: Membership | None, *, today: date, limit: int | None = None) -> list[Overdue]:
    """For the coach's dashboard: overdue tasks of the clients ``membership`` may see, the longest
    overdue first (one query)."""
    rows = overdue_query(tasks_visible(membership), today=today).select_related("client").order_by(
        "client__last_name", "client__first_name", "client_id", "due_date", "id")
    found = [Overdue(task=task, missed=missed_period(task, today)) for task in rows]
    found.sort(key=lambda o: o.missed)
    return found[:limit] if limit is not None else found


@dataclass(frozen=True)
class TaskTotals:
    done: int  # ticks for periods in the range
    due: int  # periods in the range the tasks asked for

    def as_dict(self) -> dict[str, int]:
        return {"done": self.done, "due": self.due}


def task_totals(client: Client, *, start: date, end: date) -> TaskTotals:
    """Ticks and periods due between two local dates (inclusive), in two queries."""
    tasks = list(Task.objects.filter(client=client, start_date__lte=end).only(
        "repeat", "start_date", "due_date", "ended_on", "active"))
    due = 0
    for task in tasks:
        last_day = task.last_day
        due += len(periods_between(start, end, repeat=task.repeat, start_date=task.start_date,
                                   due_date=task.due_date if task.repeat == Repeat.NONE else None,
                                   last_day=last_day if task.repeat != Repeat.NONE else None))
    done = TaskCompletion.objects.filter(task__client=client, period__gte=start, period__lte=end).count() if tasks else 0
    return TaskTotals(done=done, due=due)
