"""The progress report as a PDF (``report.py``): the same document the pages download."""

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router
from ninja.decorators import decorate_view

from coachos.common.schema import Schema

from ..report import progress_report_pdf, report_filename
from ..report_data import FIRST_DAY, LAST_DAY, report_range
from .access import progress_view
from .common import client_of, today
from .schemas import problems

router = Router(tags=["progress"])


class ReportQuery(Schema):
    start: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY,
                               description="First local date (default: 90 days before `end`).")
    end: date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY, description="Last local date, inclusive (default: today).")


@router.get("/clients/{client_id}/progress/report.pdf", response={200: None, **problems(422)},
            summary="A client's progress report as a PDF",
            description="`application/pdf` (an attachment): goals, attendance per month, tasks with streaks and "
                        "measurements with their change and charts, between `start` and `end` (local dates, "
                        "inclusive; default the last 90 days), in the caller's language and the client's units.",
            openapi_extra={"responses": {200: {"description": "The report",
                                               "content": {"application/pdf": {"schema": {"type": "string",
                                                                                          "format": "binary"}}}}}})
@decorate_view(progress_view())
def progress_report(request: HttpRequest, client_id: int, query: Query[ReportQuery]) -> Any:
    client = client_of(request, client_id)
    start, end = report_range(query.start, query.end, today=today(request))
    response = HttpResponse(progress_report_pdf(client=client, start=start, end=end, viewer=request.auth),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(client, start, end)}"'
    response["Cache-Control"] = "private, no-store"
    return response
