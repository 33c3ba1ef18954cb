"""Goals, their milestones and history. The team and the client (for themself) may make and change
goals; anything about a client the caller may not see is a 404."""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.decorators import decorate_view

from .. import serialize, services
from ..models import Goal, Milestone
from ..selectors import access
from ..selectors.goals import goal_history, goal_view, goals_for
from .access import membership_of, progress_view
from .common import client_of
from .schemas import GoalChangeOut, GoalIn, GoalOut, GoalPatch, MilestoneIn, MilestoneOut, MilestonePatch, problems

router = Router(tags=["progress"])


def _goal(request: HttpRequest, goal_id: int) -> Goal:
    return access.goals_visible(membership_of(request)).select_related("client__organization").get(pk=goal_id)


def _goal_out(goal: Goal) -> dict[str, Any]:
    return serialize.goal_json(goal_view(goal))


@router.post("/clients/{client_id}/goals", response={201: GoalOut, **problems(422)},
             summary="Set a goal for a client (the team, or the client themself)",
             description="Measurable with `measurement_kind` + `target_value` (+ `target_unit`), or with "
                         "`target_type: attendance` + `target_value` sessions between `start_date` and "
                         "`target_date`. Progress then fills itself in; reaching the target achieves the goal.")
@decorate_view(progress_view())
def goal_create(request: HttpRequest, client_id: int, payload: GoalIn) -> Any:
    client = client_of(request, client_id)
    data = payload.dict()
    goal = services.goal_create(client=client, actor=request.auth, title=data["title"], why=data["why"],
                                target_type=data["target_type"] or "", measurement_kind=data["measurement_kind"] or "",
                                target_value=data["target_value"], target_unit=data["target_unit"] or "",
                                start_value=data["start_value"], start_date=data["start_date"],
                                target_date=data["target_date"])
    return Status(201, _goal_out(goal))


@router.get("/clients/{client_id}/goals", response={200: list[GoalOut], **problems()},
            summary="A client's goals with their progress, newest first")
@decorate_view(progress_view())
def goal_list(request: HttpRequest, client_id: int) -> Any:
    return [serialize.goal_json(view) for view in goals_for(client_of(request, client_id))]


@router.get("/goals/{goal_id}", response={200: GoalOut, **problems()}, summary="One goal")
@decorate_view(progress_view())
def goal_get(request: HttpRequest, goal_id: int) -> Any:
    return _goal_out(_goal(request, goal_id))


@router.patch("/goals/{goal_id}", response={200: GoalOut, **problems(422)},
              summary="Change a goal (only the fields sent); every change is kept in its history")
@decorate_view(progress_view())
def goal_patch(request: HttpRequest, goal_id: int, payload: GoalPatch) -> Any:
    goal = services.goal_update(goal=_goal(request, goal_id), actor=request.auth,
                                changes=payload.dict(exclude_unset=True))
    return _goal_out(goal)


@router.get("/goals/{goal_id}/history", response={200: list[GoalChangeOut], **problems()},
            summary="Every change of a goal and its milestones, oldest first")
@decorate_view(progress_view())
def goal_changes(request: HttpRequest, goal_id: int) -> Any:
    return [serialize.goal_change_json(change) for change in goal_history(_goal(request, goal_id))]


@router.post("/goals/{goal_id}/milestones", response={201: MilestoneOut, **problems(409, 422)},
             summary="Add a milestone (a step with its own date)")
@decorate_view(progress_view())
def milestone_add(request: HttpRequest, goal_id: int, payload: MilestoneIn) -> Any:
    milestone = services.milestone_add(goal=_goal(request, goal_id), actor=request.auth, title=payload.title,
                                       target_date=payload.target_date)
    return Status(201, serialize.milestone_json(milestone))


@router.patch("/goals/{goal_id}/milestones/{milestone_id}", response={200: MilestoneOut, **problems(422)},
              summary="Rename, re-date or tick off a milestone")
@decorate_view(progress_view())
def milestone_patch(request: HttpRequest, goal_id: int, milestone_id: int, payload: MilestonePatch) -> Any:
    milestone = services.milestone_update(milestone=Milestone.objects.get(pk=milestone_id, goal_id=goal_id),
                                          actor=request.auth, changes=payload.dict(exclude_unset=True))
    return serialize.milestone_json(milestone)


@router.delete("/goals/{goal_id}/milestones/{milestone_id}", response={204: None, **problems()},
               summary="Remove a milestone")
@decorate_view(progress_view())
def milestone_delete(request: HttpRequest, goal_id: int, milestone_id: int) -> Any:
    services.milestone_remove(milestone=Milestone.objects.get(pk=milestone_id, goal_id=goal_id), actor=request.auth)
    return Status(204, None)
