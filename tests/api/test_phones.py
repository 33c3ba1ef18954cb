"""Phone numbers sent to the API are read as the forms read them: in the business's country
("07700 900123" for a British business is +447700900123) and kept in E.164; a number that is not
one is a 422 problem on its field, with an example of that country's numbers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.clients.models import Client
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role

from ..conftest import bearer
from ..factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def london() -> Organization:
    return OrganizationFactory(name="Camden Strength", slug="camden", timezone="Europe/London")


def send(method: str, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return getattr(DjangoClient(), method)(path, body, content_type="application/json", **headers)


def test_a_british_business_adds_and_changes_clients_with_national_numbers(london: Organization) -> None:
    headers = bearer(member(london, Role.OWNER), london)
    created = send("post", "/api/v1/clients", {"first_name": "Ann", "phone": "07700 900123",
                                               "emergency_contact_phone": "020 7946 0958"}, headers)
    assert created.status_code == 201, created.content
    assert (created.json()["phone"], created.json()["emergency_contact_phone"]) == ("+447700900123", "+442079460958")
    changed = send("patch", f"/api/v1/clients/{created.json()['id']}", {"phone": "+44 7700 900456"}, headers)
    assert changed.json()["phone"] == "+447700900456"
    with scopes_disabled():
        assert Client.objects.get(pk=created.json()["id"]).phone == "+447700900456"


def test_an_american_business_reads_a_typed_number_as_american(org: Organization, owner: Any) -> None:
    created = send("post", "/api/v1/clients", {"first_name": "Ben", "phone": "(312) 555-0199"}, bearer(owner, org))
    assert created.status_code == 201 and created.json()["phone"] == "+13125550199"


@pytest.mark.parametrize("bad", ["12345", "call me", "+0123456789"])
def test_a_bad_number_is_a_clear_problem_and_changes_nothing(london: Organization, bad: str) -> None:
    headers = bearer(member(london, Role.OWNER), london)
    with scopes_disabled():
        before = Client.objects.filter(organization=london).count()
    for method, path, body in (("post", "/api/v1/clients", {"first_name": "Ann", "phone": bad}),
                               ("post", "/api/v1/clients", {"first_name": "Ann", "emergency_contact_phone": bad})):
        response = send(method, path, body, headers)
        assert response.status_code == 422, response.content
        assert response["Content-Type"] == PROBLEM
        problem = response.json()
        field = next(iter(set(body) - {"first_name"}))
        assert [e["field"] for e in problem["errors"]] == [field]
        assert "for example 07" in problem["errors"][0]["message"]  # a British example
    with scopes_disabled():
        assert Client.objects.filter(organization=london).count() == before


def test_business_settings_read_numbers_in_the_business_country(london: Organization) -> None:
    headers = bearer(member(london, Role.OWNER), london)
    response = send("patch", "/api/v1/organization", {"phone": "020 7946 0958", "sms_number": "07700 900123"}, headers)
    assert response.status_code == 200, response.content
    assert (response.json()["phone"], response.json()["sms_number"]) == ("+442079460958", "+447700900123")
    bad = send("patch", "/api/v1/organization", {"sms_number": "call me"}, headers)
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["sms_number"]
    london.refresh_from_db()
    assert london.sms_number == "+447700900123"
