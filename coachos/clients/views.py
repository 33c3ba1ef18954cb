from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from .models import Client


@org_view(Perm.PORTAL)
def portal_home(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = Client.objects.filter(user=request.user).first()
    return render(request, "clients/portal_home.html", {"client": client})
