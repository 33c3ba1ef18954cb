"""Personal API tokens from the account page: shown once, stored as a hash, revocable, bound to a business."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.accounts.models import ApiToken
from coachos.tenancy.models import AuditEntry, Organization
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import MembershipFactory, UserFactory, member

pytestmark = pytest.mark.django_db

TOKENS_URL = "/account/api-tokens/"


def create_token(client: DjangoClient, org: Organization, name: str = "Zapier") -> tuple[Any, str]:
    response = client.post(TOKENS_URL, {"name": name, "organization": org.slug})
    assert response.status_code == 200
    raw = response.context["new_token"]
    assert raw
    return response, raw


def auth(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def tokens_of(user: Any) -> list[ApiToken]:
    with scopes_disabled():
        return list(ApiToken.objects.filter(user=user))


def test_the_page_needs_a_login(client: DjangoClient) -> None:
    response = client.get(TOKENS_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_creating_a_token_shows_it_once(web: DjangoClient, owner: Any, org: Organization) -> None:
    response, raw = create_token(web, org)

    assert raw.startswith("cos_")
    assert raw in response.content.decode()
    assert "It is shown only this once." in response.content.decode()
    [token] = tokens_of(owner)
    assert token.name == "Zapier"
    assert token.organization == org
    assert token.revoked_at is None
    with scopes_disabled():
        assert AuditEntry.objects.filter(organization=org, action="api_token.created", actor=owner).count() == 1

    again = web.get(TOKENS_URL)
    html = again.content.decode()
    assert again.context["new_token"] is None
    assert raw not in html
    assert f"cos_{token.prefix}…" in html
    assert "Zapier" in html


def test_only_a_sha256_of_the_token_is_stored(web: DjangoClient, owner: Any, org: Organization) -> None:
    _response, raw = create_token(web, org)
    secret = raw.split("_", 2)[2]

    [token] = tokens_of(owner)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    with scopes_disabled():
        row = ApiToken.objects.filter(pk=token.pk).values().get()
    for column, value in row.items():
        assert raw not in str(value), column
        assert secret not in str(value), column


def test_a_created_token_works_on_the_api(web: DjangoClient, client: DjangoClient, owner: Any, org: Organization) -> None:
    _response, raw = create_token(web, org)

    response = client.get("/api/v1/me", **auth(raw))

    assert response.status_code == 200
    assert response.json()["email"] == owner.email
    [token] = tokens_of(owner)
    assert token.last_used_at is not None


def test_a_name_is_required(web: DjangoClient, owner: Any, org: Organization) -> None:
    response = web.post(TOKENS_URL, {"name": "   ", "organization": org.slug})

    assert response.status_code == 200
    assert response.context["new_token"] is None
    assert response.context["form"].errors
    assert tokens_of(owner) == []


def test_a_token_for_a_business_i_am_not_in_is_refused(
    web: DjangoClient, owner: Any, org: Organization, other_org: Organization
) -> None:
    response = web.post(TOKENS_URL, {"name": "sneaky", "organization": other_org.slug})

    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert response.context["new_token"] is None
    assert tokens_of(owner) == []


def test_revoking_from_the_page_makes_the_token_401(web: DjangoClient, client: DjangoClient, owner: Any, org: Organization) -> None:
    _response, raw = create_token(web, org)
    assert client.get("/api/v1/me", **auth(raw)).status_code == 200
    [token] = tokens_of(owner)

    response = web.post(f"/account/api-tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == TOKENS_URL
    token.refresh_from_db()
    assert token.revoked_at is not None
    unauthorized = client.get("/api/v1/me", **auth(raw))
    assert unauthorized.status_code == 401
    assert unauthorized["Content-Type"] == "application/problem+json"
    page = web.get(TOKENS_URL).content.decode()
    assert "Token revoked." in page
    with scopes_disabled():
        assert AuditEntry.objects.filter(organization=org, action="api_token.revoked").count() == 1


def test_revoking_needs_a_post(web: DjangoClient, client: DjangoClient, owner: Any, org: Organization) -> None:
    _response, raw = create_token(web, org)
    [token] = tokens_of(owner)

    assert web.get(f"/account/api-tokens/{token.pk}/revoke/").status_code == 405
    assert client.get("/api/v1/me", **auth(raw)).status_code == 200


def test_another_user_cannot_revoke_my_token(web: DjangoClient, client: DjangoClient, owner: Any, org: Organization) -> None:
    _response, raw = create_token(web, org)
    [token] = tokens_of(owner)
    # A colleague in the same business, and the owner of another one.
    colleague = member(org, Role.OWNER, email="co-owner@example.com")
    stranger = UserFactory(email="stranger@example.com")

    for other in (colleague, stranger):
        response = login_as(other).post(f"/account/api-tokens/{token.pk}/revoke/")
        assert response.status_code == 404

    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.get("/api/v1/me", **auth(raw)).status_code == 200
    # Nor does my token show up on their page.
    assert raw[:12] not in login_as(colleague).get(TOKENS_URL).content.decode()


def test_a_token_is_bound_to_its_business(
    web: DjangoClient, client: DjangoClient, owner: Any, org: Organization, other_org: Organization
) -> None:
    MembershipFactory(organization=other_org, user=owner, role=Role.COACH)
    page = web.get(TOKENS_URL)
    assert {slug for slug, _name in page.context["form"].fields["organization"].choices} == {org.slug, other_org.slug}

    _response, raw_other = create_token(web, other_org, name="Southside script")
    _response, raw_mine = create_token(web, org, name="Northside script")

    other_me = client.get("/api/v1/me", **auth(raw_other)).json()
    assert other_me["slug"] == other_org.slug
    assert other_me["role"] == Role.COACH
    assert client.get("/api/v1/organization", **auth(raw_other)).json()["name"] == "Southside Fitness"
    mine = client.get("/api/v1/me", **auth(raw_mine)).json()
    assert mine["slug"] == org.slug
    assert mine["role"] == Role.OWNER
    # As a coach there, the Southside token cannot change Southside's settings.
    response = client.patch(
        "/api/v1/organization", '{"name": "Mine now"}', content_type="application/json", **auth(raw_other)
    )
    assert response.status_code == 403
