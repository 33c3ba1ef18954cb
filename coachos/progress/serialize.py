"""Progress as JSON: the API's bodies, also for pages and reports that want the same shapes.

Numbers are JSON numbers (a measurement's value as typed when shown in its own unit, else converted and
rounded for display); dates ISO; instants ISO 8601 in the current zone (the business's, in the API)
with their offset."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .kinds import KindInfo
from .models import GoalChange, Measurement, Milestone, ProgressDefaults, ProgressPhoto, ProgressSettings
from .selectors.goals import GoalView
from .selectors.measurements import si_in, value_in
from .selectors.summary import MonthComparison, Summary
from .selectors.tasks import Overdue, TaskView
from .units import System


def number(value: Decimal | int | None) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    integral = value == value.to_integral_value()
    return int(value) if integral and abs(value) < 2**53 else float(value)


def instant(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": getattr(user, "name", "") or ""}


def kind_json(kind: KindInfo) -> dict[str, Any]:
    metric, imperial = kind.unit_for(System.METRIC), kind.unit_for(System.IMPERIAL)
    return {
        "key": kind.key, "name": str(kind.name), "unit": metric, "metric_unit": metric, "imperial_unit": imperial,
        "units": list(kind.units), "si_unit": kind.si_unit, "dimension": kind.dimension.value,
        "better": kind.better, "custom": kind.is_custom,
        "min_value": number(si_in(kind.min_si, kind, metric)) if kind.min_si is not None else None,
        "max_value": number(si_in(kind.max_si, kind, metric)) if kind.max_si is not None else None,
    }


def measurement_json(measurement: Measurement, *, kind: KindInfo, unit: str) -> dict[str, Any]:
    return {
        "id": measurement.pk, "client": measurement.client_id, "kind": measurement.kind,
        "value": number(value_in(measurement, kind, unit)), "unit": unit,
        "entered_value": number(Decimal(measurement.entered_value)), "entered_unit": measurement.entered_unit,
        "value_si": number(Decimal(measurement.value_si)), "si_unit": kind.si_unit,
        "measured_at": instant(measurement.measured_at), "note": measurement.note,
        "recorded_by": person(measurement.recorded_by) if measurement.recorded_by_id else None,
        "created_at": instant(measurement.created_at),
    }


def milestone_json(milestone: Milestone) -> dict[str, Any]:
    return {"id": milestone.pk, "goal": milestone.goal_id, "title": milestone.title,
            "target_date": milestone.target_date, "done": milestone.done_at is not None,
            "done_at": instant(milestone.done_at), "position": milestone.position}


def goal_json(view: GoalView) -> dict[str, Any]:
    goal, kind = view.goal, view.kind
    unit = goal.target_unit

    def shown(value_si: Decimal | None) -> float | int | None:
        if value_si is None or kind is None:
            return None
        return number(si_in(Decimal(value_si), kind, unit))

    return {
        "id": goal.pk, "client": goal.client_id, "title": goal.title, "why": goal.why, "status": goal.status,
        "progress": view.progress.percent, "reached": view.progress.reached, "target_type": goal.target_type,
        "measurement_kind": goal.measurement_kind or None,
        "target_value": number(goal.target_sessions) if goal.target_sessions else number(
            Decimal(goal.target_value) if goal.target_value is not None else None),
        "target_unit": unit, "target_si": number(Decimal(goal.target_si)) if goal.target_si is not None else None,
        "start_value": shown(goal.start_si), "start_si": number(Decimal(goal.start_si)) if goal.start_si is not None
        else None, "current_value": shown(view.current_si), "current_si": number(view.current_si),
        "current_at": instant(view.current_at), "completed_sessions": view.completed_sessions,
        "start_date": goal.start_date, "target_date": goal.target_date, "achieved_at": instant(goal.achieved_at),
        "created_by": person(goal.created_by) if goal.created_by_id else None,
        "created_at": instant(goal.created_at), "updated_at": instant(goal.updated_at),
        "milestones": [milestone_json(m) for m in view.milestones],
    }


def goal_change_json(change: GoalChange) -> dict[str, Any]:
    return {"id": change.pk, "field": change.field, "old": change.old, "new": change.new,
            "actor": person(change.actor) if change.actor_id else None, "at": instant(change.at)}


def task_json(view: TaskView) -> dict[str, Any]:
    task = view.task
    return {
        "id": task.pk, "client": task.client_id, "title": task.title, "notes": task.notes, "repeat": task.repeat,
        "due_date": task.due_date, "start_date": task.start_date, "active": task.active, "ended_on": task.ended_on,
        "period": view.period, "done": view.done, "streak": view.streak, "overdue": view.overdue_since is not None,
        "overdue_since": view.overdue_since, "finished": view.finished,
        "assigned_by": person(task.assigned_by) if task.assigned_by_id else None,
        "created_at": instant(task.created_at),
    }


def overdue_json(item: Overdue) -> dict[str, Any]:
    task = item.task
    return {"id": task.pk, "title": task.title, "repeat": task.repeat, "due_date": task.due_date,
            "missed": item.missed,
            "client": {"id": task.client_id, "name": f"{task.client.first_name} {task.client.last_name}".strip()}}


def photo_json(photo: ProgressPhoto) -> dict[str, Any]:
    base = f"/api/v1/progress-photos/{photo.pk}"
    return {"id": photo.pk, "client": photo.client_id, "pose": photo.pose, "taken_on": photo.taken_on,
            "width": photo.width, "height": photo.height, "content_type": photo.content_type, "size": photo.size,
            "file_url": f"{base}/file", "thumbnail_url": f"{base}/thumbnail",
            "uploaded_by": person(photo.uploaded_by) if photo.uploaded_by_id else None,
            "created_at": instant(photo.created_at)}


def settings_json(row: ProgressSettings, *, system: System, monthly_report: bool) -> dict[str, Any]:
    """``monthly_report``: whether the client gets it (their choice, else the business's default);
    ``monthly_report_choice``: their own choice (null: the business's default)."""
    return {"client": row.client_id, "unit_system": system.value, "unit_system_choice": row.unit_system,
            "monthly_report": monthly_report, "monthly_report_choice": row.monthly_report}


def defaults_json(row: ProgressDefaults) -> dict[str, Any]:
    return {"monthly_report": row.monthly_report}


def summary_json(summary: Summary) -> dict[str, Any]:
    measurements = {}
    for key, change in summary.measurements.items():
        measurements[key] = {
            "name": str(change.kind.name), "unit": change.unit, "first": number(change.first),
            "last": number(change.last), "change": number(change.change), "better": change.kind.better,
            "improved": change.improved, "first_at": instant(change.edges.first.measured_at),
            "last_at": instant(change.edges.last.measured_at), "count": change.edges.count,
        }
    return {
        "client": summary.client.pk, "start": summary.start, "end": summary.end,
        "unit_system": summary.unit_system.value, "attendance": summary.attendance.as_dict(),
        "goals": [goal_json(view) for view in summary.goals], "tasks": summary.tasks.as_dict(),
        "measurements": measurements,
    }


def comparison_json(comparison: MonthComparison) -> dict[str, Any]:
    deltas = comparison.deltas()
    deltas["measurements"] = {key: number(value) for key, value in deltas["measurements"].items()}
    return {"this": summary_json(comparison.this), "previous": summary_json(comparison.previous), "change": deltas}

