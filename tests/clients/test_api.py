"""POST /api/v1/clients: add a client record."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.clients.models import Client
from coachos.tenancy.models import AuditEntry, Organization
from coachos.tenancy.roles import Role
from tests.conftest import bearer
from tests.factories import ClientFactory, member

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
VALID = {"first_name": "Dana", "last_name": "Reyes", "email": "dana@example.com", "phone": "+13125550199"}


def post(http: DjangoClient, body: Any, headers: dict[str, str]) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return http.post("/api/v1/clients", data, content_type="application/json", **headers)


def rows(org: Organization) -> dict[str, list[Any]]:
    with scopes_disabled():
        return {"clients": list(Client.objects.filter(organization=org).order_by("pk").values()),
                "audit": list(AuditEntry.objects.filter(organization=org).order_by("pk").values())}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


def test_add_a_client_and_it_is_audited(client: DjangoClient, owner: Any, org: Organization) -> None:
    response = post(client, VALID, bearer(owner, org))

    assert response.status_code == 201
    body = response.json()
    assert body == {**body, **VALID, "status": "active"}
    with scopes_disabled():
        created = Client.objects.get(pk=body["id"])
        entry = AuditEntry.objects.get(organization=org, action="client.created")
    assert created.organization == org
    assert (entry.actor, entry.object_id) == (owner, str(created.pk))
    # No personal data in the audit entry.
    assert "dana" not in json.dumps(entry.data).lower()
    assert client.get(f"/api/v1/clients/{body['id']}", **bearer(owner, org)).json()["email"] == "dana@example.com"


def test_only_a_first_name_is_required(client: DjangoClient, owner: Any, org: Organization) -> None:
    response = post(client, {"first_name": "  Sam "}, bearer(owner, org))

    assert response.status_code == 201
    assert response.json() | {"id": 0, "created_at": ""} == {
        "id": 0, "first_name": "Sam", "last_name": "", "email": "", "phone": "", "status": "active", "created_at": ""}


def test_clients_without_email_do_not_clash(client: DjangoClient, owner: Any, org: Organization) -> None:
    headers = bearer(owner, org)

    assert post(client, {"first_name": "A"}, headers).status_code == 201
    assert post(client, {"first_name": "B", "email": ""}, headers).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phone": "3125550199"}, "phone"),
        ({"phone": "+1 312 555 0199"}, "phone"),
        ({"phone": "+0123456789"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"first_name": None}, "first_name"),
        ({"first_name": "x" * 81}, "first_name"),
        ({"last_name": "a\x00b"}, "last_name"),
        ({"status": "archived"}, "status"),
        ({"organization": 1}, "organization"),
    ],
)
def test_invalid_client_is_422_and_changes_nothing(client: DjangoClient, owner: Any, org: Organization,
                                                   change: dict[str, Any], field: str) -> None:
    headers = bearer(owner, org)
    before = rows(org)

    problem = assert_problem(post(client, {**VALID, **change}, headers), 422)

    assert field in [e["field"] for e in problem["errors"]]
    assert field in problem["detail"]
    assert rows(org) == before


def test_missing_first_name_is_422(client: DjangoClient, owner: Any, org: Organization) -> None:
    headers = bearer(owner, org)
    before = rows(org)

    problem = assert_problem(post(client, {"email": "x@example.com"}, headers), 422)

    assert "first_name" in problem["detail"]
    assert rows(org) == before


@pytest.mark.parametrize("email", ["dana@example.com", "DANA@Example.com", " dana@EXAMPLE.COM "])
def test_a_duplicate_email_in_the_business_is_422_with_a_clear_message(
    client: DjangoClient, owner: Any, org: Organization, email: str
) -> None:
    ClientFactory(organization=org, email="dana@example.com")
    headers = bearer(owner, org)
    before = rows(org)

    problem = assert_problem(post(client, {**VALID, "email": email}, headers), 422)

    assert problem["errors"] == [{"field": "email",
                                  "message": "A client with this email address already exists in this business."}]
    assert rows(org) == before


def test_the_same_email_in_another_business_is_fine(client: DjangoClient, owner: Any, org: Organization,
                                                    other_org: Organization) -> None:
    ClientFactory(organization=other_org, email="dana@example.com")

    assert post(client, VALID, bearer(owner, org)).status_code == 201


def test_malformed_json_is_400(client: DjangoClient, owner: Any, org: Organization) -> None:
    headers = bearer(owner, org)
    before = rows(org)

    assert_problem(post(client, '{"first_name": ', headers), 400)
    assert rows(org) == before


@pytest.mark.parametrize("role", [Role.COACH, Role.STAFF])
def test_team_members_add_clients(client: DjangoClient, org: Organization, role: str) -> None:
    person = member(org, role, email=f"{role}@example.com")

    assert post(client, VALID, bearer(person, org)).status_code == 201


def test_a_client_member_cannot_add_clients(client: DjangoClient, org: Organization) -> None:
    headers = bearer(member(org, Role.CLIENT, email="cleo@example.com"), org)
    before = rows(org)

    assert_problem(post(client, VALID, headers), 403)
    assert rows(org) == before


def test_without_a_token_is_401(client: DjangoClient, org: Organization) -> None:
    before = rows(org)

    assert_problem(post(client, VALID, {}), 401)
    assert rows(org) == before


def test_post_clients_is_in_the_openapi_spec(client: DjangoClient) -> None:
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/clients"]["post"]

    assert operation["summary"]
    assert "201" in operation["responses"]
