"""The JSON API at /api/v1/: bearer tokens, RFC 9457 problem details, cursor pagination.

Each app adds its router here. Endpoints stay thin: parse, check the role, call a service.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import ValidationError as PydanticValidationError

from coachos.chat.errors import ChatError
from coachos.common.error_views import too_large_problem
from coachos.common.problems import problem_response
from coachos.common.schema import JsonParser
from coachos.credits.services import NO_CREDITS, CreditError
from coachos.integrations.errors import IntegrationError
from coachos.library.errors import LibraryError
from coachos.notes.errors import NotesError
from coachos.progress.errors import ProgressError
from coachos.scheduling.services.errors import CONFLICT_CODES, SchedulingError


class TokenAuth(HttpBearer):
    """The tenancy middleware has already checked the token and entered its business's scope."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = getattr(request, "api_token", None)
        return api_token.user if api_token is not None else None


api = NinjaAPI(
    title="Coach OS API",
    version="1.0.0",
    description=(
        "The Coach OS JSON API. Authenticate with a personal API token (Account → API tokens, or "
        "`manage.py api_token`) sent as `Authorization: Bearer <token>`. Each token is bound to one "
        "business. Errors are RFC 9457 problem details (`application/problem+json`)."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url="/docs",
    parser=JsonParser(),  # strict JSON bodies, with coachos.common.schema.Schema (issue #21)
)


@api.exception_handler(NinjaValidationError)
def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        # ninja's own prefix ("body", "payload") goes; a field that is itself named "body" stays.
        for prefix in ("body", "payload"):
            if loc[:1] == [prefix]:
                loc = loc[1:]
        errors.append({"field": ".".join(loc), "message": error.get("msg", "Invalid value.")})
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return problem_response(422, "Invalid request", detail or "The request is not valid.", errors=errors)


@api.exception_handler(ValidationError)
def _django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "message_dict"):
        errors = [{"field": f, "message": " ".join(m)} for f, m in exc.message_dict.items()]
    else:
        errors = [{"field": "", "message": m} for m in exc.messages]
    detail = "; ".join(f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors)
    return problem_response(422, "Invalid request", detail, errors=errors)


@api.exception_handler(CreditError)
def _credits(request: HttpRequest, exc: CreditError) -> HttpResponse:
    if exc.code == NO_CREDITS:
        return problem_response(409, "No credits left", str(exc), code=exc.code)
    return problem_response(422, "Invalid request", str(exc), code=exc.code)


@api.exception_handler(SchedulingError)
def _scheduling(request: HttpRequest, exc: SchedulingError) -> HttpResponse:
    # The service refused the change (and rolled back): a time that cannot be had is a conflict,
    # anything else is bad input.
    if exc.code in CONFLICT_CODES:
        return problem_response(409, "That time cannot be booked", str(exc), code=exc.code)
    return problem_response(422, "Invalid request", str(exc), code=exc.code,
                            errors=[{"field": "", "message": str(exc)}])


@api.exception_handler(ChatError)
def _chat(request: HttpRequest, exc: ChatError) -> HttpResponse:
    titles = {403: "Forbidden", 409: "Conflict", 413: "File too large", 415: "Unsupported file type",
              429: "Too many messages"}
    errors = [{"field": exc.field, "message": str(exc)}] if exc.status == 422 or exc.field else None
    extra = {"errors": errors} if errors else {}
    response = problem_response(exc.status, titles.get(exc.status, "Invalid request"), str(exc), code=exc.code,
                                **extra)
    if exc.retry_after is not None:
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(NotesError)
def _notes(request: HttpRequest, exc: NotesError) -> HttpResponse:
    titles = {403: "Forbidden", 409: "Conflict"}
    extra: dict[str, Any] = {}
    if exc.status == 422 or exc.field:
        extra["errors"] = [{"field": exc.field, "message": str(exc)}]
    if exc.current_version is not None:
        extra["current_version"] = exc.current_version
    return problem_response(exc.status, titles.get(exc.status, "Invalid request"), str(exc), code=exc.code, **extra)


