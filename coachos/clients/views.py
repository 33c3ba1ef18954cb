from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coachos.common import formats
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from .models import Client


@org_view(Perm.PORTAL)
def portal_home(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = Client.objects.filter(user=request.user).first()
    organization = request.organization
    zone = organization.tzinfo
    if client is not None and client.timezone:
        try:
            zone = ZoneInfo(client.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return render(request, "clients/portal_home.html", {
        "client": client, "tz": zone,
        "zone_label": "" if not formats.zones_differ(zone, organization.tzinfo) else formats.zone_name(zone),
    })
