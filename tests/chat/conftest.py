"""Shared fixtures for chat tests: a business with a coach, clients with portal logins, API helpers.

Frames are captured where chat hands them to ``realtime.publish`` (``frames`` fixture); the socket
side is tested in test_realtime*.py / test_socket*.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.chat import realtime
from coachos.clients.models import Client
from coachos.comms import gateways
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role
from tests.conftest import bearer
from tests.people import Person, portal_client, team_member  # noqa: F401 (the tests import them from here)


@pytest.fixture(autouse=True)
def sms_sent() -> Iterator[list[gateways.Sms]]:
    gateways.MemorySmsGateway.sent.clear()
    gateways.use_sms_gateway(None)
    yield gateways.MemorySmsGateway.sent
    gateways.MemorySmsGateway.sent.clear()
    gateways.use_sms_gateway(None)


@pytest.fixture
def frames(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What chat publishes: [{"organization_id", "user_ids", "frame"}], in order."""
    sent: list[dict[str, Any]] = []

    def publish(*, organization_id: int, user_ids: Any, frame: dict[str, Any],
                exclude_user_id: int | None = None) -> None:
        sent.append({"organization_id": organization_id, "user_ids": sorted(set(user_ids)), "frame": frame})

    monkeypatch.setattr(realtime, "publish", publish)
    return sent


@pytest.fixture
def sms_org(org: Organization) -> Organization:
    Organization.objects.filter(pk=org.pk).update(sms_number="+13125550199")
    org.refresh_from_db()
    return org


@pytest.fixture
def boss(org: Organization, owner: Any) -> Person:
    """The owner of ``org`` with a token."""
    with scope(organization=org):
        membership = Membership.objects.get(organization=org, user=owner)
    return Person(user=owner, headers=bearer(owner, org), membership=membership)


@pytest.fixture
def coach(org: Organization) -> Person:
    return team_member(org, Role.COACH, name="Jordan Reyes")


@pytest.fixture
def olivia(org: Organization, coach: Person) -> Person:
    return portal_client(org, first_name="Olivia", last_name="Martinez", coach=coach, phone="+13125550142",
                         sms_consent=True)


@pytest.fixture
def liam(org: Organization) -> Person:
    return portal_client(org, first_name="Liam", last_name="Johnson", phone="+13125550143")


def post(http: DjangoClient, url: str, body: Any, headers: dict[str, str], **extra: Any) -> Any:
    return http.post(url, data=json.dumps(body), content_type="application/json", **headers, **extra)


def patch(http: DjangoClient, url: str, body: Any, headers: dict[str, str]) -> Any:
    return http.patch(url, data=json.dumps(body), content_type="application/json", **headers)


def open_conversation(http: DjangoClient, client: Client, headers: dict[str, str]) -> dict[str, Any]:
    response = post(http, "/api/v1/conversations", {"client": client.pk}, headers)
    assert response.status_code in (200, 201), response.content
    return response.json()  # type: ignore[no-any-return]


def send(http: DjangoClient, conversation_id: int, body: str, headers: dict[str, str], key: str,
         **fields: Any) -> Any:
    return post(http, f"/api/v1/conversations/{conversation_id}/messages", {"body": body, "client_key": key, **fields},
                headers)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    return body  # type: ignore[no-any-return]
