"""A goal's own page (both sides): its progress, milestones and the history of every change, told as
sentences ("Status: Not started → In progress", "Milestone done: Run 2 km") in the reader's zone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coachos.common.formats import format_date, format_number

from .forms_goals import MilestoneForm
from .models import Goal, GoalChange
from .pages import Reader
from .pages_parts import goal_row
from .selectors.goals import goal_history, goal_view

STATUS_LABELS = dict(Goal.Status.choices)
DATE_FIELDS = {"start_date": gettext_lazy("Start date"), "target_date": gettext_lazy("Target date")}


def _date_text(value: str) -> str:
    try:
        return format_date(date.fromisoformat(value)) if value else _("none")
    except ValueError:
        return value


def _number_text(value: str) -> str:
    try:
        return format_number(Decimal(value).normalize()) if value else _("none")
    except InvalidOperation:
        return value


def change_text(change: GoalChange) -> str:
    """One history row as a sentence."""
    field, old, new = change.field, change.old, change.new
    if field == "created":
        return _("Goal set: %(title)s") % {"title": new}
    if field == "status":
        return _("Status: %(old)s → %(new)s") % {"old": STATUS_LABELS.get(old, old), "new": STATUS_LABELS.get(new, new)}
    if field == "title":
        return _("Renamed: %(old)s → %(new)s") % {"old": old, "new": new}
    if field == "why":
        return _("Why it matters was changed.")
    if field in DATE_FIELDS:
        return _("%(field)s: %(old)s → %(new)s") % {"field": DATE_FIELDS[field], "old": _date_text(old),
                                                     "new": _date_text(new)}
    if field in ("target_value", "target_sessions"):
        return _("Target: %(old)s → %(new)s") % {"old": _number_text(old), "new": _number_text(new)}
    if field == "target_unit":
        return _("Target unit: %(old)s → %(new)s") % {"old": old or _("none"), "new": new or _("none")}
    milestone = {"milestone.added": _("Milestone added: %(title)s"), "milestone.done": _("Milestone done: %(title)s"),
                 "milestone.undone": _("Milestone reopened: %(title)s"),
                 "milestone.removed": _("Milestone removed: %(title)s")}
    if field in milestone:
        return milestone[field] % {"title": new or old}
    if field == "milestone.changed":
        return _("Milestone changed: %(old)s → %(new)s") % {"old": old, "new": new}
    return _("%(field)s changed.") % {"field": field}


def goal_page(reader: Reader, goal: Goal, *, milestone_form: MilestoneForm | None = None,
              **extra: Any) -> dict[str, Any]:
    view = goal_view(goal)
    milestones = [{"milestone": m, "toggle_url": reader.url("milestone_toggle", goal_id=goal.pk, milestone_id=m.pk)}
                  for m in view.milestones]
    history = [{"change": c, "text": change_text(c)} for c in goal_history(goal)]
    return {"reader": reader, "client": reader.client, "row": goal_row(reader, view), "goal": goal,
            "milestones": milestones, "milestone_form": milestone_form or MilestoneForm(),
            "milestone_url": reader.url("milestone_add", goal_id=goal.pk),
            "edit_url": reader.url("goal_edit", goal_id=goal.pk), "history": list(reversed(history)),
            "base_template": "backoffice.html" if reader.team else "portal.html", **extra}
