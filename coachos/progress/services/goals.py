"""Every write of goals and milestones. Each is one transaction and writes a ``GoalChange`` row per
change (field, old, new, who). A goal whose measurable target is reached moves to achieved by itself
(``goals_refresh``, after a measurement or a completed session), and ``goal.achieved`` is emitted once
per achievement, whoever marked it."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common import events

from ..errors import CONFLICT, ProgressError
from ..models import Goal, GoalChange, Milestone
from ..models.goals import TITLE_MAX, WHY_MAX
from ..selectors.goals import goal_views
from ..selectors.measurements import latest_by_kind
from .common import by_of, clean_text, require_actor, today_of
from .values import kind_of, typed_value

logger = logging.getLogger("coachos.progress")

MAX_SESSIONS = 1000
MAX_MILESTONES = 50


def _change(goal: Goal, *, field: str, old: Any, new: Any, actor: Any) -> None:
    GoalChange.objects.create(organization_id=goal.organization_id, goal=goal, field=field,
                              old="" if old is None else str(old), new="" if new is None else str(new),
                              actor=actor if getattr(actor, "is_authenticated", False) else None)


def _sessions(value: Decimal | None) -> int:
    if value is None or value != value.to_integral_value() or not 1 <= value <= MAX_SESSIONS:
        raise ProgressError(_("Enter a whole number of sessions between 1 and %(n)d.") % {"n": MAX_SESSIONS},
                            field="target_value")
    return int(value)


FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def _dates(start: date, target: date | None) -> None:
    for field, day in (("start_date", start), ("target_date", target)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise ProgressError(_("Enter a date between 1900 and 2999."), field=field)
    if target is not None and target < start:
        raise ProgressError(_("The target date cannot be before the start date."), field="target_date")


def _achieve(goal: Goal, *, actor: Any, by: str) -> None:
    """Mark achieved (the caller has checked it was not) and tell the other apps once."""
    old = goal.status
    goal.status = Goal.Status.ACHIEVED
    goal.achieved_at = timezone.now()
    goal.save(update_fields=["status", "achieved_at", "updated_at"])
    _change(goal, field="status", old=old, new=goal.status, actor=actor)
    events.emit("goal.achieved", organization=goal.client.organization, client=goal.client_id, obj=goal,
                data={"by": by, "actor_id": getattr(actor, "pk", None)})
    logger.info("goal achieved", extra={"goal_id": goal.pk, "organization_id": goal.organization_id, "by": by})


@transaction.atomic
def goal_create(*, client: Client, actor: Any, title: str, why: str = "", target_type: str = "",
                measurement_kind: str = "", target_value: Decimal | None = None, target_unit: str = "",
                start_value: Decimal | None = None, start_date: date | None = None,
                target_date: date | None = None) -> Goal:
    """A goal for ``client`` (made by the team or the client themself). A measurement target is checked
    like a measurement; its start is the start value given, else the kind's latest value, else the first
    one recorded later. An attendance target counts completed sessions from the start to the target date."""
    require_actor(actor, client)
    title = clean_text(title, field="title", limit=TITLE_MAX, required=True)
    why = clean_text(why, field="why", limit=WHY_MAX, one_line=False)
    target_type = target_type or (Goal.Target.MEASUREMENT if measurement_kind else Goal.Target.NONE)
    start_date = start_date or today_of(client)
    _dates(start_date, target_date)
    goal = Goal(organization_id=client.organization_id, client=client, title=title, why=why,
                target_type=target_type, start_date=start_date, target_date=target_date,
                created_by=actor if getattr(actor, "is_authenticated", False) else None)
    if target_type == Goal.Target.MEASUREMENT:
        if not measurement_kind:
            raise ProgressError(_("Choose what is measured."), field="measurement_kind")
        kind = kind_of(client, measurement_kind, field="measurement_kind")
        if target_value is None:
            raise ProgressError(_("Enter the target value."), field="target_value")
        target = typed_value(client, kind=kind, value=target_value, unit=target_unit, value_field="target_value",
                             unit_field="target_unit")
        goal.measurement_kind, goal.custom_kind_id = kind.key, kind.custom_id
        goal.target_value, goal.target_unit, goal.target_si = target.value, target.unit, target.value_si
        if start_value is not None:
            goal.start_si = typed_value(client, kind=kind, value=start_value, unit=target.unit,
                                        value_field="start_value", unit_field="target_unit").value_si
        else:
            latest = latest_by_kind(client, [kind.key]).get(kind.key)
            goal.start_si = latest.value_si if latest is not None else None
    elif target_type == Goal.Target.ATTENDANCE:
        goal.target_sessions = _sessions(target_value)
        goal.target_unit = "sessions"
    elif target_type == Goal.Target.NONE:
        if target_value is not None or target_unit:
            raise ProgressError(_("A target needs a measurement to compare it with."), field="measurement_kind")
    else:
        raise ProgressError(_("Choose a measurement, attendance or no target."), field="target_type")
    goal.save()
    _change(goal, field="created", old="", new=goal.title, actor=actor)
    _refresh([goal], client=client)
    logger.info("goal created", extra={"goal_id": goal.pk, "organization_id": goal.organization_id})
    return goal


EDITABLE = ("title", "why", "status", "start_date", "target_date", "target_value", "target_unit")


@transaction.atomic
def goal_update(*, goal: Goal, actor: Any, changes: dict[str, Any]) -> Goal:
    """Change some of a goal's fields (``EDITABLE``; what a goal measures stays: make another goal).
    Only what differs is written, each change with a history row."""
    goal = (Goal.objects.select_for_update(of=("self",)).select_related("client__organization", "custom_kind")
            .get(pk=goal.pk))
    client = goal.client
    require_actor(actor, client)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ProgressError(_("This cannot be changed."), field=sorted(unknown)[0])
    new: dict[str, Any] = {}
    if "title" in changes:
        new["title"] = clean_text(changes["title"], field="title", limit=TITLE_MAX, required=True)
    if "why" in changes:
        new["why"] = clean_text(changes["why"], field="why", limit=WHY_MAX, one_line=False)
    if "status" in changes:
        if changes["status"] not in Goal.Status.values:
            raise ProgressError(_("Choose a status."), field="status")
        new["status"] = changes["status"]
    for field in ("start_date", "target_date"):
        if field in changes:
            new[field] = changes[field]
    if new.get("start_date", goal.start_date) is None:
        raise ProgressError(_("This field is required."), field="start_date")
    _dates(new.get("start_date", goal.start_date), new.get("target_date", goal.target_date))
    if "target_value" in changes or "target_unit" in changes:
        _new_target(goal, changes, new)
    written = False
    for field, value in new.items():
        old = getattr(goal, field)
        if old == value:
            continue
        if field == "status":
            if value == Goal.Status.ACHIEVED:
                _achieve(goal, actor=actor, by=by_of(actor, client))
                written = True
                continue
            goal.achieved_at = None
        setattr(goal, field, value)
        if field != "target_si":  # the typed target's change is the history; SI follows it
            _change(goal, field=field, old=old, new=value, actor=actor)
        written = True
    if written:
        goal.save()
        if "status" not in new:  # a status set by hand stays as set (a reopened goal is not re-achieved)
            _refresh([goal], client=client)
    return goal


def _new_target(goal: Goal, changes: dict[str, Any], new: dict[str, Any]) -> None:
    if goal.target_type == Goal.Target.ATTENDANCE:
        if "target_value" in changes:
            new["target_sessions"] = _sessions(changes["target_value"])
        return
    if goal.target_type != Goal.Target.MEASUREMENT:
        raise ProgressError(_("This goal has no measurable target."), field="target_value")
    kind = kind_of(goal.client, goal.measurement_kind, field="target_value")
    value = changes.get("target_value", goal.target_value)
    unit = changes.get("target_unit", goal.target_unit)
    if value is None:
        raise ProgressError(_("Enter the target value."), field="target_value")
    if unit != goal.target_unit and "target_value" not in changes:
        raise ProgressError(_("Give the target value in the new unit."), field="target_value")
    target = typed_value(goal.client, kind=kind, value=Decimal(value), unit=unit or "",
                         value_field="target_value", unit_field="target_unit")
    new.update(target_value=target.value, target_unit=target.unit, target_si=target.value_si)


def _refresh(goals: Iterable[Goal], *, client: Client) -> list[Goal]:
    """Move open goals along by themselves: a measurable goal with no start takes the latest value as its
    start; one that has progressed is in progress; one that reached its target is achieved."""
    changed = []
    for view in goal_views(goals, client=client):
        goal = view.goal
        if not goal.is_open:
            continue
        if goal.target_type == Goal.Target.MEASUREMENT and goal.start_si is None and view.current_si is not None:
            goal.start_si = view.current_si
            goal.save(update_fields=["start_si", "updated_at"])
            changed.append(goal)
            continue  # the first value is where the client starts, not progress
        if view.progress.reached and goal.target_type != Goal.Target.NONE:
            _achieve(goal, actor=None, by="auto")
            changed.append(goal)
        elif goal.status == Goal.Status.NOT_STARTED and (view.progress.percent > 0 or any(
                m.done_at is not None for m in view.milestones)):
            _change(goal, field="status", old=goal.status, new=Goal.Status.IN_PROGRESS, actor=None)
            goal.status = Goal.Status.IN_PROGRESS
            goal.save(update_fields=["status", "updated_at"])
            changed.append(goal)
    return changed


def goals_refresh(*, client: Client, kinds: Iterable[str] = (), attendance: bool = False) -> list[Goal]:
    """After a measurement of ``kinds`` or a completed session: refresh the client's open goals that
    follow them (locked, in the caller's transaction). Returns the goals that changed."""
    from django.db.models import Q

    wanted = Q(target_type=Goal.Target.MEASUREMENT, measurement_kind__in=list(kinds))
    if attendance:
        wanted |= Q(target_type=Goal.Target.ATTENDANCE)
    goals = list(Goal.objects.select_for_update(of=("self",)).filter(client=client, status__in=Goal.OPEN)
                 .filter(wanted).select_related("custom_kind").order_by("pk"))
    if not goals:
        return []
    for goal in goals:
        goal.client = client
    return _refresh(goals, client=client)


# --- milestones ------------------------------------------------------------------------------------

@transaction.atomic
def milestone_add(*, goal: Goal, actor: Any, title: str, target_date: date | None = None) -> Milestone:
    goal = Goal.objects.select_for_update(of=("self",)).select_related("client__organization").get(pk=goal.pk)
    require_actor(actor, goal.client)
    title = clean_text(title, field="title", limit=TITLE_MAX, required=True)
    existing = Milestone.objects.filter(goal=goal)
    if existing.count() >= MAX_MILESTONES:
        raise ProgressError(_("A goal can have at most %(n)d milestones.") % {"n": MAX_MILESTONES},
                            code=CONFLICT)
    position = (existing.aggregate(last=Max("position"))["last"] or 0) + 1
    milestone = Milestone.objects.create(organization_id=goal.organization_id, goal=goal, title=title,
                                         target_date=target_date, position=position)
    _change(goal, field="milestone.added", old="", new=title, actor=actor)
    return milestone


@transaction.atomic
def milestone_update(*, milestone: Milestone, actor: Any, changes: dict[str, Any]) -> Milestone:
    """Rename, re-date, or tick off (``done``: true/false) a milestone."""
    goal = Goal.objects.select_for_update(of=("self",)).select_related("client__organization").get(
        pk=milestone.goal_id)
    milestone = Milestone.objects.get(pk=milestone.pk)
    require_actor(actor, goal.client)
    if "title" in changes:
        title = clean_text(changes["title"], field="title", limit=TITLE_MAX, required=True)
        if title != milestone.title:
            _change(goal, field="milestone.changed", old=milestone.title, new=title, actor=actor)
            milestone.title = title
    if "target_date" in changes and changes["target_date"] != milestone.target_date:
        _change(goal, field="milestone.changed", old=f"{milestone.title}: {milestone.target_date or ''}",
                new=f"{milestone.title}: {changes['target_date'] or ''}", actor=actor)
        milestone.target_date = changes["target_date"]
    if "done" in changes and bool(changes["done"]) != (milestone.done_at is not None):
        milestone.done_at = timezone.now() if changes["done"] else None
        _change(goal, field="milestone.done" if changes["done"] else "milestone.undone", old="",
                new=milestone.title, actor=actor)
    milestone.save()
    goal.save(update_fields=["updated_at"])
    _refresh([goal], client=goal.client)
    return milestone


@transaction.atomic
def milestone_remove(*, milestone: Milestone, actor: Any) -> None:
    goal = Goal.objects.select_for_update(of=("self",)).select_related("client__organization").get(
        pk=milestone.goal_id)
    require_actor(actor, goal.client)
    _change(goal, field="milestone.removed", old=milestone.title, new="", actor=actor)
    Milestone.objects.filter(pk=milestone.pk).delete()
    goal.save(update_fields=["updated_at"])
