"""Helpers shared by the API routers: roles, and finding the objects a request names."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .phones import PhoneError, phone_parse
from .problems import problem_response

M = TypeVar("M", bound=Model)


def require_perm(request: HttpRequest, perm: str) -> None:
    membership = getattr(request, "membership", None)
    if membership is None or not membership.has(perm):
        raise PermissionDenied(_("Your role in this business does not allow this."))


Lookup = type[Model] | Callable[[HttpRequest], QuerySet[Any]]


def found_first(**params: Lookup) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Look up the objects named in the path before the body is validated (``@decorate_view``).

    Another business's id (or none at all) is then a 404 whatever the body holds: a request
    about an object the caller cannot see gets the same answer as one about no object. Give a
    model, or a function of the request returning the objects the caller may see (a coach limited
    to their own clients: those clients' objects).
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
                    try:
                        objects = _objects(model, request)
                    except PermissionDenied as exc:  # the lookup checks the role first: as the API's 403
                        return problem_response(403, "Forbidden", str(exc) or "Your role does not allow this.")
                    if is_id and not objects.filter(pk=int(value)).exists():
                        return problem_response(404, "Not found", "No such object.")
            return run(request, **kwargs)

        return wrapper

    return decorator


def _objects(lookup: Lookup, request: HttpRequest) -> QuerySet[Any]:
    if isinstance(lookup, type) and issubclass(lookup, Model):
        return lookup.objects.all()  # type: ignore[attr-defined,no-any-return]
    return lookup(request)


def reference(model: type[M], pk: int, field: str, what: str, *, visible: QuerySet[M] | None = None) -> M:
    """An object named in a request body: one of this business's, or a 422 on that field. With
    ``visible`` (e.g. ``clients_visible_to(membership)``), one the caller may not see is a 404, as
    it is in the path."""
    obj = model.objects.filter(pk=pk).first()  # type: ignore[attr-defined]
    if obj is None:
        raise ValidationError({field: [_("No such %(what)s in this business.") % {"what": what}]})
    if visible is not None and not visible.filter(pk=obj.pk).exists():
        raise Http404
    return obj  # type: ignore[no-any-return]


def phones_parsed(data: dict[str, Any], fields: tuple[str, ...], *, region: str) -> dict[str, Any]:
    """The phone numbers of a request body read as people type them, in the business's region (as
    the forms read them: "07700 900123" for a British business is +447700900123), in E.164. A
    number that is not one is a 422 on its field, with an example of the region's numbers."""
    errors: dict[str, list[str]] = {}
    for field in fields:
        value = data.get(field)
        if isinstance(value, str):
            try:
                data[field] = phone_parse(value, region=region)
            except PhoneError as exc:
                errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    return data
