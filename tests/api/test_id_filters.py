"""List filters that take an id (``client=``, ``purchase=``, ``coach=``): an id the caller cannot
see — another business's, one that does not exist, or (for a coach the owner limited to their own
clients) another coach's client's — is a 404 problem, never an empty 200. The lists themselves
leave out what is about clients the caller may not see."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.comms.models import OutboundMessage
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import bearer
from ..factories import (
    ClientFactory,
    ClientMembershipFactory,
    CoachFactory,
    MoneyEventFactory,
    OutboundMessageFactory,
    PurchaseFactory,
    member,
)

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def team(org: Organization, other_org: Organization) -> dict[str, Any]:
    maya = member(org, Role.COACH, email="maya@example.com")
    with scope(organization=org):
        mine = Membership.objects.get(user=maya)
        mine.sees_all_clients = False
        mine.save()
        zoe = ClientFactory(organization=org, first_name="Zoe", coach_membership=mine)
        otto = ClientFactory(organization=org, first_name="Otto")
        objects = {
            "zoe": zoe, "otto": otto,
            "zoe_purchase": PurchaseFactory(client=zoe), "otto_purchase": PurchaseFactory(client=otto),
            "zoe_message": OutboundMessageFactory(organization=org, client=zoe),
            "otto_message": OutboundMessageFactory(organization=org, client=otto),
            "zoe_membership": ClientMembershipFactory(client=zoe),
        }
        ClientMembershipFactory(client=otto)
        for key in ("zoe", "otto"):
            purchase = objects[f"{key}_purchase"]
            MoneyEventFactory(organization=org, client=objects[key], related_type="purchase", related_id=purchase.pk)
    with scope(organization=other_org):
        objects["foreign"] = ClientFactory(organization=other_org)
        objects["foreign_coach"] = CoachFactory(organization=other_org)
    return {"maya": maya, **objects}


def get(path: str, headers: dict[str, str], **params: Any) -> Any:
    return DjangoClient().get(path, params, **headers)


def assert_404(response: Any) -> None:
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == PROBLEM


def test_a_limited_coach_filtering_by_another_coachs_client_gets_404(org: Organization, team: dict[str, Any]) -> None:
    headers = bearer(team["maya"], org)
    zoe, otto = team["zoe"].pk, team["otto"].pk
    for path in ("/api/v1/purchases", "/api/v1/money-events", "/api/v1/messages"):
        assert_404(get(path, headers, client=otto))
        assert get(path, headers, client=zoe).status_code == 200, path
    assert_404(get("/api/v1/money-events", headers, purchase=team["otto_purchase"].pk))
    own = get("/api/v1/money-events", headers, purchase=team["zoe_purchase"].pk).json()["results"]
    assert [e["client"] for e in own] == [zoe]


def test_a_limited_coachs_lists_leave_other_clients_out(org: Organization, team: dict[str, Any]) -> None:
    headers = bearer(team["maya"], org)
    zoe = team["zoe"].pk
    assert {e["client"] for e in get("/api/v1/money-events", headers).json()["results"]} == {zoe}
    assert [m["id"] for m in get("/api/v1/messages", headers).json()["results"]] == [team["zoe_message"].pk]
    assert [m["client"] for m in get("/api/v1/memberships", headers).json()["results"]] == [zoe]
    assert_404(get(f"/api/v1/messages/{team['otto_message'].pk}", headers))
    assert_404(get(f"/api/v1/purchases/{team['otto_purchase'].pk}/refund-plan", headers))


def test_a_limited_coach_cannot_write_to_or_charge_another_coachs_client(org: Organization,
                                                                          team: dict[str, Any]) -> None:
    headers = bearer(team["maya"], org)
    http = DjangoClient()
    with scopes_disabled():
        before = OutboundMessage.objects.count()
    sent = http.post(f"/api/v1/clients/{team['otto'].pk}/messages", {"channel": "email", "body": "Hi"},
                     content_type="application/json", **headers)
    assert_404(sent)
    paid = http.post("/api/v1/manual-payments", {"client": team["otto"].pk, "amount_minor": 5000, "method": "cash"},
                     content_type="application/json", **headers)
    assert_404(paid)
    with scopes_disabled():
        assert OutboundMessage.objects.count() == before
        assert not team["otto"].purchases.exclude(pk=team["otto_purchase"].pk).exists()


def test_the_owner_filtering_by_an_id_they_cannot_see_gets_404(org: Organization, owner: Any,
                                                               team: dict[str, Any]) -> None:
    headers = bearer(owner, org)
    for path in ("/api/v1/purchases", "/api/v1/money-events", "/api/v1/messages"):
        assert_404(get(path, headers, client=team["foreign"].pk))
        assert_404(get(path, headers, client=999_999_999))
        assert get(path, headers, client=team["otto"].pk).status_code == 200, path
    assert_404(get("/api/v1/money-events", headers, purchase=999_999_999))
    assert_404(get("/api/v1/sessions", headers, start="2030-07-01", end="2030-07-02", coach=team["foreign_coach"].pk))
