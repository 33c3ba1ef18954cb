"""Goals with their progress, computed (never stored) in a fixed number of queries per client: the
goals with their milestones (two), each measured kind's latest value (one), completed sessions in each
attendance goal's window (one)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from coachos.clients.models import Client

from ..kinds import BUILTIN, KindInfo
from ..models import Goal, GoalChange, Milestone
from ..targets import NONE, Progress, count_progress, measurement_progress
from .attendance import completed_in_windows, day_start
from .kinds import custom_info
from .measurements import latest_by_kind


@dataclass
class GoalView:
    goal: Goal
    progress: Progress
    kind: KindInfo | None = None
    current_si: Decimal | None = None  # a measurement goal: the kind's latest value
    current_at: datetime | None = None
    completed_sessions: int | None = None  # an attendance goal: sessions completed in its window
    milestones: list[Milestone] = field(default_factory=list)


def goal_kind(goal: Goal) -> KindInfo | None:
    if goal.target_type != Goal.Target.MEASUREMENT:
        return None
    if goal.custom_kind_id is not None:
        return custom_info(goal.custom_kind) if goal.custom_kind is not None else None
    return BUILTIN.get(goal.measurement_kind)


def goal_queryset(client: Client) -> QuerySet[Goal]:
    return (Goal.objects.filter(client=client).select_related("custom_kind", "created_by")
            .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("position", "id"))))


def goal_views(goals: Iterable[Goal], *, client: Client) -> list[GoalView]:
    """Each goal of ``client`` with its progress (goals as from ``goal_queryset``)."""
    goals = list(goals)
    kinds = {goal.measurement_kind for goal in goals if goal.target_type == Goal.Target.MEASUREMENT}
    latest = latest_by_kind(client, kinds) if kinds else {}
    attending = [goal for goal in goals if goal.target_type == Goal.Target.ATTENDANCE]
    counts = dict(zip((g.pk for g in attending),
                      completed_in_windows(client, [(g.start_date, g.target_date) for g in attending]), strict=True))
    views = []
    for goal in goals:
        milestones = list(goal.milestones.all())
        view = GoalView(goal=goal, progress=NONE, kind=goal_kind(goal), milestones=milestones)
        if goal.target_type == Goal.Target.MEASUREMENT and goal.target_si is not None:
            current = latest.get(goal.measurement_kind)
            if current is not None:
                view.current_si, view.current_at = Decimal(current.value_si), current.measured_at
            view.progress = measurement_progress(start=goal.start_si, target=Decimal(goal.target_si),
                                                 current=view.current_si)
        elif goal.target_type == Goal.Target.ATTENDANCE and goal.target_sessions:
            view.completed_sessions = counts.get(goal.pk, 0)
            view.progress = count_progress(done=view.completed_sessions, target=goal.target_sessions)
        elif milestones:
            view.progress = count_progress(done=sum(1 for m in milestones if m.done_at is not None),
                                           target=len(milestones))
        if goal.status == Goal.Status.ACHIEVED:
            view.progress = Progress(100, True)
        views.append(view)
    return views


def goals_for(client: Client, *, statuses: Iterable[str] | None = None) -> list[GoalView]:
    """The client's goals, newest first, with progress."""
    goals = goal_queryset(client)
    if statuses is not None:
        goals = goals.filter(status__in=list(statuses))
    return goal_views(goals, client=client)


def goal_view(goal: Goal) -> GoalView:
    fresh = goal_queryset(goal.client).get(pk=goal.pk)
    return goal_views([fresh], client=goal.client)[0]


def goals_in_range(client: Client, *, start: date, end: date) -> list[GoalView]:
    """The goals that mattered in a range (local dates, inclusive): made by its end, and not closed
    (achieved, abandoned) before its start."""
    zone = client.organization.tzinfo
    begins, ends = day_start(start, zone), day_start(end + timedelta(days=1), zone)
    closed_before = (Q(status=Goal.Status.ACHIEVED, achieved_at__lt=begins)
                     | Q(status=Goal.Status.ABANDONED, updated_at__lt=begins))
    return goal_views(goal_queryset(client).filter(created_at__lt=ends).exclude(closed_before), client=client)


def goal_history(goal: Goal) -> QuerySet[GoalChange]:
    return GoalChange.objects.filter(goal=goal).select_related("actor").order_by("at", "id")
