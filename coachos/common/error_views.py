"""The answers to requests refused before any view runs (Django's ``handler400``).

A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (or a form with too many fields) raises while a
middleware or a view reads it. Django answers such a refusal as a 400 through ``handler400``;
a body that is too large is a 413, and the API answers in problem details like its other errors.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.views import defaults

from .problems import problem_response

API_PREFIX = "/api/"


def too_large_detail() -> str:
    return f"The request body is larger than the {filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)} accepted."


def too_large_problem() -> HttpResponse:
    return problem_response(413, "Request too large", too_large_detail(),
                            max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    api = request.path.startswith(API_PREFIX)
    if isinstance(exception, RequestDataTooBig):
        if api:
            return too_large_problem()
        # Rendered without the request, as Django renders its 400 page: the middleware that fills a
        # page's context may be the one that was refused.
        body = loader.get_template("413.html").render({
            "max_size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)})
        return HttpResponse(body, status=413)
    if api:
        return problem_response(400, "Bad request", "The request was not understood.")
    return defaults.bad_request(request, exception or Exception())
