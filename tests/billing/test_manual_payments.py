"""Manual payments (cash, bank transfer, card terminal) are always available."""

from __future__ import annotations

import json

import pytest
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.billing.models import Purchase
from coachos.credits.models import ClientPackage
from tests.conftest import bearer

from .conftest import money_events


@pytest.mark.django_db
def test_record_cash_with_a_package_from_the_page(web, org, buyer, plan):
    page = web.get(f"/o/{org.slug}/payments/record/?client={buyer.pk}")
    assert page.status_code == 200
    response = web.post(f"/o/{org.slug}/payments/record/", {
        "client": buyer.pk, "method": "cash", "plan": plan.pk, "amount": "", "note": "paid at the desk"})
    assert response.status_code == 302
    with scopes_disabled():
        purchase = Purchase.objects.get()
        package = ClientPackage.objects.get(client=buyer)
    assert purchase.status == "paid" and purchase.method == "cash"
    assert purchase.amount_minor == plan.price_minor
    assert purchase.client_package_id == package.pk and package.remaining == plan.sessions
    events = money_events(org)
    assert [(e.kind, e.amount_minor, e.method) for e in events] == [("manual_payment", 75000, "cash")]


@pytest.mark.django_db
def test_record_a_bank_transfer_without_a_package(web, org, buyer):
    web.post(f"/o/{org.slug}/payments/record/", {"client": buyer.pk, "method": "bank_transfer", "amount": "42.50"})
    with scopes_disabled():
        purchase = Purchase.objects.get()
        assert not ClientPackage.objects.exists()
    assert purchase.amount_minor == 4250 and purchase.kind == "other"


@pytest.mark.django_db
def test_bad_input_keeps_what_was_typed(web, org, buyer):
    response = web.post(f"/o/{org.slug}/payments/record/", {"client": buyer.pk, "method": "cash", "amount": "",
                                                            "note": "typed note"})
    assert response.status_code == 200
    assert "typed note" in response.content.decode()
    assert "Enter the amount" in response.content.decode()
    response = web.post(f"/o/{org.slug}/payments/record/", {"client": buyer.pk, "method": "bitcoin", "amount": "5"})
    assert response.status_code == 200
    with scopes_disabled():
        assert not Purchase.objects.exists()


@pytest.mark.django_db
def test_manual_payment_api_and_its_refund(org, owner, buyer, plan):
    http = DjangoClient()
    headers = bearer(owner, org)
    response = http.post("/api/v1/manual-payments", data=json.dumps({
        "client": buyer.pk, "amount_minor": 3000, "method": "card_terminal", "plan": plan.pk}),
        content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "paid" and body["client_package"] is not None
    refund = http.post(f"/api/v1/purchases/{body['id']}/refund", data=json.dumps({"remove_credits": True}),
                       content_type="application/json", **headers)
    assert refund.json()["status"] == "refunded"
    assert [e.kind for e in money_events(org)] == ["manual_payment", "refund"]
    bad = http.post("/api/v1/manual-payments", data=json.dumps({"client": buyer.pk, "amount_minor": 0,
                                                                "method": "cash"}),
                    content_type="application/json", **headers)
    assert bad.status_code == 422
