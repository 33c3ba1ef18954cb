"""What the library's pages share: who is looking, and a service's error as a form's error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.models import Membership, Organization

from .errors import LibraryError


def organization_of(request: HttpRequest) -> Organization:
    return request.organization  # type: ignore[attr-defined, no-any-return]


def membership_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined, no-any-return]


def visible_clients(request: HttpRequest) -> QuerySet[Client]:
    return clients_visible_to(membership_of(request))


def own_client(request: HttpRequest) -> Client | None:
    user = request.user
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    return Client.objects.filter(user_id=int(user.pk)).select_related("organization").first()


def form_error(form: forms.Form, error: LibraryError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error))


def as_int(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else None
