"""Shared fixtures for library tests: a business (Chicago) with its owner and a coach, two clients with
portal logins and tokens, a client of another business, and small file makers."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as DjangoClient
from django_scopes import scope
from PIL import Image

from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role
from tests.conftest import bearer
from tests.people import Person, portal_client, team_member

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, format="PNG")
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


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
    return portal_client(org, first_name="Olivia", last_name="Martinez", coach=coach, email="olivia@example.com")


@pytest.fixture
def liam(org: Organization) -> Person:
    return portal_client(org, first_name="Liam", last_name="Johnson", email="liam@example.com")


@pytest.fixture
def stranger(other_org: Organization) -> Person:
    """A client of business B, with a token of business B."""
    return portal_client(other_org, first_name="Sam", last_name="Stranger")


@pytest.fixture
def other_owner(other_org: Organization) -> Person:
    return team_member(other_org, Role.OWNER, name="Beth Other")


def post_json(person: Person, path: str, data: dict[str, Any]) -> Any:
    return DjangoClient().post(path, data=json.dumps(data), content_type="application/json", **person.headers)


def patch_json(person: Person, path: str, data: dict[str, Any]) -> Any:
    return DjangoClient().patch(path, data=json.dumps(data), content_type="application/json", **person.headers)


def get(person: Person, path: str, **params: Any) -> Any:
    return DjangoClient().get(path, params, **person.headers)


def upload_resource(person: Person, name: str = "plan.pdf", data: bytes = PDF, title: str = "Meal plan",
                    **fields: Any) -> Any:
    return DjangoClient().post("/api/v1/resources", data={"file": upload(name, data), "title": title, **fields},
                               **person.headers)


def assert_problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    if field is not None:
        assert [e["field"] for e in body["errors"]] == [field]
    return body
