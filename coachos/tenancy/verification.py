"""A business made at sign-up is unpublished until its owner confirms their email.

Until then (``Organization.owner_verified`` is False) its public pages answer "not open yet" and the
outbox holds back messages to its clients (they go out once the email is confirmed). The back
office shows a banner with "Resend the confirmation email". Confirming the email (allauth's
``email_confirmed``) publishes every business the person owns.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_scopes import scope, scopes_disabled

from . import audit
from .models import Membership, Organization
from .roles import Role


@transaction.atomic
def owner_email_confirmed(*, user: Any) -> list[Organization]:
    """Publish the businesses ``user`` owns that were waiting for their email."""
    with scopes_disabled():
        owned = list(Organization.objects.select_for_update().filter(
            owner_verified=False,
            pk__in=Membership.objects.filter(user=user, role=Role.OWNER).values("organization_id")))
    for organization in owned:
        organization.owner_verified = True
        organization.save(update_fields=["owner_verified", "updated_at"])
        with scope(organization=organization):
            audit.log(organization=organization, actor=user, action="organization.verified", obj=organization)
    return owned
