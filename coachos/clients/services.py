"""Writes to client records. Every change is audited (ids only: no names, emails or phones)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from .models import Client


def _duplicate_email() -> ValidationError:
    return ValidationError(
        {"email": [_("A client with this email address already exists in this business.")]}, code="duplicate"
    )


@transaction.atomic
def client_create(
    *, organization: Organization, actor: Any, first_name: str, last_name: str = "", email: str = "",
    phone: str = "",
) -> Client:
    """Add a client record. Raises ``ValidationError`` (by field) for bad input or an email
    address another client of the business already has (compared without regard to case)."""
    client = Client(
        organization=organization, first_name=first_name.strip(), last_name=last_name.strip(),
        email=BaseUserManager.normalize_email(email.strip()), phone=phone.strip(),
    )
    if client.email and Client.objects.filter(organization=organization, email__iexact=client.email).exists():
        raise _duplicate_email()
    client.full_clean()
    try:
        with transaction.atomic():
            client.save()
    except IntegrityError:  # the same address, added at the same moment
        raise _duplicate_email()
    audit.log(organization=organization, actor=actor, action="client.created", obj=client)
    return client
