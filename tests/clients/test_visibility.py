"""Per-coach access: a coach the owner limits to their own clients sees only those, on every page,
in the API and in the CSV export (one selector decides: ``clients_visible_to``); another client is
a 404, never a 403."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import bearer, login_as
from ..factories import ClientFactory, ClientPackageFactory, PurchaseFactory, member


@pytest.fixture
def coach(org: Organization) -> Any:
    return member(org, Role.COACH, email="maya@example.com", name="Maya Coach")


def _membership(org: Organization, user: Any) -> Membership:
    with scope(organization=org):
        return Membership.objects.get(user=user)


def _limit(org: Organization, user: Any, **changes: bool) -> Membership:
    with scope(organization=org):
        membership = Membership.objects.get(user=user)
        for field, value in {"sees_all_clients": False, **changes}.items():
            setattr(membership, field, value)
        membership.save()
        return membership


@pytest.fixture
def two_clients(org: Organization, coach: Any) -> tuple[Client, Client]:
    mine = _membership(org, coach)
    with scope(organization=org):
        own = ClientFactory(organization=org, first_name="Zoe", last_name="Allen", email="zoe@example.com",
                            coach_membership=mine)
        other = ClientFactory(organization=org, first_name="Otto", last_name="Other", email="otto@example.com")
    return own, other


def test_selector_limits_a_limited_coach_to_their_own_clients(org, coach, owner, two_clients):
    own, other = two_clients
    limited = _limit(org, coach)
    with scope(organization=org):
        assert list(clients_visible_to(limited)) == [own]
        assert set(clients_visible_to(_membership(org, owner))) == {own, other}
        assert not clients_visible_to(None).exists()


def test_an_unlimited_coach_sees_every_client(org, coach, two_clients):
    with scope(organization=org):
        assert set(clients_visible_to(_membership(org, coach))) == set(two_clients)


def test_limited_coach_pages_list_and_detail(org, coach, two_clients):
    own, other = two_clients
    _limit(org, coach)
    web = login_as(coach)
    listing = web.get(f"/o/{org.slug}/clients/").content.decode()
    assert "Zoe" in listing and "Otto" not in listing
    assert web.get(f"/o/{org.slug}/clients/?q=Otto").content.decode().count("otto@example.com") == 0
    assert web.get(f"/o/{org.slug}/clients/{own.pk}/").status_code == 200
    for path in ("", "edit/", "sections/profile/", "sections/notes/", "sections/packages/",
                 "sections/bookings/"):
        assert web.get(f"/o/{org.slug}/clients/{other.pk}/{path}").status_code == 404, path
    assert web.post(f"/o/{org.slug}/clients/{other.pk}/status/", {"status": "paused"}).status_code == 404
    with scope(organization=org):
        other.refresh_from_db()
        assert other.status == Client.Status.ACTIVE


def test_limited_coach_export_has_only_their_clients(org, coach, two_clients):
    _limit(org, coach)
    body = login_as(coach).get(f"/o/{org.slug}/clients/export.csv").content.decode("utf-8-sig")
    emails = {row.get("email") for row in csv.DictReader(io.StringIO(body))}
    assert "zoe@example.com" in emails and "otto@example.com" not in emails


def test_owner_export_has_every_client(org, web, two_clients):
    body = web.get(f"/o/{org.slug}/clients/export.csv").content.decode("utf-8-sig")
    emails = {row.get("email") for row in csv.DictReader(io.StringIO(body))}
    assert {"zoe@example.com", "otto@example.com"} <= emails


def test_limited_coach_api(org, coach, two_clients):
    own, other = two_clients
    _limit(org, coach)
    api = DjangoClient()
    headers = bearer(coach, org)
    listed = api.get("/api/v1/clients", **headers).json()["results"]
    assert {item["id"] for item in listed} == {own.pk}
    searched = api.get("/api/v1/clients", {"q": "Otto"}, **headers).json()["results"]
    assert searched == []
    assert api.get(f"/api/v1/clients/{own.pk}", **headers).status_code == 200
    assert api.get(f"/api/v1/clients/{other.pk}", **headers).status_code == 404
    patched = api.patch(f"/api/v1/clients/{other.pk}", {"first_name": "X"}, content_type="application/json",
                        **headers)
    assert patched.status_code == 404
    with scope(organization=org):
        other.refresh_from_db()
        assert other.first_name == "Otto"


def test_a_client_a_limited_coach_adds_is_theirs(org, coach):
    limited = _limit(org, coach)
    web = login_as(coach)
    response = web.post(f"/o/{org.slug}/clients/new/", {"first_name": "Nina", "status": "active"})
    assert response.status_code == 302
    with scope(organization=org):
        nina = Client.objects.get(first_name="Nina")
        assert nina.coach_membership_id == limited.pk
    assert web.get(response["Location"]).status_code == 200


def test_owner_sets_a_clients_coach_and_it_is_audited(org, web, coach, two_clients):
    _own, other = two_clients
    target = _membership(org, coach)
    response = web.post(f"/o/{org.slug}/clients/{other.pk}/coach/", {"coach": str(target.pk)})
    assert response.status_code == 302
    with scope(organization=org):
        other.refresh_from_db()
        assert other.coach_membership_id == target.pk
        assert org.audit_entries.filter(action="client.coach_changed", object_id=str(other.pk)).exists()


def test_a_limited_coach_cannot_reassign_a_client(org, coach, owner, two_clients):
    own, _other = two_clients
    _limit(org, coach)
    owner_membership = _membership(org, owner)
    login_as(coach).post(f"/o/{org.slug}/clients/{own.pk}/coach/", {"coach": str(owner_membership.pk)})
    with scope(organization=org):
        own.refresh_from_db()
        assert own.coach_membership_id == _membership(org, coach).pk


def test_coach_of_another_business_is_refused(org, other_org, web, two_clients):
    _own, other = two_clients
    stranger = member(other_org, Role.COACH, email="far@example.com")
    far = _membership(other_org, stranger)
    web.post(f"/o/{org.slug}/clients/{other.pk}/coach/", {"coach": str(far.pk)})
    with scope(organization=org):
        other.refresh_from_db()
        assert other.coach_membership_id is None


def test_new_client_endpoints_are_404_for_another_business(org, other_org, two_clients):
    own, _other = two_clients
    outsider = member(other_org, Role.OWNER, email="out@example.com")
    web = login_as(outsider)
    assert web.post(f"/o/{other_org.slug}/clients/{own.pk}/coach/", {"coach": ""}).status_code == 404
    assert web.post(f"/o/{other_org.slug}/clients/{own.pk}/invite/").status_code == 404
    assert web.post(f"/o/{org.slug}/clients/{own.pk}/invite/").status_code == 404


def test_limited_coach_packages_page_and_api(org, coach, two_clients):
    own, other = two_clients
    with scope(organization=org):
        mine = ClientPackageFactory(client=own, remaining=1)
        theirs = ClientPackageFactory(client=other, remaining=1)
    _limit(org, coach)
    for show in ("", "low"):
        page = login_as(coach).get(f"/o/{org.slug}/packages/clients/", {"show": show})
        rows = list(page.context["page"].object_list)
        assert [p.pk for p in rows] == [mine.pk], show
    api = DjangoClient()
    headers = bearer(coach, org)
    assert api.get(f"/api/v1/client-packages/{mine.pk}", **headers).status_code == 200
    assert api.get(f"/api/v1/client-packages/{theirs.pk}", **headers).status_code == 404
    assert api.post(f"/api/v1/client-packages/{theirs.pk}/use", **headers).status_code == 404
    with scope(organization=org):
        theirs.refresh_from_db()
        assert theirs.remaining == 1


def test_limited_coach_payments_api(org, coach, two_clients):
    own, other = two_clients
    with scope(organization=org):
        mine = PurchaseFactory(client=own)
        theirs = PurchaseFactory(client=other)
    _limit(org, coach)
    api = DjangoClient()
    headers = bearer(coach, org)
    listed = api.get("/api/v1/purchases", **headers).json()["results"]
    assert [p["id"] for p in listed] == [mine.pk]
    assert api.get(f"/api/v1/purchases/{mine.pk}", **headers).status_code == 200
    assert api.get(f"/api/v1/purchases/{theirs.pk}", **headers).status_code == 404
