"""Writes to automations and to-dos. One validator (``automation_clean``) for pages and API.

Running them lives in ``engine`` (tick, events, run now, retry); these wrap it for callers.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client, Tag
from coachos.common.events import LOW_CREDITS_MAX
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import engine
from .actions import clean_actions
from .engine import AutomationError
from .models import EVENT_CHOICES, Automation, AutomationRun, Todo

__all__ = ["AutomationError", "automation_clean", "automation_create", "automation_update",
           "automation_set_enabled", "automation_delete", "automation_run_now", "automation_run_retry",
           "todo_set_done"]

Trigger, Frequency, Condition = Automation.Trigger, Automation.Frequency, Automation.Condition
EVENT_NAMES = [name for name, _label in EVENT_CHOICES]
FIELDS = ("name", "enabled", "trigger_type", "event", "session_number", "credits_threshold", "frequency",
          "weekdays", "day_of_month", "time_of_day", "condition", "condition_days", "statuses", "actions")
DEFAULT_TIME = time(9, 0)


def _int_in(value: Any, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError
    return value


def automation_clean(*, data: dict[str, Any]) -> dict[str, Any]:
    """The stored form of an automation's fields, or ``ValidationError`` by field.

    Fields that do not apply to the trigger are cleared (an event automation has no schedule)."""
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    out: dict[str, Any] = {"event": "", "session_number": None, "credits_threshold": None, "frequency": "",
                           "weekdays": [], "day_of_month": None, "condition": "", "condition_days": None}
    name = str(data.get("name") or "").strip()
    if not name or "\x00" in name:
        error("name", _("Give the automation a name."))
    elif len(name) > 100:
        error("name", _("A name has at most 100 characters."))
    out["name"] = name
    out["enabled"] = bool(data.get("enabled", False))
    trigger = data.get("trigger_type")
    if trigger not in Trigger.values:
        error("trigger_type", _("Choose when it runs: event, schedule or condition."))
    out["trigger_type"] = trigger
    at = data.get("time_of_day") or DEFAULT_TIME
    if not isinstance(at, time):
        error("time_of_day", _("Enter a time like 09:00."))
        at = DEFAULT_TIME
    out["time_of_day"] = at.replace(second=0, microsecond=0, tzinfo=None)

    if trigger == Trigger.EVENT:
        event = data.get("event") or ""
        if event not in EVENT_NAMES:
            error("event", _("Choose the event it runs on."))
        out["event"] = event
        if event == "package.low_credits":
            try:
                out["credits_threshold"] = _int_in(data.get("credits_threshold"), 0, LOW_CREDITS_MAX)
            except ValueError:
                out["credits_threshold"] = None
            if out["credits_threshold"] is None:
                error("credits_threshold", _("Say at how many credits left it runs (0–%(n)d).") % {"n": LOW_CREDITS_MAX})
        if event == "booking.completed":
            try:
                out["session_number"] = _int_in(data.get("session_number"), 1, 1000)
            except ValueError:
                error("session_number", _("A session number is between 1 and 1000 (or empty: every session)."))
    elif trigger == Trigger.SCHEDULE:
        frequency = data.get("frequency") or ""
        if frequency not in Frequency.values:
            error("frequency", _("Choose how often: daily, weekly or monthly."))
        out["frequency"] = frequency
        if frequency == Frequency.WEEKLY:
            days = data.get("weekdays") or []
            if not isinstance(days, list | tuple) or any(isinstance(d, bool) or d not in range(7) for d in days):
                error("weekdays", _("Choose days of the week."))
                days = []
            out["weekdays"] = sorted(set(days))
            if not out["weekdays"]:
                error("weekdays", _("Choose at least one day of the week."))
        if frequency == Frequency.MONTHLY:
            try:
                out["day_of_month"] = _int_in(data.get("day_of_month"), 1, 31)
            except ValueError:
                out["day_of_month"] = None
            if out["day_of_month"] is None:
                error("day_of_month", _("Choose a day of the month, 1–31 (the 31st means the last day)."))
    elif trigger == Trigger.CONDITION:
        condition = data.get("condition") or ""
        if condition not in Condition.values:
            error("condition", _("Choose the condition it checks."))
        out["condition"] = condition
        limits: dict[str, tuple[int, int]] = {Condition.NO_BOOKING: (1, 365), Condition.PACKAGE_EXPIRES: (1, 90)}
        if condition in limits:
            low, high = limits[condition]
            try:
                out["condition_days"] = _int_in(data.get("condition_days"), low, high)
            except ValueError:
                out["condition_days"] = None
            if out["condition_days"] is None:
                error("condition_days", _("Enter a number of days, %(low)d–%(high)d.") % {"low": low, "high": high})
        if condition == Condition.LOW_CREDITS:
            try:
                out["credits_threshold"] = _int_in(data.get("credits_threshold"), 0, LOW_CREDITS_MAX)
            except ValueError:
                out["credits_threshold"] = None
            if out["credits_threshold"] is None:
                error("credits_threshold", _("Say at how many credits left it runs (0–%(n)d).") % {"n": LOW_CREDITS_MAX})

    statuses = data.get("statuses") or []
    if not isinstance(statuses, list | tuple) or any(s not in Client.Status.values for s in statuses):
        error("statuses", _("Choose among lead, active, paused and archived."))
        statuses = []
    out["statuses"] = [s for s in Client.Status.values if s in statuses]
    try:
        out["actions"] = clean_actions(data.get("actions"))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return out


def _check_tags(organization: Organization, tags: list[Tag]) -> None:
    if any(tag.organization_id != organization.pk for tag in tags):
        raise ValidationError({"tags": [_("Choose tags of this business.")]})


def _schedule_next(automation: Automation, now: datetime | None = None) -> None:
    automation.next_run_at = engine.next_run_for(automation, after=now or timezone.now())


@transaction.atomic
def automation_create(*, organization: Organization, actor: Any, data: dict[str, Any],
                      tags: list[Tag] | None = None) -> Automation:
    fields = automation_clean(data=data)
    tags = list(tags or [])
    _check_tags(organization, tags)
    automation = Automation(organization=organization, **fields,
                            created_by=actor if getattr(actor, "is_authenticated", False) else None)
    _schedule_next(automation)
    automation.save()
    automation.tags.set(tags)
    audit.log(organization=organization, actor=actor, action="automation.created", obj=automation,
              data={"trigger": automation.trigger_type, "enabled": automation.enabled})
    return automation


@transaction.atomic
def automation_update(*, automation: Automation, actor: Any, data: dict[str, Any],
                      tags: list[Tag] | None = None) -> Automation:
    fields = automation_clean(data=data)
    automation = Automation.objects.select_for_update().select_related("organization").get(pk=automation.pk)
    tags = list(tags or [])
    _check_tags(automation.organization, tags)
    changed = sorted(f for f in FIELDS if getattr(automation, f) != fields[f])
    for field, value in fields.items():
        setattr(automation, field, value)
    _schedule_next(automation)
    automation.save()
    before = set(automation.tags.values_list("pk", flat=True))
    if before != {t.pk for t in tags}:
        automation.tags.set(tags)
        changed.append("tags")
    audit.log(organization=automation.organization, actor=actor, action="automation.updated", obj=automation,
              data={"fields": changed})
    return automation


@transaction.atomic
def automation_set_enabled(*, automation: Automation, actor: Any, enabled: bool) -> Automation:
    automation = Automation.objects.select_for_update().select_related("organization").get(pk=automation.pk)
    if automation.enabled == enabled:
        return automation
    automation.enabled = enabled
    _schedule_next(automation)
    automation.save(update_fields=["enabled", "next_run_at", "updated_at"])
    audit.log(organization=automation.organization, actor=actor,
              action="automation.enabled" if enabled else "automation.disabled", obj=automation)
    return automation


@transaction.atomic
def automation_delete(*, automation: Automation, actor: Any) -> None:
    audit.log(organization=automation.organization, actor=actor, action="automation.deleted", obj=automation,
              data={"runs": automation.runs.count()})
    automation.delete()


def automation_run_now(*, automation: Automation, actor: Any) -> AutomationRun:
    return engine.run_now(automation=automation, actor=actor)


def automation_run_retry(*, run: AutomationRun, actor: Any) -> AutomationRun:
    return engine.retry(run=run, actor=actor)


@transaction.atomic
def todo_set_done(*, todo: Todo, actor: Any, done: bool = True) -> Todo:
    todo = Todo.objects.select_for_update().get(pk=todo.pk)
    if todo.done != done:
        todo.done = done
        todo.done_at = timezone.now() if done else None
        todo.save(update_fields=["done", "done_at"])
        audit.log(organization=todo.organization, actor=actor, action="todo.done" if done else "todo.reopened",
                  obj=todo)
    return todo
