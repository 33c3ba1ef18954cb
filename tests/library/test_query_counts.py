"""The library list and a client's library cost the same number of queries whatever their size."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from coachos.library import services, sharing

from .conftest import Person

pytestmark = pytest.mark.django_db


def _queries(run: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = run()
        assert response.status_code == 200
    return len(captured.captured_queries)


def _grow(org: Any, owner: Any, client: Person, start: int, count: int) -> None:
    with scope(organization=org):
        made = [services.resource_link(organization=org, actor=owner, title=f"R{n}", url=f"https://example.com/{n}")
                for n in range(start, start + count)]
        collection = services.collection_create(organization=org, actor=owner, title=f"C{start}",
                                                resource_ids=[r.pk for r in made[:3]], sequential=True)
        sharing.share_create(organization=org, actor=owner, collection=collection, client_ids=[client.client.pk])
        for resource in made[3:]:
            sharing.share_create(organization=org, actor=owner, resource=resource, client_ids=[client.client.pk])


def test_constant_queries(org: Any, owner: Any, boss: Person, olivia: Person) -> None:
    http, portal, web = DjangoClient(), DjangoClient(), DjangoClient()
    portal.force_login(olivia.user)
    web.force_login(owner)
    _grow(org, owner, olivia, 0, 5)
    runs = {
        "api list": lambda: http.get("/api/v1/resources", **boss.headers),
        "api client": lambda: http.get(f"/api/v1/clients/{olivia.client.pk}/resources", **boss.headers),
        "team page": lambda: web.get(f"/o/{org.slug}/library/"),
        "portal page": lambda: portal.get(f"/portal/{org.slug}/library/"),
    }
    for run in runs.values():
        run()  # warm: the first request of a session or a token does a little more, once
    small = {name: _queries(run) for name, run in runs.items()}
    _grow(org, owner, olivia, 100, 25)
    large = {name: _queries(run) for name, run in runs.items()}
    assert large == small
