"""Who is asking and what the path names, before ninja reads the body.

Every progress endpoint is wrapped in ``progress_view``: the objects the path names (a client, goal,
milestone, task, measurement, photo, kind) are looked up among those the caller may see
(``selectors.access``) — one they may not see is a 404 whatever the body holds, the same answer as for
no object, so another business's ids and another client's ids tell nothing. An upload announcing more
than the size limit is refused before its body is read (413)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from coachos.common.problems import problem_response
from coachos.tenancy.models import Membership

from ..errors import FORBIDDEN, ProgressError
from ..models import MeasurementKind, Milestone
from ..selectors import access
from ..services.photos import max_bytes

MULTIPART_OVERHEAD = 64 * 1024


def _kinds(membership: Membership | None) -> QuerySet[Any]:
    return MeasurementKind.objects.all() if membership is not None else MeasurementKind.objects.none()


PATH_OBJECTS: dict[str, Callable[[Membership | None], QuerySet[Any]]] = {
    "client_id": access.clients_for,
    "goal_id": access.goals_visible,
    "milestone_id": access.milestones_visible,
    "task_id": access.tasks_visible,
    "measurement_id": access.measurements_visible,
    "progressphoto_id": access.photos_visible,
    "measurementkind_id": _kinds,
}


def _as_id(value: Any) -> int | None:
    """The id a path names; a negative or too long number is an id no row has (0: a 404)."""
    text = str(value)
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):
        return None
    return int(text) if text == digits and len(text) < 19 else 0


def _hidden(membership: Membership, kwargs: dict[str, Any]) -> bool:
    for name, objects in PATH_OBJECTS.items():
        if name not in kwargs:
            continue
        pk = _as_id(kwargs[name])
        if pk is None:
            continue  # not an id: ninja's own validation answers
        if not objects(membership).filter(pk=pk).exists():
            return True
    if "milestone_id" in kwargs and "goal_id" in kwargs:
        milestone, goal = _as_id(kwargs["milestone_id"]), _as_id(kwargs["goal_id"])
        if milestone is not None and not Milestone.objects.filter(pk=milestone, goal_id=goal).exists():
            return True
    return False


def _oversized(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return length > max_bytes() + MULTIPART_OVERHEAD


def progress_view(*, upload: bool = False) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(run)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = getattr(request, "membership", None)
            if membership is None:
                return run(request, *args, **kwargs)  # no credentials: the operation answers 401
            if _hidden(membership, kwargs):
                return problem_response(404, "Not found", "No such object.")
            if upload and request.method == "POST" and _oversized(request):
                message = _("A photo can be at most %(size)d MB.") % {"size": max_bytes() // (1024 * 1024)}
                return problem_response(413, "File too large", message, code="too_large",
                                        errors=[{"field": "file", "message": message}])
            return run(request, *args, **kwargs)

        return wrapper

    return decorator


def membership_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def require_team(request: HttpRequest) -> Membership:
    """The team only (a client's token gets 403 for what only the team does)."""
    membership = membership_of(request)
    if not membership.is_team:
        raise ProgressError(_("Only the team can do this."), code=FORBIDDEN)
    return membership
