"""People for the app tests that work through the API and the pages: a team member or a client with a
portal login, each with their API token's headers (chat, progress and notes share these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django_scopes import scope

from coachos.clients.models import Client
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role
from tests.conftest import bearer
from tests.factories import ClientFactory, MembershipFactory, UserFactory, member


@dataclass
class Person:
    user: Any
    headers: dict[str, str]
    client: Client | None = None
    membership: Membership | None = None


def team_member(org: Organization, role: str = Role.COACH, *, sees_all_clients: bool = True, name: str = "Jordan Reyes",
                email: str | None = None) -> Person:
    user = UserFactory(name=name, **({"email": email} if email else {}))
    membership = MembershipFactory(organization=org, user=user, role=role, sees_all_clients=sees_all_clients)
    return Person(user=user, headers=bearer(user, org), membership=membership)


def portal_client(org: Organization, *, first_name: str = "Olivia", last_name: str = "Martinez",
                  coach: Person | None = None, **fields: Any) -> Person:
    """A client record with a portal login (a client membership) and a token."""
    user = member(org, Role.CLIENT, name=f"{first_name} {last_name}")
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name=first_name, last_name=last_name, user=user,
                               coach_membership=coach.membership if coach else None, **fields)
    return Person(user=user, headers=bearer(user, org), client=client)
