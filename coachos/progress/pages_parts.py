"""The parts of the progress pages made of goals, tasks and attendance: the "this week" summary at the
top, the goals with their progress bars, the tasks with their streaks, the attendance of a range and the
month-over-month comparison. Each returns a plain dict for its template (``progress/_*.html``); the
queries are a fixed number per part whatever the client's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from babel.dates import format_skeleton
from django.db.models import Count
from django.utils.translation import gettext as _

from coachos.common.formats import current_locale, format_number

from .kinds import KindInfo
from .models import Goal, TaskCompletion
from .pages import Range, Reader
from .periods import Repeat, periods_between
from .selectors.attendance import Attendance, attendance
from .selectors.goals import GoalView, goals_for
from .selectors.measurements import first_and_last, measurement_list, si_in, value_in
from .selectors.summary import month_range
from .selectors.tasks import TaskTotals, TaskView, task_totals, tasks_for


def week_of(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


# --- goals ---------------------------------------------------------------------------------------

@dataclass
class GoalRow:
    view: GoalView
    url: str
    target: str  # "Weight 75 kg", "12 sessions", ""
    now: str  # "Now 78.2 kg", "8 of 12 sessions", "2 of 4 milestones", ""

    @property
    def goal(self) -> Goal:
        return self.view.goal


def _number(value: Decimal | int) -> str:
    return format_number(value)


def goal_row(reader: Reader, view: GoalView) -> GoalRow:
    goal, kind = view.goal, view.kind
    target = now = ""
    if goal.target_type == Goal.Target.MEASUREMENT and kind is not None and goal.target_value is not None:
        target = _("%(kind)s %(value)s %(unit)s") % {"kind": kind.name, "value": _number(Decimal(goal.target_value)),
                                                     "unit": goal.target_unit}
        if view.current_si is not None:
            now = _("Now %(value)s %(unit)s") % {
                "value": _number(si_in(view.current_si, kind, goal.target_unit)), "unit": goal.target_unit}
        else:
            now = _("No measurement yet")
    elif goal.target_type == Goal.Target.ATTENDANCE and goal.target_sessions:
        target = _("%(n)s completed sessions") % {"n": _number(goal.target_sessions)}
        now = _("%(done)s of %(n)s done") % {"done": _number(view.completed_sessions or 0),
                                             "n": _number(goal.target_sessions)}
    elif view.milestones:
        done = sum(1 for m in view.milestones if m.done_at is not None)
        now = _("%(done)s of %(n)s milestones") % {"done": _number(done), "n": _number(len(view.milestones))}
    return GoalRow(view=view, url=reader.url("goal", goal_id=goal.pk), target=target, now=now)


def goals_part(reader: Reader, views: list[GoalView] | None = None) -> dict[str, Any]:
    views = goals_for(reader.client) if views is None else views
    rows = [goal_row(reader, view) for view in views]
    return {
        "open": [r for r in rows if r.goal.is_open],
        "achieved": [r for r in rows if r.goal.status == Goal.Status.ACHIEVED],
        "abandoned": [r for r in rows if r.goal.status == Goal.Status.ABANDONED],
        "count": len(rows), "new_url": reader.url("goal_new"), "refresh_url": reader.url("goals"),
    }


# --- tasks ---------------------------------------------------------------------------------------

@dataclass
class TaskRow:
    view: TaskView
    group: str  # "today", "week", "later" (the portal's headings), or "stopped"
    week_done: int  # ticks for this week's periods
    week_due: int  # periods this week asks for
    tick_url: str
    stop_url: str = ""

    @property
    def task(self) -> Any:
        return self.view.task


def _group(view: TaskView, today: date, sunday: date) -> str:
    task = view.task
    if not task.active:
        return "stopped"
    if task.repeat == Repeat.DAILY:
        return "today"
    if task.repeat == Repeat.WEEKLY:
        return "week"
    if task.due_date is None or task.due_date <= today:
        return "today"
    return "week" if task.due_date <= sunday else "later"


def task_rows(reader: Reader, views: list[TaskView]) -> list[TaskRow]:
    monday, sunday = week_of(reader.today)
    ticks = dict(TaskCompletion.objects.filter(task__client=reader.client, period__gte=monday, period__lte=sunday)
                 .order_by().values_list("task").annotate(n=Count("id")))
    rows = []
    for view in views:
        task = view.task
        last_day = task.last_day
        due = len(periods_between(monday, sunday, repeat=task.repeat, start_date=task.start_date,
                                  due_date=task.due_date if task.repeat == Repeat.NONE else None,
                                  last_day=last_day if task.repeat != Repeat.NONE else None))
        rows.append(TaskRow(view=view, group=_group(view, reader.today, sunday), week_done=ticks.get(task.pk, 0),
                            week_due=due, tick_url=reader.url("task_tick", task_id=task.pk),
                            stop_url=reader.url("task_stop", task_id=task.pk) if reader.team else ""))
    return rows


def tasks_part(reader: Reader, views: list[TaskView] | None = None, **extra: Any) -> dict[str, Any]:
    views = tasks_for(reader.client, today=reader.today, include_stopped=reader.team) if views is None else views
    rows = task_rows(reader, views)
    groups = [(key, title, [r for r in rows if r.group == key]) for key, title in (
        ("today", _("Today")), ("week", _("This week")), ("later", _("Later")), ("stopped", _("Stopped")))]
    return {"rows": rows, "groups": [g for g in groups if g[2]], "overdue": sum(1 for r in rows if r.view.overdue_since),
            "refresh_url": reader.url("tasks") if not reader.team else "",
            "add_url": reader.url("task_add") if reader.team else "", **extra}


# --- this week ----------------------------------------------------------------------------------

def best_streak(views: list[TaskView]) -> tuple[int, str]:
    """The longest current streak of the client's repeating tasks and its repeat (daily or weekly)."""
    best, repeat = 0, ""
    for view in views:
        if view.task.repeat != Repeat.NONE and view.task.active and view.streak > best:
            best, repeat = view.streak, view.task.repeat
    return best, repeat


