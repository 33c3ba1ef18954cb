"""Shared fixtures for progress tests: a business (Chicago, US: imperial by default) with a coach, clients
with portal logins and tokens, and JSON helpers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.common import events
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role
from tests.conftest import bearer
from tests.people import Person, portal_client, team_member  # noqa: F401 (the tests import them from here)


@pytest.fixture
def boss(org: Organization, owner: Any) -> Person:
    with scope(organization=org):
        membership = Membership.objects.get(organization=org, user=owner)
    return Person(user=owner, headers=bearer(owner, org), membership=membership)


@pytest.fixture
def coach(org: Organization) -> Person:
    return team_member(org, Role.COACH, name="Jordan Reyes")


@pytest.fixture
def olivia(org: Organization, coach: Person) -> Person:
    return portal_client(org, first_name="Olivia", last_name="Martinez", coach=coach)


@pytest.fixture
def liam(org: Organization) -> Person:
    return portal_client(org, first_name="Liam", last_name="Johnson")


@pytest.fixture
def emitted() -> Iterator[list[events.Event]]:
    """Progress's events as they are emitted."""
    seen: list[events.Event] = []

    def listen(event: events.Event) -> None:
        seen.append(event)

    events.subscribe(listen, ["goal.achieved", "task.overdue", "measurement.recorded"])
    yield seen
    events.unsubscribe(listen)


def post(http: DjangoClient, url: str, body: Any, headers: dict[str, str]) -> Any:
    return http.post(url, data=json.dumps(body), content_type="application/json", **headers)


def patch(http: DjangoClient, url: str, body: Any, headers: dict[str, str]) -> Any:
    return http.patch(url, data=json.dumps(body), content_type="application/json", **headers)


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    if field is not None:
        assert [e["field"] for e in body.get("errors", [])] == [field], body
    return body  # type: ignore[no-any-return]
