"""The client page's "Library" section (registered with ``clients.sections``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import selectors
from .pages import visible_clients


@require_GET
@org_view(Perm.BACKOFFICE)
def client_section(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = visible_clients(request).filter(pk=client_id).first()
    if client is None:
        raise Http404("No such client.")
    return render(request, "library/_client_section.html", {"client": client,
                                                            "library": selectors.client_library(client)})
