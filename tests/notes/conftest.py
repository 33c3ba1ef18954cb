"""Shared fixtures for notes tests: a business with an owner, coaches (one limited to their own
clients), clients with portal logins and API tokens, a completed session with a place in it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.scheduling.models import Booking, Coach, TrainingSession
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role
from tests.conftest import bearer
from tests.factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    MembershipFactory,
    TrainingSessionFactory,
    UserFactory,
    member,
)


@dataclass
class Person:
    user: Any
    headers: dict[str, str]
    client: Client | None = None
    membership: Membership | None = None


def team_member(org: Organization, role: str = Role.COACH, *, sees_all_clients: bool = True,
                name: str = "Jordan Reyes") -> Person:
    user = UserFactory(name=name)
    membership = MembershipFactory(organization=org, user=user, role=role, sees_all_clients=sees_all_clients)
    return Person(user=user, headers=bearer(user, org), membership=membership)


def portal_client(org: Organization, *, first_name: str = "Olivia", last_name: str = "Martinez",
                  coach: Person | None = None, **fields: Any) -> Person:
    user = member(org, Role.CLIENT, name=f"{first_name} {last_name}")
    with scope(organization=org):
        client = ClientFactory(organization=org, first_name=first_name, last_name=last_name, user=user,
                               coach_membership=coach.membership if coach else None, **fields)
    return Person(user=user, headers=bearer(user, org), client=client)


@pytest.fixture
def owner_p(org: Organization, owner: Any) -> Person:
    with scope(organization=org):
        membership = Membership.objects.get(user=owner)
    return Person(user=owner, headers=bearer(owner, org), membership=membership)


@pytest.fixture
def coach(org: Organization) -> Person:
    return team_member(org, name="Jordan Reyes")


@pytest.fixture
def limited(org: Organization) -> Person:
    """A coach the owner limited to their own clients."""
    return team_member(org, sees_all_clients=False, name="Lee Limited")


@pytest.fixture
def olivia(org: Organization, coach: Person) -> Person:
    return portal_client(org, coach=coach)


@pytest.fixture
def noah(org: Organization, coach: Person) -> Person:
    return portal_client(org, first_name="Noah", last_name="Kim", coach=coach)


def completed_session(org: Organization, client: Client, *, ended_ago: timedelta = timedelta(hours=2),
                      coach_membership: Membership | None = None) -> tuple[TrainingSession, Booking]:
    """A completed session the client attended (a completed booking)."""
    with scope(organization=org):
        coach = (Coach.objects.filter(membership=coach_membership).first() if coach_membership else None) or \
            CoachFactory(organization=org, **({"membership": coach_membership} if coach_membership else {}))
        starts = timezone.now() - ended_ago - timedelta(hours=1)
        session = TrainingSessionFactory(coach=coach, organization=org, starts_at=starts,
                                         ends_at=starts + timedelta(hours=1), status="completed",
                                         completed_at=starts + timedelta(hours=1))
        booking = BookingFactory(session=session, organization=org, client=client, status="completed")
    return session, booking


@pytest.fixture
def api() -> DjangoClient:
    return DjangoClient()


def call(http: DjangoClient, method: str, url: str, person: Person, body: Any = None) -> Any:
    kwargs: dict[str, Any] = dict(person.headers)
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(http, method)(url, **kwargs)
