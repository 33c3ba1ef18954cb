"""What the progress endpoints share: the objects the path names (already checked visible by
``progress_view``), and "today" in the business's zone."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest

from coachos.clients.models import Client

from ..selectors import access
from .access import membership_of


def client_of(request: HttpRequest, client_id: int) -> Client:
    return access.clients_for(membership_of(request)).select_related("organization").get(pk=client_id)


def today(request: HttpRequest) -> date:
    return access.today_for(request.organization)  # type: ignore[attr-defined]
