"""Who is reading or writing: a team member (with their membership) or a client (with their records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from coachos.clients.models import Client
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role


@dataclass(frozen=True)
class Reader:
    user: Any
    organization: Organization
    membership: Membership
    # A client's own records in this business (a portal login may be linked to more than one).
    client_ids: tuple[int, ...] = field(default=())

    @property
    def is_team(self) -> bool:
        return bool(self.membership.is_team)

    @property
    def is_owner(self) -> bool:
        return self.membership.role == Role.OWNER

    @property
    def is_client(self) -> bool:
        return not self.is_team and bool(self.client_ids)


def reader_for(*, user: Any, organization: Organization, membership: Membership | None = None) -> Reader | None:
    """The reader for a user of this business, or None when they are not a member (call in its scope)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if membership is None or membership.user_id != user.pk or membership.organization_id != organization.pk:
        membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        return None
    client_ids: tuple[int, ...] = ()
    if not membership.is_team:
        client_ids = tuple(Client.objects.filter(organization=organization, user=user).order_by("pk")
                           .values_list("pk", flat=True))
    return Reader(user=user, organization=organization, membership=membership, client_ids=client_ids)
