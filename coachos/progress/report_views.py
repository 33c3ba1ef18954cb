"""The progress report PDF as a download from the pages: the team's (a client they may see) and the
client's own in the portal. ``?start=&end=`` (YYYY-MM-DD, local dates; default the last 90 days); a
bad date is a 400 that says what to fix. Another business's client, or one the member may not see, is
a 404 (the tenancy middleware has already refused non-members)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coachos.clients.models import Client
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from .errors import ProgressError
from .report import progress_report_pdf, report_filename
from .report_data import parse_day, report_range
from .selectors import access


def _pdf(request: HttpRequest, client: Client) -> HttpResponse:
    try:
        start, end = report_range(parse_day(request.GET.get("start"), field="start"),
                                  parse_day(request.GET.get("end"), field="end"),
                                  today=access.today_for(client.organization))
    except ProgressError as exc:
        return render(request, "400.html", {"message": str(exc)}, status=400)
    response = HttpResponse(progress_report_pdf(client=client, start=start, end=end, viewer=request.user),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(client, start, end)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@org_view(Perm.BACKOFFICE)
def team_report(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = access.client_visible(request.membership, client_id)  # type: ignore[attr-defined]
    if client is None:
        raise Http404("No such client.")
    return _pdf(request, client)


@require_GET
@org_view(Perm.PORTAL)
def portal_report(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = (access.clients_for(request.membership)  # type: ignore[attr-defined]
              .select_related("organization").order_by("pk").first())
    if client is None:
        raise Http404("No client record.")
    return _pdf(request, client)
