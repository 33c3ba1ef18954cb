"""The project's URLs plus a back-office page that fails (for the error-tracking test)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm
from coachos.urls import urlpatterns as project_urlpatterns


@org_view(Perm.BACKOFFICE)
def boom(request: HttpRequest, org_slug: str) -> HttpResponse:
    raise RuntimeError(f"failed for {request.user.email} ({request.user.name}) at {request.GET.get('phone')}")


urlpatterns = [path("o/<slug:org_slug>/boom/", boom), *project_urlpatterns]
