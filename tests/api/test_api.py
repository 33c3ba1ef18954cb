"""The JSON API contract: bearer tokens, problem details, the organization endpoint, pagination, docs."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, time
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import ApiToken
from coachos.accounts.services import api_token_revoke
from coachos.tenancy.models import AuditEntry, Membership, Organization
from coachos.tenancy.roles import Role
from coachos.tenancy.services import membership_remove
from tests.conftest import bearer
from tests.factories import ClientFactory, MembershipFactory, member

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def auth(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def patch(client: DjangoClient, body: Any, headers: dict[str, str]) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.patch("/api/v1/organization", data, content_type="application/json", **headers)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    return body


def organization_state(org: Organization) -> dict[str, Any]:
    org = Organization.objects.get(pk=org.pk)
    return {f: getattr(org, f) for f in ("name", "slug", "timezone", "currency", "sms_number",
                                         "quiet_hours_start", "quiet_hours_end", "updated_at")}


def audit_actions(org: Organization) -> list[str]:
    with scopes_disabled():
        return list(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))


# --- the api_token command --------------------------------------------------------------------

def test_api_token_command_prints_a_working_token_on_its_last_line(client: DjangoClient, owner: Any, org: Organization) -> None:
    out = StringIO()

    call_command("api_token", "--email", "OWNER@example.com", "--org", org.slug, stdout=out)

    raw = out.getvalue().strip().splitlines()[-1]
    assert raw.startswith("cos_") and " " not in raw
    response = client.get("/api/v1/me", **auth(raw))
    assert response.status_code == 200
    assert response.json()["email"] == "owner@example.com"
    assert response.json()["slug"] == org.slug


@pytest.mark.parametrize(
    ("email", "slug", "message"),
    [
        ("nobody@example.com", "northside-test", "No user has that email address."),
        ("owner@example.com", "no-such-business", "No business has that slug."),
    ],
)
def test_api_token_command_refuses_unknown_email_or_slug(owner: Any, org: Organization, email: str, slug: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("api_token", "--email", email, "--org", slug, stdout=StringIO())
    with scopes_disabled():
        assert ApiToken.objects.count() == 0


def test_api_token_command_refuses_a_business_the_user_is_not_in(owner: Any, other_org: Organization) -> None:
    with pytest.raises(CommandError, match="not a member"):
        call_command("api_token", "--email", owner.email, "--org", other_org.slug, stdout=StringIO())
    with scopes_disabled():
        assert ApiToken.objects.count() == 0


# --- authentication ---------------------------------------------------------------------------

def test_me_with_a_token(client: DjangoClient, owner: Any, org: Organization) -> None:
    response = client.get("/api/v1/me", **bearer(owner, org))

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "owner@example.com"
    assert body["slug"] == org.slug
    assert body["role"] == Role.OWNER


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HTTP_AUTHORIZATION": "Bearer"},
        {"HTTP_AUTHORIZATION": "Bearer cos_deadbeef_thisisnotarealtokenatall"},
        {"HTTP_AUTHORIZATION": "Bearer garbage"},
        {"HTTP_AUTHORIZATION": "Token cos_deadbeef_x"},
        {"HTTP_AUTHORIZATION": "Bearer " + "cos_" + "a" * 500},
    ],
    ids=["none", "empty", "unknown", "garbage", "wrong-scheme", "huge"],
)
def test_me_without_a_valid_token_is_401_problem(client: DjangoClient, org: Organization, headers: dict[str, str]) -> None:
    response = client.get("/api/v1/me", **headers)

    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_is_401(client: DjangoClient, owner: Any, org: Organization) -> None:
    headers = bearer(owner, org)
    assert client.get("/api/v1/me", **headers).status_code == 200
    with scopes_disabled():
        token = ApiToken.objects.get(user=owner)

    api_token_revoke(token=token, actor=owner)

    assert_problem(client.get("/api/v1/me", **headers), 401)
    assert_problem(client.get("/api/v1/organization", **headers), 401)


def test_a_token_of_a_removed_member_is_401(client: DjangoClient, owner: Any, org: Organization, other_org: Organization) -> None:
    coach = member(org, Role.COACH, email="coach@example.com")
    # Still a member of another business: the token stays bound to the first one.
    MembershipFactory(organization=other_org, user=coach, role=Role.OWNER)
    headers = bearer(coach, org)
    assert client.get("/api/v1/me", **headers).status_code == 200

    with scope(organization=org):
        membership_remove(membership=Membership.objects.get(user=coach), actor=owner)

    assert_problem(client.get("/api/v1/me", **headers), 401)
    assert_problem(client.get("/api/v1/clients", **headers), 401)


def test_a_token_of_a_deactivated_user_is_401(client: DjangoClient, owner: Any, org: Organization) -> None:
    headers = bearer(owner, org)
    owner.is_active = False
    owner.save(update_fields=["is_active"])

    assert_problem(client.get("/api/v1/me", **headers), 401)


def test_a_logged_in_browser_session_is_not_an_api_credential(web: DjangoClient) -> None:
    assert_problem(web.get("/api/v1/me"), 401)


# --- the organization -------------------------------------------------------------------------

def test_get_organization(client: DjangoClient, owner: Any, org: Organization) -> None:
    Organization.objects.filter(pk=org.pk).update(sms_number="+13125550123", quiet_hours_start=time(20, 30))

    response = client.get("/api/v1/organization", **bearer(owner, org))

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Northside Strength"
    assert body["slug"] == "northside-test"
    assert body["timezone"] == "America/Chicago"
    assert body["currency"] == "USD"
    assert body["sms_number"] == "+13125550123"
    assert body["quiet_hours_start"] == "20:30"
    assert body["quiet_hours_end"] == "08:00"


def test_owner_patches_the_organization_and_it_is_audited(client: DjangoClient, owner: Any, org: Organization) -> None:
    changes = {
        "name": "Northside Strength & Conditioning",
        "slug": "northside-sc",
        "timezone": "Europe/Berlin",
        "currency": "EUR",
        "sms_number": "+4915112345678",
        "quiet_hours_start": "22:15",
        "quiet_hours_end": "07:00",
    }

    response = patch(client, changes, bearer(owner, org))

    assert response.status_code == 200
    assert response.json() == {**response.json(), **changes}
    org.refresh_from_db()
    assert (org.name, org.slug, org.timezone, org.currency, org.sms_number) == (
        "Northside Strength & Conditioning", "northside-sc", "Europe/Berlin", "EUR", "+4915112345678"
    )
    assert (org.quiet_hours_start, org.quiet_hours_end) == (time(22, 15), time(7, 0))
    with scopes_disabled():
        entry = AuditEntry.objects.get(organization=org, action="organization.updated")
    assert entry.actor == owner
    assert entry.data["changed"]["timezone"] == ["America/Chicago", "Europe/Berlin"]
    assert entry.data["changed"]["quiet_hours_start"] == ["21:00", "22:15"]
    # The same token keeps working after the slug change: it is bound to the business, not the slug.
    assert client.get("/api/v1/me", **bearer(owner, org)).json()["slug"] == "northside-sc"


def test_patch_with_no_change_writes_no_audit_entry(client: DjangoClient, owner: Any, org: Organization) -> None:
    response = patch(client, {"timezone": "America/Chicago"}, bearer(owner, org))

    assert response.status_code == 200
    assert "organization.updated" not in audit_actions(org)


@pytest.mark.parametrize(
    ("body", "field", "detail_mentions"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "time zone"),
        ({"timezone": "America/Chicago ", "name": "X"}, "timezone", "time zone"),
        ({"quiet_hours_start": "25:00"}, "quiet_hours_start", "quiet_hours_start"),
        ({"quiet_hours_end": "7am"}, "quiet_hours_end", "quiet_hours_end"),
        ({"sms_number": "5550123"}, "sms_number", "phone number"),
        ({"currency": "XYZ"}, "currency", "currency"),
        ({"name": ""}, "name", "name"),
        ({"name": None}, "name", "name"),
        ({"slug": "Not A Slug!"}, "slug", "slug"),
        ({"slug": "admin"}, "slug", "reserved"),
        ({"timezone": "Europe/Paris", "quiet_hours_start": "24:00"}, "quiet_hours_start", "quiet_hours_start"),
    ],
)
def test_invalid_patch_is_422_and_changes_nothing(
    client: DjangoClient, owner: Any, org: Organization, body: dict[str, Any], field: str, detail_mentions: str
) -> None:
    before = organization_state(org)

    response = patch(client, body, bearer(owner, org))

    problem = assert_problem(response, 422)
    assert detail_mentions in problem["detail"]
    assert field in [error["field"] for error in problem["errors"]]
    assert organization_state(org) == before
    assert "organization.updated" not in audit_actions(org)


def test_slug_of_another_business_is_422_and_changes_nothing(
    client: DjangoClient, owner: Any, org: Organization, other_org: Organization
) -> None:
    before, other_before = organization_state(org), organization_state(other_org)

    response = patch(client, {"slug": other_org.slug, "name": "Renamed"}, bearer(owner, org))

    problem = assert_problem(response, 422)
    assert "slug" in problem["detail"]
    assert organization_state(org) == before
    assert organization_state(other_org) == other_before


@pytest.mark.parametrize("body", ['{"timezone": "Europe/Paris"', "{bad json", "timezone=Europe/Paris", "\xff"])
def test_malformed_json_is_400_and_changes_nothing(client: DjangoClient, owner: Any, org: Organization, body: str) -> None:
    before = organization_state(org)

    response = patch(client, body, bearer(owner, org))

    assert_problem(response, 400)
    assert organization_state(org) == before


@pytest.mark.parametrize("role", [Role.COACH, Role.STAFF])
def test_patch_by_a_non_owner_is_403(client: DjangoClient, org: Organization, role: str) -> None:
    person = member(org, role, email=f"{role}@example.com")
    before = organization_state(org)

    response = patch(client, {"name": "Taken Over"}, bearer(person, org))

    assert_problem(response, 403)
    assert organization_state(org) == before
    # Reading is allowed.
    assert client.get("/api/v1/organization", **bearer(person, org)).status_code == 200


def test_patch_without_a_token_is_401(client: DjangoClient, org: Organization) -> None:
    before = organization_state(org)

    assert_problem(patch(client, {"name": "Anonymous"}, {}), 401)
    assert organization_state(org) == before


# --- clients and cursor pagination ------------------------------------------------------------

def follow_pages(client: DjangoClient, headers: dict[str, str], url: str) -> list[list[int]]:
    pages = []
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200
        body = response.json()
        pages.append([item["id"] for item in body["results"]])
        url = body["next"]
        assert len(pages) < 10, "pagination does not end"
    return pages


def test_cursor_pagination_returns_every_client_exactly_once(client: DjangoClient, owner: Any, org: Organization) -> None:
    made = [ClientFactory(organization=org).pk for _ in range(5)]
    ClientFactory.create_batch(2)  # other businesses' clients never appear

    pages = follow_pages(client, bearer(owner, org), "/api/v1/clients?page_size=2")

    assert [len(page) for page in pages] == [2, 2, 1]
    seen = [pk for page in pages for pk in page]
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


def test_cursor_pagination_with_identical_timestamps(
    client: DjangoClient, owner: Any, org: Organization, time_machine: Any
) -> None:
    time_machine.move_to(datetime(2026, 1, 5, 8, 0, tzinfo=UTC), tick=False)
    made = [ClientFactory(organization=org).pk for _ in range(5)]

    pages = follow_pages(client, bearer(owner, org), "/api/v1/clients?page_size=2")

    seen = [pk for page in pages for pk in page]
    assert sorted(seen) == sorted(made)
    assert len(seen) == 5


def _cursor(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    ["garbage!!", "%%%", _cursor("o=-5"), _cursor("o=abc"), _cursor("r=maybe"), _cursor("o=99999999999"),
     _cursor("p=not-a-date")],
)
def test_a_garbage_cursor_is_a_4xx_problem(client: DjangoClient, owner: Any, org: Organization, cursor: str) -> None:
    ClientFactory.create_batch(3, organization=org)

    response = client.get("/api/v1/clients", {"cursor": cursor}, **bearer(owner, org))

    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == response.status_code


def test_clients_are_not_for_client_members(client: DjangoClient, org: Organization) -> None:
    portal_user = member(org, Role.CLIENT, email="cleo@example.com")

    assert_problem(client.get("/api/v1/clients", **bearer(portal_user, org)), 403)


def test_a_client_of_another_business_is_404(client: DjangoClient, owner: Any, org: Organization, other_org: Organization) -> None:
    foreign = ClientFactory(organization=other_org)
    mine = ClientFactory(organization=org)
    headers = bearer(owner, org)

    assert client.get(f"/api/v1/clients/{mine.pk}", **headers).status_code == 200
    assert_problem(client.get(f"/api/v1/clients/{foreign.pk}", **headers), 404)


# --- the spec and the docs --------------------------------------------------------------------

def test_openapi_spec_lists_the_endpoints_and_bearer_security(client: DjangoClient) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    paths = spec["paths"]
    assert "get" in paths["/api/v1/me"]
    assert {"get", "patch"} <= set(paths["/api/v1/organization"])
    assert "get" in paths["/api/v1/clients"]
    schemes = spec["components"]["securitySchemes"]
    bearer_names = [name for name, s in schemes.items() if s.get("type") == "http" and s.get("scheme") == "bearer"]
    assert bearer_names
    for path, method in [("/api/v1/me", "get"), ("/api/v1/organization", "patch")]:
        security = paths[path][method].get("security", spec.get("security"))
        assert any(name in requirement for requirement in security for name in bearer_names)


def test_docs_page_loads_swagger_from_static_not_a_cdn(client: DjangoClient) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'src="/static/ninja/swagger-ui-bundle.js"' in html
    assert 'href="/static/ninja/swagger-ui.css"' in html
    for cdn in ("cdn.jsdelivr", "unpkg", "cdnjs", "//cdn."):
        assert cdn not in html
    # The assets it points to are served.
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_unknown_api_path_is_a_404(client: DjangoClient, owner: Any, org: Organization) -> None:
    response = client.get("/api/v1/no-such-thing", **bearer(owner, org))

    assert response.status_code == 404

