"""Strict API input (issue #21): a JSON body's values must have the JSON types the OpenAPI document
gives. ``{"plan": true}`` was plan 1 and ``{"date": 0}`` was 1970-01-01; both are now a 422 that
names the field, and nothing is written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope
from ninja import Schema as NinjaSchema

from coachos.api import api
from coachos.books.models import Expense
from coachos.common.schema import Schema
from coachos.credits.models import ClientPackage, PackagePlan
from tests.conftest import bearer
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


def post(http: DjangoClient, url: str, body: Any, headers: dict[str, str]) -> Any:
    return http.post(url, json.dumps(body), content_type="application/json", **headers)


def assert_422_on(response: Any, field: str) -> str:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field], errors
    return str(errors[0]["message"])


def test_a_boolean_is_not_plan_1(org: Any, owner: Any) -> None:
    auth = bearer(owner, org)
    with scope(organization=org):
        plan = PackagePlan.objects.create(organization=org, name="P", sessions=3, validity_days=10)
        assert plan.pk is not None
        customer = ClientFactory(organization=org)
    http = DjangoClient()
    for sloppy in (True, 1.0, str(plan.pk), [plan.pk]):
        message = assert_422_on(post(http, f"/api/v1/clients/{customer.pk}/packages", {"plan": sloppy}, auth), "plan")
        assert "Input should be an integer" in message
    with scope(organization=org):
        assert not ClientPackage.objects.exists()
    # The control: the same request with an integer gives the package.
    assert post(http, f"/api/v1/clients/{customer.pk}/packages", {"plan": plan.pk}, auth).status_code == 201


def test_a_number_is_not_a_date(org: Any, owner: Any) -> None:
    auth = bearer(owner, org)
    http = DjangoClient()
    body = {"amount_minor": 1500, "category": "rent", "vendor": "City Rentals"}
    for sloppy in (0, 1780322400, "0", "1780322400", True, "2026-06-01T00:00:00", "9999-12-31", "0001-01-01"):
        message = assert_422_on(post(http, "/api/v1/expenses", {**body, "date": sloppy}, auth), "date")
        assert "date as YYYY-MM-DD" in message
    with scope(organization=org):
        assert not Expense.objects.exists()
    assert post(http, "/api/v1/expenses", {**body, "date": "2026-06-01"}, auth).status_code == 201


def test_other_sloppy_types_are_refused(org: Any, owner: Any) -> None:
    auth = bearer(owner, org)
    http = DjangoClient()
    good = {"name": "5 pack", "sessions": 5, "price_minor": 40000, "validity_days": 90}
    for field, sloppy in (("sessions", True), ("sessions", "5"), ("price_minor", 400.0), ("name", 5),
                          ("sessions", 2**70)):
        assert_422_on(post(http, "/api/v1/package-plans", {**good, field: sloppy}, auth), field)
    bad_json = http.post("/api/v1/package-plans", '{"name": "P", "sessions": NaN}', content_type="application/json",
                         **auth)
    assert bad_json.status_code == 400
    with scope(organization=org):
        assert not PackagePlan.objects.exists()


def test_query_strings_stay_text(org: Any, owner: Any) -> None:
    """Query parameters are text by nature: ?limit=5 is still the number 5."""
    response = DjangoClient().get("/api/v1/clients?limit=5", **bearer(owner, org))
    assert response.status_code == 200


def _models(annotation: Any) -> list[type]:
    found: list[type] = []
    stack = [annotation]
    while stack:
        current = stack.pop()
        if isinstance(current, type) and issubclass(current, NinjaSchema):
            found.append(current)
        stack.extend(getattr(current, "__args__", ()) or ())
    return found


def test_every_api_body_schema_is_strict() -> None:
    """One base for the whole API: a body schema on ninja's own Schema would be lax again."""
    lax = []
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    if model.__ninja_param_source__ != "body":
                        continue
                    for field in model.model_fields.values():
                        for schema in _models(field.annotation):
                            if not issubclass(schema, Schema):
                                lax.append(f"{path}: {schema.__module__}.{schema.__qualname__}")
    assert not lax, lax
