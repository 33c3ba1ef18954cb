"""The books API contract: money events (filtered, cursor-paginated), expenses, the P&L."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from coachos.books.models import Expense, MoneyEvent
from coachos.books.services import money_event_record
from coachos.tenancy.roles import Role

from ..conftest import bearer
from ..factories import ClientFactory, ExpenseFactory, MoneyEventFactory, PurchaseFactory, member

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
K = MoneyEvent.Kind
FIELDS = {"id", "kind", "amount_minor", "currency", "occurred_at", "client", "related_type", "related_id",
          "external_id", "method", "description", "reverses"}


def rec(org, kind, amount, when, **kwargs):
    with scope(organization=org):
        return money_event_record(organization=org, kind=kind, amount_minor=amount, currency=org.currency,
                                  occurred_at=when, **kwargs)


def _post(client, url, body, headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_money_events_for_a_purchase(client, org, owner):
    ann = ClientFactory(organization=org)
    with scope(organization=org):
        bought, other = PurchaseFactory(client=ann).pk, PurchaseFactory(client=ann).pk
    sale = rec(org, K.SALE, 75000, datetime(2026, 3, 1, 10, tzinfo=CHICAGO), client=ann, related_type="purchase",
               related_id=bought, external_id="ch_1", method="stripe")
    fee = rec(org, K.PLATFORM_FEE, 1500, datetime(2026, 3, 1, 10, tzinfo=CHICAGO), related_type="purchase",
              related_id=bought, external_id="ch_1")
    rec(org, K.SALE, 100, datetime(2026, 3, 1, 10, tzinfo=CHICAGO), related_type="purchase", related_id=other)
    rec(org, K.SALE, 100, datetime(2026, 3, 1, 10, tzinfo=CHICAGO), related_type="membership", related_id=bought)
    response = client.get(f"/api/v1/money-events?purchase={bought}", **bearer(owner, org))
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["id"] for r in results] == [sale.pk, fee.pk]
    assert set(results[0]) == FIELDS
    assert results[0] | {"occurred_at": None} == {
        "id": sale.pk, "kind": "sale", "amount_minor": 75000, "currency": "USD", "occurred_at": None,
        "client": ann.pk, "related_type": "purchase", "related_id": bought, "external_id": "ch_1", "method": "stripe",
        "description": "", "reverses": None,
    }
    assert datetime.fromisoformat(results[0]["occurred_at"]) == datetime(2026, 3, 1, 10, tzinfo=CHICAGO)


def test_money_events_filter_by_client_and_kind_and_paginate(client, org, owner):
    ann = ClientFactory(organization=org)
    for n in range(7):
        MoneyEventFactory(organization=org, kind=K.SALE if n % 2 else K.REFUND, client=ann if n < 4 else None,
                          occurred_at=datetime(2026, 1, 1 + n, tzinfo=CHICAGO))
    auth = bearer(owner, org)
    assert len(client.get(f"/api/v1/money-events?client={ann.pk}", **auth).json()["results"]) == 4
    assert len(client.get(f"/api/v1/money-events?client={ann.pk}&kind=sale", **auth).json()["results"]) == 2
    page = client.get("/api/v1/money-events?page_size=3", **auth).json()
    seen = [r["id"] for r in page["results"]]
    while page["next"]:
        page = client.get(page["next"], **auth).json()
        seen += [r["id"] for r in page["results"]]
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize("query", ["kind=gift", "purchase=abc", "purchase=0", "client=-1",
                                   "purchase=99999999999999999999", "cursor=%%%"])
def test_bad_filters_are_422_problems(client, org, owner, query):
    response = client.get(f"/api/v1/money-events?{query}", **bearer(owner, org))
    assert response.status_code in (400, 422), response.content
    assert response["Content-Type"] == "application/problem+json"


def test_money_events_are_per_business(client, org, other_org, owner):
    with scope(organization=other_org):
        theirs = PurchaseFactory(client=ClientFactory(organization=other_org))
    MoneyEventFactory(organization=other_org, related_type="purchase", related_id=theirs.pk)
    # Another business's purchase is not one of this business's: a 404, as for no purchase at all.
    response = client.get(f"/api/v1/money-events?purchase={theirs.pk}", **bearer(owner, org))
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/money-events", **bearer(owner, org)).json()["results"] == []


def test_create_list_and_void_expenses(client, org, owner):
    auth = bearer(owner, org)
    response = _post(client, "/api/v1/expenses", {"date": "2026-02-28", "amount_minor": 4599, "category": "software",
                                                  "vendor": "Tools Inc", "note": "yearly"}, auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body | {"id": 0, "created_at": None} == {
        "id": 0, "date": "2026-02-28", "amount_minor": 4599, "currency": "USD", "category": "software",
        "vendor": "Tools Inc", "note": "yearly", "has_receipt": False, "voided_at": None, "created_at": None}
    with scope(organization=org):
        event = MoneyEvent.objects.get(related_type="expense", related_id=body["id"])
        assert event.kind == "expense" and event.amount_minor == 4599
    listed = client.get("/api/v1/expenses", **auth).json()["results"]
    assert [e["id"] for e in listed] == [body["id"]]
    assert client.get(f"/api/v1/expenses/{body['id']}", **auth).json()["vendor"] == "Tools Inc"
    voided = _post(client, f"/api/v1/expenses/{body['id']}/void", {"reason": "duplicate"}, auth)
    assert voided.status_code == 200 and voided.json()["voided_at"]
    again = _post(client, f"/api/v1/expenses/{body['id']}/void", {}, auth)
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    expense_events = client.get("/api/v1/money-events?kind=expense", **auth).json()["results"]
    assert [e["reverses"] for e in expense_events] == [None, expense_events[0]["id"]]


@pytest.mark.parametrize("body", [
    {"date": "2026-02-30", "amount_minor": 100, "category": "rent"},
    {"date": "2026-02-01", "amount_minor": 0, "category": "rent"},
    {"date": "2026-02-01", "amount_minor": -5, "category": "rent"},
    {"date": "2026-02-01", "amount_minor": 100, "category": "yacht"},
    {"date": "2026-02-01", "amount_minor": 100, "category": "rent", "currency": "EUR"},
    {"date": "2026-02-01", "amount_minor": 100, "category": "rent", "vendor": "x" * 121},
    {"date": "2026-02-01", "amount_minor": "lots", "category": "rent"},
    {"amount_minor": 100, "category": "rent"},
])
def test_bad_expenses_are_422_and_write_nothing(client, org, owner, body):
    response = _post(client, "/api/v1/expenses", body, bearer(owner, org))
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    with scope(organization=org):
        assert Expense.objects.count() == 0 and MoneyEvent.objects.count() == 0


def test_malformed_json_is_400(client, org, owner):
    response = client.post("/api/v1/expenses", data="{nope", content_type="application/json",
                           **bearer(owner, org))
    assert response.status_code == 400


def test_pnl_report(client, org, owner):
    rec(org, K.SALE, 10000, datetime(2026, 1, 31, 23, 30, tzinfo=CHICAGO))
    rec(org, K.EXPENSE, 2500, datetime(2026, 2, 1, 0, 30, tzinfo=CHICAGO))
    rec(org, K.PAYOUT, 5000, datetime(2026, 2, 2, tzinfo=CHICAGO))
    response = client.get("/api/v1/reports/pnl?year=2026", **bearer(owner, org))
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2026 and body["currency"] == "USD" and len(body["months"]) == 12
    assert body["months"][0] == {"label": "2026-01", "income": 10000, "refunds": 0, "fees": 0, "expenses": 0,
                                 "net": 10000, "payouts": 0}
    assert body["months"][1]["net"] == -2500 and body["months"][1]["payouts"] == 5000
    assert body["total"]["net"] == 7500 and body["total"]["label"] == "2026"
    assert body["other_currency_entries"] == 0


@pytest.mark.parametrize("query", ["", "?year=abc", "?year=1999", "?year=2101"])
def test_pnl_bad_year(client, org, owner, query):
    response = client.get(f"/api/v1/reports/pnl{query}", **bearer(owner, org))
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("role", [Role.STAFF, Role.CLIENT])
def test_front_desk_and_clients_get_403(client, org, role):
    user = member(org, role)
    auth = bearer(user, org)
    expense = ExpenseFactory(organization=org)
    for url in ("/api/v1/money-events", "/api/v1/expenses", "/api/v1/reports/pnl?year=2026",
                f"/api/v1/expenses/{expense.pk}"):
        assert client.get(url, **auth).status_code == 403, url
    response = _post(client, "/api/v1/expenses", {"date": "2026-02-01", "amount_minor": 100, "category": "rent"},
                     auth)
    assert response.status_code == 403
    assert _post(client, f"/api/v1/expenses/{expense.pk}/void", {}, auth).status_code == 403


def test_no_token_is_401(client):
    assert client.get("/api/v1/money-events").status_code == 401


def test_openapi_documents_the_contract(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/money-events" in schema["paths"]
    params = {p["name"] for p in schema["paths"]["/api/v1/money-events"]["get"]["parameters"]}
    assert {"purchase", "client", "kind", "cursor"} <= params
