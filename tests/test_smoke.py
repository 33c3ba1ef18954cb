"""Runs on PostgreSQL and on SQLite (make test runs the `smoke` marker on both)."""

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def test_seed_demo_loads_and_is_idempotent():
    call_command("seed_demo")
    call_command("seed_demo")
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
        assert org.timezone == "America/Chicago"
        assert Client.objects.filter(organization=org).count() == 30
        assert org.memberships.filter(user__email="owner@northside.example", role="owner").exists()
        assert org.memberships.filter(user__email="coach@northside.example", role="coach").exists()


def test_demo_owner_logs_in_and_reaches_the_dashboard(client):
    call_command("seed_demo")
    response = client.post("/accounts/login/", {"login": "owner@northside.example", "password": "coachos-demo"})
    assert response.status_code == 302
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/o/northside/"
    assert "Northside Strength" in response.content.decode()