def summary_part(reader: Reader, task_views: list[TaskView] | None = None) -> dict[str, Any]:
    """This week at a glance: tasks done, the best streak, sessions, and the latest weight (or first kind
    measured) with its change over the last 30 days."""
    client = reader.client
    monday, sunday = week_of(reader.today)
    views = tasks_for(client, today=reader.today) if task_views is None else task_views
    tasks = task_totals(client, start=monday, end=sunday)
    streak, streak_repeat = best_streak(views)
    sessions = attendance(client, start=monday, end=sunday)
    edges = first_and_last(client, start=Range(reader.local_today - timedelta(days=29), reader.local_today, 30)
                           .bounds(reader.zone)[0])
    measured = None
    key = "weight" if "weight" in edges else next((k.key for k in reader.kinds if k.key in edges), "")
    kind = reader.kind(key) if key else None
    if kind is not None:
        unit = reader.unit(kind)
        first, last = value_in(edges[key].first, kind, unit), value_in(edges[key].last, kind, unit)
        change = last - first
        measured = {"kind": kind, "unit": unit, "last": last, "change": change, "at": edges[key].last.measured_at,
                    "improved": None if change == 0 or edges[key].count < 2 else (change > 0) == (kind.better == "up"),
                    "count": edges[key].count}
    return {"monday": monday, "sunday": sunday, "tasks": tasks, "streak": streak, "streak_repeat": streak_repeat,
            "sessions": sessions, "measured": measured, "refresh_url": reader.url("summary")}


# --- attendance and the month over month -----------------------------------------------------------

def attendance_part(reader: Reader, rng: Range) -> dict[str, Any]:
    return {"range": rng, "counts": attendance(reader.client, start=rng.start, end=rng.end)}


def _month(value: str | None, today: date) -> date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1) if 1900 <= year <= 2999 else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def month_label(month: date) -> str:
    """"March 2025" / "März 2025", as the business's locale writes a month."""
    return str(format_skeleton("yMMMM", month, locale=current_locale()))


def _month_figures(reader: Reader, first: date) -> tuple[Attendance, TaskTotals, dict[str, tuple[KindInfo, str, Decimal]]]:
    """A month's attendance, task totals and each kind's last value (in the reader's unit) — what the
    comparison shows, without the goals a full summary would read too."""
    start, end = month_range(first)
    begins, ends = Range(start, end, None).bounds(reader.zone)
    # A month holds a few dozen rows: one plain query and the newest per kind in Python is cheaper here
    # than first_and_last's per-kind edge subqueries (built for ranges of years).
    newest = {row.kind: row for row in measurement_list(reader.client, start=begins, end=ends)}
    last: dict[str, tuple[KindInfo, str, Decimal]] = {}
    for kind in reader.kinds:
        if kind.key in newest:
            unit = reader.unit(kind)
            last[kind.key] = (kind, unit, value_in(newest[kind.key], kind, unit))
    return (attendance(reader.client, start=start, end=end), task_totals(reader.client, start=start, end=end), last)


def month_part(reader: Reader, month_param: str | None) -> dict[str, Any]:
    month = _month(month_param, reader.today)
    previous = (month - timedelta(days=1)).replace(day=1)
    (sessions, tasks, measured), (sessions_before, tasks_before, measured_before) = (
        _month_figures(reader, month), _month_figures(reader, previous))
    rows: list[dict[str, Any]] = [
        {"label": _("Sessions completed"), "this": sessions.completed, "before": sessions_before.completed,
         "unit": "", "better": "up"},
        {"label": _("No-shows"), "this": sessions.no_show, "before": sessions_before.no_show, "unit": "",
         "better": "down"},
        {"label": _("Tasks done"), "this": tasks.done, "before": tasks_before.done, "unit": "", "better": "up"},
    ]
    for key, (kind, unit, value) in measured.items():
        earlier = measured_before.get(key)
        rows.append({"label": _("%(kind)s (latest)") % {"kind": kind.name}, "this": value,
                     "before": earlier[2] if earlier is not None else None, "unit": unit, "better": kind.better})
    for row in rows:
        row["change"] = None if row["before"] is None else row["this"] - row["before"]
        row["improved"] = (None if not row["change"] else (row["change"] > 0) == (row["better"] == "up"))
    following = (month + timedelta(days=32)).replace(day=1)
    return {"month": month, "previous_month": previous, "rows": rows, "label": month_label(month),
            "previous_label": month_label(previous),
            "previous_url": f"{reader.page_url}?month={previous.isoformat()[:7]}#progress-month",
            "next_url": (f"{reader.page_url}?month={following.isoformat()[:7]}#progress-month"
                         if following <= reader.today else "")}
