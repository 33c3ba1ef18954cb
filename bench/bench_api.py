"""API authentication and a tenant-scoped read: what every API call pays."""

from __future__ import annotations

import statistics
import time

from django.test import Client as HttpClient
from django_scopes import scope

from coachos.accounts.models import User
from coachos.accounts.services import api_token_create
from coachos.clients.models import Client
from coachos.tenancy.services import organization_create

REQUESTS = 300


def _timed(client: HttpClient, path: str, headers: dict[str, str]) -> list[float]:
    samples = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path, **headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    return samples


def run() -> list[tuple[str, str]]:
    user = User.objects.create_user(email="bench@example.com", password="bench-password-1", name="Bench")
    org = organization_create(name="Bench Gym", owner=user, timezone="America/Chicago")
    with scope(organization=org):
        Client.objects.bulk_create(
            Client(organization=org, first_name=f"C{i}", last_name="Bench", email=f"c{i}@example.com")
            for i in range(1000)
        )
    _token, raw = api_token_create(user=user, organization=org, name="bench")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    http = HttpClient(HTTP_HOST="127.0.0.1")
    figures = []
    for label, path in (("GET /api/v1/me", "/api/v1/me"), ("GET /api/v1/clients (page of 50 of 1,000)", "/api/v1/clients")):
        samples = sorted(_timed(http, path, headers))
        figures.append((f"{label}: median ms", f"{statistics.median(samples):.2f}"))
        figures.append((f"{label}: p95 ms", f"{samples[int(len(samples) * 0.95)]:.2f}"))
    return figures
