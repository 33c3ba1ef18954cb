"""What the progress report shows, read in a fixed number of queries whatever the range holds: the
summary (``selectors.summary``), attendance per month, each task's ticks, every measurement of the range
(one query for all kinds: five years of daily weights is ~1,800 rows, drawn downsampled), the coach's
shared notes (``report_notes``).

Also the rules of a report's range, shared by the pages, the API and the monthly email."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common import moments

from .errors import ProgressError
from .models import Goal, Measurement, Task, TaskCompletion
from .periods import Repeat, periods_between, streak
from .report_notes import SharedNote, shared_notes
from .selectors.access import today_for
from .selectors.attendance import MonthAttendance, attendance_by_month, day_start
from .selectors.measurements import Point, point_value, si_in
from .selectors.summary import Summary, progress_summary
from .units import System

DEFAULT_DAYS = 90
MAX_DAYS = 366 * 10
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def report_range(start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """The range asked for, filled in: ``end`` today, ``start`` 90 days before it (inclusive). A start
    after the end, a date out of bounds or more than ten years is a ``ProgressError`` naming the field."""
    for field, day in (("start", start), ("end", end)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise ProgressError(_("Enter a date between 1900 and 2999."), field=field)
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise ProgressError(_("The start cannot be after the end."), field="start")
    if (end - start).days > MAX_DAYS:
        raise ProgressError(_("Choose at most ten years."), field="start")
    return start, end


def parse_day(raw: str | None, *, field: str) -> date | None:
    """A date typed in a query string (YYYY-MM-DD), or None when empty."""
    text = (raw or "").strip()
    if not text:
        return None
    day = moments.day_from(text, earliest=date.min, latest=date.max)  # the range is report_range's to say
    if day is None:
        raise ProgressError(_("Give the date as YYYY-MM-DD."), field=field)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ProgressError(_("Enter a date between 1900 and 2999."), field=field)
    return day


@dataclass(frozen=True)
class TaskLine:
    task: Task
    done: int  # ticks for periods in the range
    due: int  # periods of the range
    streak: int  # consecutive periods done, as of the range's end (or today, when earlier)


@dataclass(frozen=True)
class Series:
    key: str
    points: list[tuple[datetime, float]]
    goal: float | None  # an open goal's target on this kind, in the unit shown


@dataclass(frozen=True)
class ReportData:
    client: Client
    start: date
    end: date
    today: date
    summary: Summary
    months: list[MonthAttendance]
    tasks: list[TaskLine]
    series: dict[str, Series]
    notes: list[SharedNote]

    @property
    def unit_system(self) -> System:
        return self.summary.unit_system


def _task_lines(client: Client, *, start: date, end: date, today: date) -> list[TaskLine]:
    """The tasks that asked for something in the range, with their ticks (two queries)."""
    tasks = list(Task.objects.filter(client=client, start_date__lte=end).order_by("start_date", "id"))
    done: dict[int, set[date]] = defaultdict(set)
    for task_id, period in TaskCompletion.objects.filter(task__in=[t.pk for t in tasks]).values_list(
            "task_id", "period"):
        done[task_id].add(period)
    as_of = min(end, today)
    lines = []
    for task in tasks:
        last_day = task.last_day
        due = periods_between(start, end, repeat=task.repeat, start_date=task.start_date,
                              due_date=task.due_date if task.repeat == Repeat.NONE else None,
                              last_day=last_day if task.repeat != Repeat.NONE else None)
        if not due:
            continue
        lines.append(TaskLine(task=task, done=sum(1 for period in due if period in done[task.pk]), due=len(due),
                              streak=streak(done[task.pk], today=as_of, repeat=task.repeat,
                                            start_date=task.start_date, last_day=last_day)))
    return lines


def _series(client: Client, summary: Summary, *, start: date, end: date) -> dict[str, Series]:
    """Every kind's values in the range, in the unit the summary shows it in (one query)."""
    zone = client.organization.tzinfo
    rows = (Measurement.objects.filter(client=client, measured_at__gte=day_start(start, zone),
                                       measured_at__lt=day_start(end + timedelta(days=1), zone))
            .order_by("kind", "measured_at", "id")
            .values_list("kind", "measured_at", "value_si", "entered_value", "entered_unit"))
    points: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for key, at, value_si, entered, unit in rows:
        change = summary.measurements.get(key)
        if change is None:  # pragma: no cover - the summary read the same rows
            continue
        value = point_value(Point(at, Decimal(value_si), Decimal(entered), unit), change.kind, change.unit)
        points[key].append((at, float(value)))
    goals: dict[str, float] = {}
    for view in summary.goals:  # newest first: the newest open goal on a kind draws its line
        goal = view.goal
        if (goal.target_type == Goal.Target.MEASUREMENT and goal.is_open and goal.target_si is not None
                and goal.measurement_kind in summary.measurements and goal.measurement_kind not in goals):
            change = summary.measurements[goal.measurement_kind]
            goals[goal.measurement_kind] = float(si_in(Decimal(goal.target_si), change.kind, change.unit))
    return {key: Series(key=key, points=points.get(key, []), goal=goals.get(key)) for key in summary.measurements}


def report_data(client: Client, *, start: date, end: date, today: date | None = None) -> ReportData:
    """Everything the report of ``client`` between two local dates (inclusive) shows."""
    today = today or today_for(client.organization)
    summary = progress_summary(client, start=start, end=end)
    return ReportData(client=client, start=start, end=end, today=today, summary=summary,
                      months=attendance_by_month(client, start=start, end=end),
                      tasks=_task_lines(client, start=start, end=end, today=today),
                      series=_series(client, summary, start=start, end=end),
                      notes=shared_notes(client, start=start, end=end))
