"""Helpers shared by the API routers: roles, and finding the objects a request names."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .problems import problem_response

M = TypeVar("M", bound=Model)


def require_perm(request: HttpRequest, perm: str) -> None:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has(perm):
        raise PermissionDenied(_("Your role in this business does not allow this."))


def found_first(**params: type[Model]) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Look up the objects named in the path before the body is validated (``@decorate_view``).

    Another business's id (or none at all) is then a 404 whatever the body holds: a request
    about an object the caller cannot see gets the same answer as one about no object.
    """
    def decorator(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(run)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            # The tenancy middleware sets a membership (and enters the scope) for a valid token only;
            # without one the operation answers 401 itself.
            if getattr(request, "membership", None) is not None:
                for param, model in params.items():
                    value = str(kwargs.get(param, ""))
                    # Anything else is not an id: the operation's own validation answers it.
                    is_id = value.isascii() and value.isdigit() and len(value) < 19
                    if is_id and not model.objects.filter(pk=int(value)).exists():
                        return problem_response(404, "Not found", "No such object.")
            return run(request, **kwargs)

        return wrapper

    return decorator


def reference(model: type[M], pk: int, field: str, what: str) -> M:
    """An object named in a request body: one of this business's, or a 422 on that field."""
    obj = model.objects.filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        raise ValidationError({field: [_("No such %(what)s in this business.") % {"what": what}]})
    return obj  # type: ignore[no-any-return]
