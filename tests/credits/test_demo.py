"""The packages demo data: plans, packages in every state, a consistent ledger; idempotent.
Runs on SQLite too (the smoke marker)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django_scopes import scope, scopes_disabled

from coachos.credits.models import ClientPackage, CreditEntry, PackagePlan
from coachos.credits.services import low_balance_clients
from coachos.tenancy.models import Organization

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def counts() -> tuple[int, int, int]:
    with scopes_disabled():
        return PackagePlan.objects.count(), ClientPackage.objects.count(), CreditEntry.objects.count()


def test_seed_demo_makes_packages_in_every_state_and_is_idempotent():
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    with scopes_disabled():
        org = Organization.objects.get(slug="northside")
    with scope(organization=org):
        assert set(PackagePlan.objects.values_list("name", flat=True)) >= {
            "10 sessions", "5 sessions", "Intro pack", "Class card"}
        assert PackagePlan.objects.get(name="10 sessions").price_minor == 75000
        packages = list(ClientPackage.objects.all())
        for package in packages:
            ledger = CreditEntry.objects.filter(package=package).aggregate(total=Sum("amount"))["total"]
            assert ledger == package.remaining, package.pk
        statuses = {p.status for p in packages}
        assert statuses == {ClientPackage.Status.ACTIVE, ClientPackage.Status.EXPIRED}
        active = [p for p in packages if p.status == ClientPackage.Status.ACTIVE]
        assert sum(1 for p in active if p.remaining == 1) >= 2
        assert any(p.remaining == 0 for p in active)  # fully used
        assert sum(1 for p in active if p.remaining >= 4) >= 3
        attention = low_balance_clients()
        assert any(p.is_expiring for p in attention)
        assert CreditEntry.objects.filter(kind=CreditEntry.Kind.EXPIRY).exists()
        portal = ClientPackage.objects.filter(client__email="client@northside.example")
        assert portal.filter(status=ClientPackage.Status.ACTIVE, remaining__gt=0).exists()
        assert portal.filter(status=ClientPackage.Status.EXPIRED).exists()


def test_demo_client_sees_their_packages(client):
    call_command("seed_demo")
    client.post("/accounts/login/", {"login": "client@northside.example", "password": "coachos-demo"})
    response = client.get("/portal/northside/packages/")
    assert response.status_code == 200
    assert "10 sessions" in response.content.decode()