@api.exception_handler(ProgressError)
def _progress(request: HttpRequest, exc: ProgressError) -> HttpResponse:
    titles = {403: "Forbidden", 409: "Conflict", 413: "File too large", 415: "Unsupported file type"}
    extra: dict[str, Any] = {}
    if exc.status == 422 or exc.field:
        extra["errors"] = [{"field": exc.field, "message": str(exc)}]
    return problem_response(exc.status, titles.get(exc.status, "Invalid request"), str(exc), code=exc.code, **extra)


@api.exception_handler(IntegrationError)
def _integrations(request: HttpRequest, exc: IntegrationError) -> HttpResponse:
    return problem_response(exc.status, "Invalid request" if exc.status == 422 else "Error", str(exc), code=exc.code,
                            errors=[{"field": exc.field, "message": str(exc)}])


@api.exception_handler(LibraryError)
def _library(request: HttpRequest, exc: LibraryError) -> HttpResponse:
    from coachos.library.api import error_response

    return error_response(exc)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        401, "Not authenticated", "Send a valid API token as `Authorization: Bearer <token>`."
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(403, "Forbidden", str(exc) or "Your role does not allow this.")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, "Not found", "No such object.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return problem_response(400, "Malformed request body", "The request body is not valid JSON.")
    return problem_response(exc.status_code, str(exc) or "Error", str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return too_large_problem()  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE, read inside the operation


@api.exception_handler(PydanticValidationError)
def _pydantic_validation(request: HttpRequest, exc: PydanticValidationError) -> HttpResponse:
    # django-ninja's CursorPagination decodes the client's cursor inside the view, so a tampered
    # cursor (e.g. a negative offset) surfaces here as a raw pydantic error. That is bad input.
    if exc.title == "Cursor":
        message = "The cursor is not valid. Start again from the first page."
        return problem_response(422, "Invalid request", f"cursor: {message}",
                                errors=[{"field": "cursor", "message": message}])
    # ninja's check of what a view returns is our fault; any other schema a view validates itself (a body
    # read by hand, e.g. a multipart-or-JSON endpoint) is checking the request: bad input, a 422.
    if exc.title == "NinjaResponseSchema":
        return _server_error(request, exc)
    return _validation(request, NinjaValidationError(exc.errors(include_url=False)))  # type: ignore[arg-type]


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    import logging

    logging.getLogger("coachos.api").exception("unhandled API error")
    return problem_response(500, "Server error", "Something went wrong on our side. It has been logged.")


def _register_routers() -> None:
    from coachos.automations.api import router as automations_router
    from coachos.billing.api import router as billing_router
    from coachos.books.api import router as books_router
    from coachos.chat.api import router as chat_router
    from coachos.clients.api import router as clients_router
    from coachos.comms.api import router as comms_router
    from coachos.credits.api import router as credits_router
    from coachos.insights.api import router as insights_router
    from coachos.insights.api_assistant import router as assistant_router
    from coachos.integrations.api import router as integrations_router
    from coachos.library.api import router as library_router
    from coachos.notes.api import router as notes_router
    from coachos.progress.api import router as progress_router
    from coachos.scheduling.api import router as scheduling_router
    from coachos.tenancy.api import router as tenancy_router

    api.add_router("", tenancy_router)
    api.add_router("", clients_router)
    api.add_router("", scheduling_router)
    api.add_router("", credits_router)
    api.add_router("", comms_router)
    api.add_router("", billing_router)
    api.add_router("", books_router)
    api.add_router("", automations_router)
    api.add_router("", chat_router)
    api.add_router("", notes_router)
    api.add_router("", progress_router)
    api.add_router("", library_router)
    api.add_router("", insights_router)
    api.add_router("", assistant_router)
    api.add_router("", integrations_router)


_register_routers()
