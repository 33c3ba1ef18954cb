"""Shared fixtures for notes tests: a business with an owner, coaches (one limited to their own
clients), clients with portal logins and API tokens, a completed session with a place in it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.scheduling.models import Booking, Coach, TrainingSession
from coachos.tenancy.models import Membership, Organization
from tests.conftest import bearer
from tests.factories import (
    BookingFactory,
    CoachFactory,
    TrainingSessionFactory,
)
from tests.people import Person, portal_client, team_member  # noqa: F401 (the tests import them from here)


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
