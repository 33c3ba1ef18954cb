"""The "Bookings" section of a client's page (the page is the clients app's; scheduling adds its
section: see coachos/clients/sections.py) and the client list's last-booking fact. Registered in
``SchedulingConfig.ready``; the URL is mounted under /o/<slug>/clients/ (``urls_client_sections``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from coachos.clients import sections
from coachos.clients import selectors as client_selectors
from coachos.clients.views_sections import client_or_404, guarded, section_response
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import selectors as scheduling
from .models import Booking

TEMPLATE = "scheduling/client_section.html"


@require_GET
@org_view(Perm.BACKOFFICE)
def section_bookings(request: HttpRequest, org_slug: str, client_id: int) -> HttpResponse:
    client = client_or_404(client_id, request.membership)

    def build() -> HttpResponse:
        upcoming = list(scheduling.bookings_for_client(client=client, upcoming=True)[:20])
        past = list(scheduling.bookings_for_client(client=client, upcoming=False)[:20])
        return section_response(request, "bookings", TEMPLATE, {"client": client, "upcoming": upcoming, "past": past})

    return guarded("bookings", request, client, build)


def list_facts(now: datetime) -> dict[str, Any]:
    """``last_booking_at``: the start of the client's latest active booking."""
    last = (Booking.objects.filter(client=OuterRef("pk"), status__in=Booking.ACTIVE)
            .order_by("-session__starts_at").values("session__starts_at")[:1])
    return {"last_booking_at": Subquery(last)}


def register() -> None:
    sections.register(sections.Section("bookings", gettext_lazy("Bookings"), "client_bookings:section", order=30))
    client_selectors.register_list_facts(list_facts)
