"""A client's own progress in the portal: /portal/<slug>/progress/ ("Progress" in the portal's
navigation). Everything is looked up through the signed-in client's own record: another client's goal,
task, measurement or photo — by id or by a photo's URL — is a 404, like another business's. Goals:
``views_goals``."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coachos.clients.models import Client
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import views_common
from .forms import UnitsForm
from .pages import own_client, portal_reader
from .pages_full import render_page


@require_GET
@org_view(Perm.PORTAL)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    if own_client(request) is None:  # a login the business has not linked to a client record yet
        return render(request, "progress/portal/no_record.html", status=200)
    return render_page(request, portal_reader(request))


@require_GET
@org_view(Perm.PORTAL)
def summary_part(request: HttpRequest, org_slug: str) -> HttpResponse:
    return views_common.summary(request, portal_reader(request))


@require_GET
@org_view(Perm.PORTAL)
def tasks_part(request: HttpRequest, org_slug: str) -> HttpResponse:
    reader = portal_reader(request)
    with timezone.override(reader.zone):
        return render(request, "progress/_tasks.html", views_common.tasks(request, reader))


@require_GET
@org_view(Perm.PORTAL)
def charts_part(request: HttpRequest, org_slug: str) -> HttpResponse:
    return views_common.charts(request, portal_reader(request))


@require_POST
@org_view(Perm.PORTAL)
def units(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The client's unit system (metric, imperial, or the business's default)."""
    return views_common.units_save(request, portal_reader(request), UnitsForm(request.POST),
                                   saved=_("Your settings are saved."))


@require_POST
@org_view(Perm.PORTAL)
def task_tick(request: HttpRequest, org_slug: str, task_id: int) -> HttpResponse:
    return views_common.task_tick(request, portal_reader(request), task_id)


@require_POST
@org_view(Perm.PORTAL)
def measurement_add(request: HttpRequest, org_slug: str) -> HttpResponse:
    return views_common.measurement_add(request, portal_reader(request))


@require_POST
@org_view(Perm.PORTAL)
def measurement_delete(request: HttpRequest, org_slug: str, measurement_id: int) -> HttpResponse:
    return views_common.measurement_delete(request, portal_reader(request), measurement_id)


@require_POST
@org_view(Perm.PORTAL)
def photo_add(request: HttpRequest, org_slug: str) -> HttpResponse:
    return views_common.photo_add(request, portal_reader(request))


@require_POST
@org_view(Perm.PORTAL)
def photo_delete(request: HttpRequest, org_slug: str, progressphoto_id: int) -> HttpResponse:
    return views_common.photo_delete(request, portal_reader(request), progressphoto_id)


@require_GET
@org_view(Perm.PORTAL)
def photo_compare(request: HttpRequest, org_slug: str) -> HttpResponse:
    return views_common.photo_compare(request, portal_reader(request))


def _own(request: HttpRequest) -> Client:
    client = own_client(request)
    if client is None:
        raise Http404("No client record.")
    return client


@require_GET
@org_view(Perm.PORTAL)
def photo_file(request: HttpRequest, org_slug: str, progressphoto_id: int) -> HttpResponseBase:
    return views_common.photo_file(_own(request), progressphoto_id)


@require_GET
@org_view(Perm.PORTAL)
def photo_thumbnail(request: HttpRequest, org_slug: str, progressphoto_id: int) -> HttpResponseBase:
    return views_common.photo_file(_own(request), progressphoto_id, thumbnail=True)
