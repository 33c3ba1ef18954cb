"""POST /api/v1/clients: add a client record."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.clients.models import Client, Tag
from coachos.tenancy.models import AuditEntry, Organization
from coachos.tenancy.roles import Role
from tests.conftest import bearer
from tests.factories import ClientFactory, TagFactory, member

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
    assert response.json() | {"id": 0, "created_at": "", "updated_at": ""} == {
        "id": 0, "first_name": "Sam", "last_name": "", "email": "", "phone": "", "status": "active", "created_at": "",
        "tags": [], "source": "", "source_detail": "", "birthday": None, "address": "", "emergency_contact_name": "",
        "emergency_contact_phone": "", "sms_consent": False, "sms_consent_at": None, "email_consent": False,
        "email_consent_at": None, "updated_at": ""}


def test_clients_without_email_do_not_clash(client: DjangoClient, owner: Any, org: Organization) -> None:
    headers = bearer(owner, org)

    assert post(client, {"first_name": "A"}, headers).status_code == 201
    assert post(client, {"first_name": "B", "email": ""}, headers).status_code == 201


@pytest.mark.parametrize(
    ("change", "field"),
    [
        # Typed numbers of the business's country are read as such (tests/api/test_phones.py).
        ({"phone": "12345"}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"phone": "+0123456789"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"first_name": ""}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"first_name": None}, "first_name"),
        ({"first_name": "x" * 81}, "first_name"),
        ({"last_name": "a\x00b"}, "last_name"),
        ({"status": "gone"}, "status"),
        ({"status": None}, "status"),
        ({"organization": 1}, "organization"),
        ({"source": "tv"}, "source"),
        ({"birthday": "1990-02-30"}, "birthday"),
        ({"birthday": "2999-01-01"}, "birthday"),
        ({"birthday": "1850-01-01"}, "birthday"),
        ({"emergency_contact_phone": "555 0100"}, "emergency_contact_phone"),
        ({"tags": ["ok", "x" * 41]}, "tags.1"),
        ({"tags": ["  "]}, "tags.0"),
        ({"tags": "VIP"}, "tags"),
        ({"sms_consent": "maybe"}, "sms_consent"),
        ({"source_detail": "x" * 121}, "source_detail"),
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


# --- the fields added after the first version, PATCH and the list's filters ---------------------

FULL = {**VALID, "status": "lead", "tags": ["VIP", " Morning  group "], "source": "referral",
        "source_detail": "Sam's friend", "birthday": "1990-04-27", "address": "1 Main St",
        "emergency_contact_name": "Ray Reyes", "emergency_contact_phone": "+13125550100",
        "sms_consent": True, "email_consent": False}
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def patch(http: DjangoClient, client_id: int, body: Any, headers: dict[str, str]) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return http.patch(f"/api/v1/clients/{client_id}", data, content_type="application/json", **headers)


def test_add_a_client_with_every_field(client: DjangoClient, owner: Any, org: Organization) -> None:
    with time_machine.travel(NOW, tick=False):
        response = post(client, FULL, bearer(owner, org))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body | {"tags": None} == body | {**FULL, "tags": None}
    assert body["tags"] == ["Morning group", "VIP"]
    assert body["sms_consent_at"] == "2026-03-02T15:00:00Z" and body["email_consent_at"] is None
    with scopes_disabled():
        created = Client.objects.get(pk=body["id"])
        assert created.birthday == date(1990, 4, 27) and created.sms_consent_at == NOW
        assert set(created.tags.values_list("name", flat=True)) == {"VIP", "Morning group"}
        assert AuditEntry.objects.filter(organization=org, action="client.tagged").count() == 2
    assert client.get(f"/api/v1/clients/{body['id']}", **bearer(owner, org)).json() == body


def test_tags_match_existing_ones_whatever_the_case(client: DjangoClient, owner: Any, org: Organization) -> None:
    existing = TagFactory(organization=org, name="VIP")
    body = post(client, {"first_name": "Ann", "tags": ["vip", "VIP "]}, bearer(owner, org)).json()
    assert body["tags"] == ["VIP"]
    with scopes_disabled():
        assert list(Tag.objects.filter(organization=org)) == [existing]


def test_patch_changes_only_what_is_sent_and_is_audited(client: DjangoClient, owner: Any,
                                                        org: Organization) -> None:
    headers = bearer(owner, org)
    created = post(client, FULL, headers).json()
    response = patch(client, created["id"], {"status": "paused", "source_detail": "", "birthday": None}, headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == created | {"status": "paused", "source_detail": "", "birthday": None,
                              "updated_at": body["updated_at"]}
    with scopes_disabled():
        entry = AuditEntry.objects.filter(organization=org, action="client.updated").get()
    assert entry.data == {"fields": ["birthday", "source_detail", "status"]}
    assert "reyes" not in json.dumps(entry.data).lower()
    # An empty change changes nothing and writes no audit entry.
    assert patch(client, created["id"], {}, headers).json()["status"] == "paused"
    with scopes_disabled():
        assert AuditEntry.objects.filter(organization=org, action="client.updated").count() == 1


def test_consent_times_follow_the_consents(client: DjangoClient, owner: Any, org: Organization) -> None:
    headers = bearer(owner, org)
    created = post(client, {"first_name": "Cleo"}, headers).json()
    assert (created["sms_consent_at"], created["email_consent_at"]) == (None, None)
    with time_machine.travel(NOW, tick=False):
        body = patch(client, created["id"], {"sms_consent": True, "email_consent": True}, headers).json()
    assert body["sms_consent_at"] == body["email_consent_at"] == "2026-03-02T15:00:00Z"
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        body = patch(client, created["id"], {"sms_consent": True, "email_consent": False}, headers).json()
    assert body["sms_consent_at"] == "2026-03-02T15:00:00Z"  # already true: the first time stays
    assert (body["email_consent"], body["email_consent_at"]) == (False, None)


def test_patch_tags_replaces_them(client: DjangoClient, owner: Any, org: Organization) -> None:
    headers = bearer(owner, org)
    created = post(client, {**VALID, "tags": ["VIP", "Morning"]}, headers).json()
    body = patch(client, created["id"], {"tags": ["morning", "Evening"]}, headers).json()
    assert body["tags"] == ["Evening", "Morning"]
    with scopes_disabled():
        assert Tag.objects.filter(organization=org, name="VIP").exists()  # the tag stays, off this client
        untagged = AuditEntry.objects.get(organization=org, action="client.untagged")
        assert untagged.data == {"tag": Tag.objects.get(organization=org, name="VIP").pk}
    assert patch(client, created["id"], {"tags": []}, headers).json()["tags"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"first_name": None}, "first_name"),
        ({"first_name": ""}, "first_name"),
        ({"last_name": None}, "last_name"),
        ({"status": "gone"}, "status"),
        ({"phone": "12345"}, "phone"),
        ({"email": "taken@example.com"}, "email"),
        ({"email": "nope"}, "email"),
        ({"birthday": "2999-01-01"}, "birthday"),
        ({"tags": None}, "tags"),
        ({"tags": ["x" * 41]}, "tags.0"),
        ({"sms_consent": None}, "sms_consent"),
        ({"id": 5}, "id"),
        ({"sms_consent_at": "2026-01-01T00:00:00Z"}, "sms_consent_at"),
        ({"status": "archived", "phone": "bad"}, "phone"),
    ],
)
def test_invalid_patch_is_422_and_changes_nothing(client: DjangoClient, owner: Any, org: Organization,
                                                  change: dict[str, Any], field: str) -> None:
    headers = bearer(owner, org)
    ClientFactory(organization=org, email="taken@example.com")
    created = post(client, FULL, headers).json()
    before = rows(org)

    problem = assert_problem(patch(client, created["id"], change, headers), 422)

    assert field in [e["field"] for e in problem["errors"]]
    assert rows(org) == before


def test_patch_another_business_client_is_404(client: DjangoClient, owner: Any, org: Organization,
                                              other_org: Organization) -> None:
    theirs = ClientFactory(organization=other_org, first_name="Theirs")
    assert_problem(patch(client, theirs.pk, {"first_name": None}, bearer(owner, org)), 404)
    theirs.refresh_from_db()
    assert theirs.first_name == "Theirs"


def test_a_client_member_cannot_patch(client: DjangoClient, owner: Any, org: Organization) -> None:
    created = post(client, VALID, bearer(owner, org)).json()
    headers = bearer(member(org, Role.CLIENT, email="cleo@example.com"), org)
    assert_problem(patch(client, created["id"], {"status": "archived"}, headers), 403)


def test_the_list_filters_like_the_page(client: DjangoClient, owner: Any, org: Organization,
                                        other_org: Organization) -> None:
    headers = bearer(owner, org)
    ana = post(client, {"first_name": "Ana", "last_name": "Diaz", "email": "ana@example.com", "status": "lead",
                        "tags": ["VIP"]}, headers).json()
    ben = post(client, {"first_name": "Ben", "phone": "+13125550222", "tags": ["vip", "Morning"]}, headers).json()
    post(client, {"first_name": "Cy", "status": "archived"}, headers)
    ClientFactory(organization=other_org, first_name="Ana", status="lead")

    def ids(**params: str) -> list[int]:
        response = client.get("/api/v1/clients", params, **headers)
        assert response.status_code == 200, response.content
        return [c["id"] for c in response.json()["results"]]

    assert ids() == [ana["id"], ben["id"], ids()[2]] and len(ids()) == 3
    assert ids(status="lead") == [ana["id"]]
    assert ids(tag="VIP") == ids(tag="vip") == [ana["id"], ben["id"]]
    assert ids(tag="Morning", status="active") == [ben["id"]]
    assert ids(tag="no such tag") == []
    assert ids(q="ana diaz") == ids(q="ANA@") == [ana["id"]]
    assert ids(q="555-0222") == [ben["id"]]
    listed = client.get("/api/v1/clients", {"q": "Ben"}, **headers).json()["results"][0]
    assert listed["tags"] == ["Morning", "VIP"] and listed["status"] == "active"


@pytest.mark.parametrize("params", [{"status": "gone"}, {"q": "x" * 101}, {"tag": "x" * 41}, {"q": "a\x00b"}])
def test_bad_list_filters_are_422(client: DjangoClient, owner: Any, org: Organization,
                                  params: dict[str, str]) -> None:
    assert_problem(client.get("/api/v1/clients", params, **bearer(owner, org)), 422)


def test_the_status_and_source_choices_match_the_model() -> None:
    from typing import get_args

    from coachos.clients.api import ClientSource, ClientStatus

    assert set(get_args(ClientStatus)) == set(Client.Status.values)
    assert set(get_args(ClientSource)) == {"", *Client.Source.values}


def test_patch_and_the_new_fields_are_in_the_openapi_spec() -> None:
    from coachos.api import api

    schema = api.get_openapi_schema()
    assert "patch" in schema["paths"]["/api/v1/clients/{client_id}"]
    params = {p["name"] for p in schema["paths"]["/api/v1/clients"]["get"]["parameters"]}
    assert {"q", "status", "tag", "cursor"} <= params
    out = schema["components"]["schemas"]["ClientOut"]["properties"]
    assert {"tags", "source", "birthday", "emergency_contact_phone", "sms_consent_at", "email_consent"} <= set(out)
