"""The contract external checks use: POST /api/v1/purchases, a signed checkout.session.completed
at /webhooks/stripe, then GET /api/v1/purchases/{id} → paid with the client_package it created."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.credits.models import ClientPackage
from tests.conftest import bearer

from .conftest import WEBHOOK_URL, signed


@pytest.mark.django_db
def test_purchase_contract(org, owner, buyer, plan):
    http = DjangoClient()
    headers = bearer(owner, org)
    response = http.post("/api/v1/purchases", data=json.dumps({"client": buyer.pk, "plan": plan.pk}),
                         content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["amount_minor"] == 75000
    assert body["currency"] == "USD"
    assert body["checkout_url"].startswith("http")
    assert body["client_package"] is None
    purchase_id = body["id"]

    event = {
        "id": "evt_contract_1", "object": "event", "api_version": "2025-03-31.basil", "created": int(time.time()),
        "livemode": False, "type": "checkout.session.completed",
        "data": {"object": {
            "id": "cs_test_contract", "object": "checkout.session", "mode": "payment", "payment_status": "paid",
            "status": "complete", "amount_total": 75000, "currency": "usd", "payment_intent": "pi_contract",
            "metadata": {"coachos_purchase_id": str(purchase_id)},
        }},
    }
    payload, header = signed(event)
    assert http.post(WEBHOOK_URL, data=payload, content_type="application/json",
                     HTTP_STRIPE_SIGNATURE=header).status_code == 200

    got = http.get(f"/api/v1/purchases/{purchase_id}", **headers)
    assert got.status_code == 200
    data = got.json()
    assert data["status"] == "paid"
    assert data["client_package"] is not None
    with scopes_disabled():
        package = ClientPackage.objects.get(pk=data["client_package"])
    assert package.client_id == buyer.pk
    assert package.remaining == plan.sessions

    ledger = http.get(f"/api/v1/money-events?purchase={purchase_id}", **headers).json()["results"]
    kinds = sorted(e["kind"] for e in ledger)
    assert "sale" in kinds
    assert next(e for e in ledger if e["kind"] == "sale")["amount_minor"] == 75000


@pytest.mark.django_db
def test_the_contract_is_in_the_openapi_schema(org, owner):
    schema = DjangoClient().get("/api/v1/openapi.json").json()
    assert "post" in schema["paths"]["/api/v1/purchases"]
    assert "get" in schema["paths"]["/api/v1/purchases/{purchase_id}"]


@pytest.mark.django_db
def test_purchase_create_refuses_bad_input(org, owner, buyer, plan, other_org):
    http = DjangoClient()
    headers = bearer(owner, org)

    def post(body):
        return http.post("/api/v1/purchases", data=json.dumps(body), content_type="application/json", **headers)

    assert post({"client": buyer.pk}).status_code == 422  # neither plan nor membership plan
    assert post({"client": buyer.pk, "plan": 999999}).status_code == 422
    assert post({"client": 999999, "plan": plan.pk}).status_code == 422
    assert post({"client": buyer.pk, "plan": plan.pk, "extra": 1}).status_code == 422
    assert post({"client": "x", "plan": plan.pk}).status_code == 422
    from tests.factories import PackagePlanFactory

    foreign = PackagePlanFactory(organization=other_org)
    assert post({"client": buyer.pk, "plan": foreign.pk}).status_code == 422
    free = PackagePlanFactory(organization=org, price_minor=0)
    response = post({"client": buyer.pk, "plan": free.pk})
    assert response.status_code == 422 and response["Content-Type"].startswith("application/problem+json")
