"""A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 (issue #21): problem details on the API, a page
elsewhere; never a 500, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.clients.models import Client

from ..conftest import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_limit(settings: Any) -> int:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    return 2048


def big_json(size: int) -> str:
    return json.dumps({"first_name": "Dana", "last_name": "Big", "notes": "x" * size})


def test_an_api_body_over_the_limit_is_a_413_problem(org: Any, owner: Any, small_limit: int) -> None:
    http = DjangoClient(raise_request_exception=False)
    response = http.post("/api/v1/clients", big_json(small_limit * 2), content_type="application/json",
                         **bearer(owner, org))
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 413 and body["title"] == "Request too large"
    assert body["type"].endswith("/too-large") and body["max_bytes"] == small_limit
    with scope(organization=org):
        assert not Client.objects.exists()


def test_an_api_body_under_the_limit_still_works(org: Any, owner: Any, small_limit: int) -> None:
    response = DjangoClient().post("/api/v1/clients", json.dumps({"first_name": "Dana", "last_name": "Small"}),
                                   content_type="application/json", **bearer(owner, org))
    assert response.status_code == 201, response.content


def test_a_form_over_the_limit_is_a_413_page(org: Any, owner: Any, small_limit: int) -> None:
    http = DjangoClient(raise_request_exception=False)
    http.force_login(owner)
    response = http.post(f"/o/{org.slug}/clients/new/", {"first_name": "Dana", "last_name": "x" * small_limit * 2})
    assert response.status_code == 413
    html = response.content.decode()
    assert "That was too much to send at once" in html and "2.0\xa0KB" in html
    assert "Traceback" not in html
    with scope(organization=org):
        assert not Client.objects.exists()


def test_a_public_form_over_the_limit_is_a_413_page(org: Any, small_limit: int) -> None:
    response = DjangoClient(raise_request_exception=False).post(
        f"/book/{org.slug}/hold/", {"slot": "1@1", "pad": "x" * small_limit * 2})
    assert response.status_code == 413
    assert "That was too much to send at once" in response.content.decode()
