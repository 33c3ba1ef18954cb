"""Ids of another business in request bodies and query strings: the sibling of the URL walker in
``test_cross_tenant.py``. Every API operation is found in the OpenAPI schema; every integer body
or query field is either an id (named after the tenant-owned model it points to: ``client``,
``session_type``, ``plan``, ``tags``, ``room_id``…) or a plain number. For each id field the
walker sends B's owner's request with A's object in that one field: the answer must be a 404 or a
422 problem, and no table of either business may change. The same request with B's own object
must then succeed: the refusal was about the id, not about a badly built request.

A new endpoint is covered by itself. A new id field needs its model to be known (the test fails
otherwise, naming the field), and a body the generic builder cannot make valid gets an entry in
``BODIES`` (the control request tells when).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client as DjangoClient
from django.utils import timezone
from django_scopes import scopes_disabled

from coachos.api import api
from coachos.billing.accounts import billing_account_for
from coachos.billing.models import MembershipPlan
from coachos.chat.models import Conversation
from coachos.clients.models import Client, Tag
from coachos.credits.models import PackagePlan
from coachos.scheduling.models import Coach, SessionType

from .conftest import bearer
from .factories import (
    TENANT_FACTORIES,
    AttachmentFactory,
    ChatMessageFactory,
    ClientFactory,
    CoachFactory,
    MembershipPlanFactory,
    OrganizationFactory,
    PackagePlanFactory,
    SessionTypeFactory,
    TagFactory,
    WeeklyAvailabilityFactory,
    member,
    tenant_models,
)
from .test_cross_tenant import OPENAPI_PARAM_RE, model_for_param

pytestmark = pytest.mark.django_db

# Integer fields that are amounts, not ids. A new integer field must match one of these or name a
# tenant-owned model, so that an id is never mistaken for a number.
PLAIN_NUMBER = re.compile(
    r"(_minor|_minutes|_hours|_days|_weeks|_number|_threshold|_per_day|_per_week|_per_month|_count)$"
    r"|^(page_size|limit|year|capacity|sessions|day_of_month|every_weeks|quantity|amount)$|^credits(_\w+)?$"
    r"|^(mood|stars|base_version)$"
)
ID_HINT = re.compile(r"(_id|_ids)$|\bids?\b", re.IGNORECASE)
FIELD_CONVENTION = (
    "Name an id field in a body or query after the tenant-owned model it points to (`client`, "
    "`session_type`, `tags` for a list, or `<model_name>_id`), or, for a plain number, use a name "
    "PLAIN_NUMBER in tests/test_cross_tenant_ids.py knows (`*_minor`, `*_minutes`, …)."
)


# --- the schema ----------------------------------------------------------------------------------

SCHEMA = api.get_openapi_schema()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _resolve(SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    return schema


def _types(schema: dict[str, Any]) -> set[str]:
    schema = _resolve(schema)
    if "anyOf" in schema:
        return set().union(*(_types(s) for s in schema["anyOf"]))
    kind = schema.get("type")
    return {kind} if isinstance(kind, str) else set()


def _non_null(schema: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(schema)
    for option in schema.get("anyOf", []):
        if _resolve(option).get("type") != "null":
            return _resolve(option)
    return schema


@dataclass
class IdField:
    where: str  # "body" or "query"
    name: str
    model: type | None
    many: bool


@dataclass
class Operation:
    method: str
    path: str
    path_params: list[str]
    query: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> parameter
    body: dict[str, Any] | None = None  # the request body's schema (an object)
    ids: list[IdField] = field(default_factory=list)
    unclassified: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


# Fields that name a message of the conversation in the path: chat's read mark and thread cursors.
FIELD_MODELS = {"up_to": "chat.Message", "after": "chat.Message", "before": "chat.Message",
                # The notes list's author filter: a team member, by membership id.
                "author": "tenancy.Membership"}


def model_for_field(name: str, *, many: bool = False) -> type | None:
    """``client`` → Client, ``session_type`` → SessionType, ``tags`` (a list) → Tag, ``plan`` →
    PackagePlan (the URL walker's aliases), ``membership_plan`` → MembershipPlan, ``room_id`` → Room."""
    if name in FIELD_MODELS:
        return apps.get_model(FIELD_MODELS[name])
    base = re.sub(r"(_ids?)$", "", name)
    candidates = [base[:-1]] if many and base.endswith("s") else [base]
    for candidate in candidates:
        model = model_for_param(f"{candidate}_id")
        if model is None:
            squashed = candidate.replace("_", "")
            model = next((m for m in tenant_models() if m._meta.model_name == squashed), None)
        if model is not None:
            return model
    return None


def _classify(op: Operation, where: str, name: str, schema: dict[str, Any]) -> None:
    types = _types(schema)
    many = "array" in types
    if many:
        types = _types(_non_null(schema).get("items", {}))
    if "integer" not in types:
        return
    description = _non_null(schema).get("description", "") or _resolve(schema).get("description", "")
    if not many and PLAIN_NUMBER.search(name):
        return  # a number (`sessions` is a count of credits, not a session)
    model = model_for_field(name, many=many)
    if model is not None:
        op.ids.append(IdField(where, name, model, many))
    elif ID_HINT.search(name) or ID_HINT.search(description):
        op.ids.append(IdField(where, name, None, many))  # an id of a model the test does not know
    elif not PLAIN_NUMBER.search(name):
        op.unclassified.append(f"{op.label}: {where} field `{name}` is an integer the test cannot classify.")


def operations() -> list[Operation]:
    found = []
    for path, item in SCHEMA["paths"].items():
        for method, spec in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            op = Operation(method, path, [m["parameter"] for m in OPENAPI_PARAM_RE.finditer(path)])
            for parameter in spec.get("parameters", []):
                if parameter["in"] == "query":
                    op.query[parameter["name"]] = parameter
                    _classify(op, "query", parameter["name"], parameter.get("schema", {}))
            content = spec.get("requestBody", {}).get("content", {}).get("application/json")
            if content:
                body = _resolve(content["schema"])
                if body.get("type") == "array":  # a list of objects (weekly ranges): their fields count too
                    body = _resolve(body["items"])
                op.body = body
                for name, schema in body.get("properties", {}).items():
                    _classify(op, "body", name, schema)
            found.append(op)
    return found


# --- the two businesses ------------------------------------------------------------------------------

@dataclass
class Business:
    org: Any
    owner: Any
    objects: dict[type, Any]


def _next(weekday: int, org: Any) -> date:
    today = timezone.now().astimezone(org.tzinfo).date()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def business(name: str, *, also: set[type] | frozenset[type] = frozenset()) -> Business:
    org = OrganizationFactory(name=name, slug=name.lower().replace(" ", "-"), timezone="America/Chicago")
    owner = member(org, "owner", email=f"owner@{org.slug}.example")
    coach = CoachFactory(organization=org, min_notice_minutes=0)
    for weekday in range(7):
        WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(6), end_time=time(22),
                                  for_group=True)
    objects: dict[type, Any] = {
        Coach: coach,
        SessionType: SessionTypeFactory(organization=org, bookable_online=True),
        Client: ClientFactory(organization=org, sms_consent=True, email_consent=True),
        PackagePlan: PackagePlanFactory(organization=org, sessions=5, price_minor=15000),
        MembershipPlan: MembershipPlanFactory(organization=org),
        Tag: TagFactory(organization=org),
    }
    # The objects the operations' paths and id fields point to (a model without a factory fails
    # the classification test above and the URL walker's).
    needed = {model_for_param(p) for op in operations() for p in op.path_params}
    needed |= {f.model for op in operations() for f in op.ids} | set(also)
    for model in needed - set(objects) - {None}:
        if model in TENANT_FACTORIES:
            objects[model] = TENANT_FACTORIES[model](organization=org)
    billing_account_for(org)  # made on a business's first request: not a write of the requests below
    return Business(org=org, owner=owner, objects=objects)


# --- request bodies ----------------------------------------------------------------------------------

def _value(name: str, schema: dict[str, Any], b: Business) -> Any:
    schema = _non_null(schema)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    if "example" in schema:
        return schema["example"]
    kind = schema.get("type")
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return _next(1, b.org).isoformat()
        if fmt == "date-time":
            return datetime.combine(_next(0, b.org), time(10), tzinfo=b.org.tzinfo).isoformat()
        if fmt == "email":
            return "someone@example.com"
        return "Test"[: schema.get("maxLength", 4)]
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    return None


def _own(field_: IdField, b: Business) -> Any:
    pk = b.objects[field_.model].pk  # type: ignore[index]
    return [pk] if field_.many else pk


def _monday_10(b: Business) -> str:
    return datetime.combine(_next(0, b.org), time(10), tzinfo=b.org.tzinfo).isoformat()


# Bodies the generic builder cannot guess (valid for B; id fields are filled in by the walker).
# Several bodies for one operation: each id field is tried in each body that has it.
BODIES: dict[str, Any] = {
    "POST /api/v1/bookings": lambda b: [{"starts_at": _monday_10(b)}],
    "POST /api/v1/recurring-bookings": lambda b: [{"weekday": "tue", "start_time": "09:00",
                                                   "start_date": _next(1, b.org).isoformat()}],
    "POST /api/v1/purchases": lambda b: [{"plan": None}, {"membership_plan": None}],
    "POST /api/v1/manual-payments": lambda b: [{"amount_minor": 5000, "method": "cash"},
                                               {"amount_minor": 5000, "method": "cash", "plan": None}],
    "POST /api/v1/automations": lambda b: [{
        "name": "Tagged", "trigger_type": "event", "event": "booking.created",
        "actions": [{"type": "create_todo", "title": "Call"}], "tags": None,
    }],
    "GET /api/v1/money-events": lambda b: [{"client": None}, {"purchase": None}],
    "GET /api/v1/sessions": lambda b: [{"start": _next(0, b.org).isoformat(), "end": _next(0, b.org).isoformat(),
                                        "coach": None}],
    "GET /api/v1/slots": lambda b: [{"start": _next(0, b.org).isoformat(), "end": _next(0, b.org).isoformat()}],
}
BODIES["PUT /api/v1/automations/{automation_id}"] = BODIES["POST /api/v1/automations"]


def _chat_message(b: Business) -> int:
    """A message of B's conversation (the one in the path): what a read mark or a cursor may name."""
    return ChatMessageFactory(conversation=b.objects[Conversation], sender=b.owner).pk


BODIES.update({
    "POST /api/v1/conversations/{conversation_id}/read": lambda b: [{"up_to": _chat_message(b)}],
    "GET /api/v1/conversations/{conversation_id}/messages": lambda b: [{"after": _chat_message(b)},
                                                                        {"before": _chat_message(b)}],
    "POST /api/v1/conversations/{conversation_id}/messages": lambda b: [{"attachments": [AttachmentFactory(
        organization=b.org, uploaded_by=b.owner).pk]}],
})


def _note_on_session(b: Business) -> list[dict[str, Any]]:
    """A note's session must be one its client has a place in: give B's client a place in B's session."""
    from coachos.scheduling.models import TrainingSession

    from .factories import BookingFactory

    BookingFactory(session=b.objects[TrainingSession], client=b.objects[Client])
    return [{"session": None, "note_template": None}]


BODIES["POST /api/v1/clients/{client_id}/notes"] = _note_on_session


def _library_share(b: Business) -> list[dict[str, Any]]:
    """A share names one thing and one audience; a collection shared must hold an item."""
    from coachos.library.models import Collection as LibraryCollection

    from .factories import CollectionItemFactory

    CollectionItemFactory(collection=b.objects[LibraryCollection])
    return [{"resource": None, "all_clients": True}, {"resource": None, "clients": None},
            {"resource": None, "tag": None}, {"collection": None, "all_clients": True}]


BODIES.update({
    "POST /api/v1/resources": lambda b: [{"title": "Squat", "url": "https://example.com/squat", "folder": None}],
    "POST /api/v1/shares": _library_share,
    "PATCH /api/v1/shares/{share_id}": lambda b: [{"clients": None}, {"tag": None}],
})


def _assistant_on(b: Business) -> list[dict[str, Any]]:
    """The assistant answers only with a model configured and the business opted in: B opts in, and a
    local stand-in of an OpenAI-compatible server answers. Its ``conversation`` (an assistant
    conversation of the member who asks, which the walker cannot tell from chat's) is covered by
    tests/insights/test_assistant.py."""
    import os

    from coachos.insights.models import InsightsSettings
    from tests.insights.standin import StandIn

    global _ASSISTANT_STAND_IN
    if _ASSISTANT_STAND_IN is None:
        _ASSISTANT_STAND_IN = StandIn().start()
    os.environ.update(AI_PROVIDER="openai", AI_BASE_URL=f"{_ASSISTANT_STAND_IN.url}/v1")
    with scopes_disabled():
        InsightsSettings.objects.update_or_create(organization=b.org, defaults={"assistant_enabled": True})
    return [{"text": "Hello"}]


_ASSISTANT_STAND_IN: Any = None
BODIES["POST /api/v1/assistant/messages"] = _assistant_on


def requests_for(op: Operation, b: Business) -> list[dict[str, Any]]:
    """Valid parameters (body and query together, by name) for B's own objects. A ``None`` in
    BODIES marks an optional id field that belongs in that variant; without an entry, every id
    field is given."""
    variants = BODIES[op.label](b) if op.label in BODIES else [{f.name: None for f in op.ids}]
    built = []
    for variant in variants:
        values: dict[str, Any] = {}
        required = set(op.body.get("required", [])) if op.body else set()
        for name, parameter in op.query.items():
            if parameter.get("required"):
                values[name] = _value(name, parameter.get("schema", {}), b)
        if op.body:
            for name in required:
                values[name] = _value(name, op.body["properties"][name], b)
        for id_field in op.ids:
            is_required = (id_field.name in required if id_field.where == "body"
                           else op.query[id_field.name].get("required", False))
            if id_field.model is not None and (is_required or id_field.name in variant):
                values[id_field.name] = _own(id_field, b)
        values.update({k: v for k, v in variant.items() if v is not None})
        built.append(values)
    return built


def send(http: DjangoClient, op: Operation, b: Business, values: dict[str, Any], headers: dict[str, str]) -> Any:
    path_values = {p: b.objects[model_for_param(p)].pk for p in op.path_params}  # type: ignore[index]
    url = OPENAPI_PARAM_RE.sub(lambda m: str(path_values[m["parameter"]]), op.path)
    query = {k: v for k, v in values.items() if k in op.query}
    body = {k: v for k, v in values.items() if k not in op.query}
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    if op.method in {"post", "put", "patch"}:
        payload = [body] if op.body is not None and _is_list_body(op) else body
        return getattr(http, op.method)(url, data=json.dumps(payload), content_type="application/json", **headers)
    return getattr(http, op.method)(url, **headers)


def _is_list_body(op: Operation) -> bool:
    spec = SCHEMA["paths"][op.path][op.method]
    content = spec.get("requestBody", {}).get("content", {}).get("application/json", {})
    return _resolve(content.get("schema", {})).get("type") == "array"


# --- "no write": every row of every table, before and after ---------------------------------------

# Columns a refused request may still touch: the token's last use.
VOLATILE = {("accounts", "apitoken"): {"last_used_at"}}


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model of the project, as values: a write anywhere shows."""
    state = {}
    with scopes_disabled():
        for model in apps.get_models():
            if not model.__module__.startswith("coachos."):
                continue
            skip = VOLATILE.get((model._meta.app_label, model._meta.model_name), set())
            columns = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
            state[model._meta.label] = sorted(map(repr, model._base_manager.values_list(*columns)))
    return state


def changed(before: dict[str, list[Any]], after: dict[str, list[Any]]) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]


class _Rollback(Exception):
    pass


@contextmanager
def undone() -> Iterator[None]:
    """Whatever happens inside is rolled back: each operation starts from the same data."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


def refused(op: Operation, response: Any) -> bool:
    """A 404 or 422 problem. A list filtered by another business's id may instead find nothing
    (a 200 with no results: the same answer as for an id that does not exist, so it tells nothing)."""
    content_type = response.headers.get("Content-Type", "")
    if response.status_code in (404, 422):
        return content_type.startswith("application/problem+json")
    if op.method == "get" and response.status_code == 200 and content_type.startswith("application/json"):
        data = response.json()
        return data == [] or (isinstance(data, dict) and data.get("results") == [])
    return False


# --- the tests ---------------------------------------------------------------------------------

def test_every_integer_field_of_the_api_is_a_known_id_or_a_number():
    problems = []
    for op in operations():
        problems += op.unclassified
        problems += [f"{op.label}: {f.where} field `{f.name}` looks like an id but names no tenant-owned model."
                     for f in op.ids if f.model is None]
        problems += [f"{op.label}: {f.where} field `{f.name}` → {f.model._meta.label} has no factory."
                     for f in op.ids if f.model is not None and f.model not in TENANT_FACTORIES]
    assert not problems, "\n".join(problems) + "\n" + FIELD_CONVENTION


def test_the_walker_finds_the_known_id_fields():
    """The discovery is not vacuous: the id fields that exist today are found, with their models."""
    found = {(op.label, f.where, f.name): f.model for op in operations() for f in op.ids}
    assert found[("POST /api/v1/bookings", "body", "client")] is Client
    assert found[("POST /api/v1/bookings", "body", "session_type")] is SessionType
    assert found[("POST /api/v1/clients/{client_id}/packages", "body", "plan")] is PackagePlan
    assert found[("POST /api/v1/purchases", "body", "membership_plan")] is MembershipPlan
    assert found[("POST /api/v1/automations", "body", "tags")] is Tag
    assert found[("GET /api/v1/slots", "query", "coach")] is Coach
    assert found[("GET /api/v1/messages", "query", "client")] is Client
    assert ("GET /api/v1/clients", "query", "page_size") not in found  # a number
    assert ("GET /api/v1/clients", "query", "tag") not in found  # a tag's name, not an id
    assert len(found) >= 20


def test_another_business_id_in_a_body_or_query_is_refused_and_writes_nothing():
    a, b = business("Alpha Gym"), business("Beta Studio")
    http = DjangoClient()
    headers = bearer(b.owner, b.org)
    failures: list[str] = []
    checked = 0
    for op in operations():
        known = [f for f in op.ids if f.model is not None]
        if not known:
            continue
        for values in requests_for(op, b):
            for id_field in known:
                if id_field.name not in values:
                    continue
                with undone():
                    before = fingerprint()
                    response = send(http, op, b, {**values, id_field.name: _own(id_field, a)}, headers)
                    after = fingerprint()
                    what = f"{op.label} with A's {id_field.name} ({id_field.where})"
                    if not refused(op, response):
                        failures.append(f"{what} → {response.status_code} {response.content[:300]!r}")
                    if changed(before, after):
                        failures.append(f"{what} wrote to {changed(before, after)}")
                    checked += 1
            with undone():
                # The control: the same request with B's own objects succeeds.
                response = send(http, op, b, values, headers)
                if not 200 <= response.status_code < 300:
                    failures.append(
                        f"CONTROL {op.label} with B's own ids {values} → {response.status_code} "
                        f"{response.content[:300]!r}: the walker's request is not valid; add a body to BODIES."
                    )
    print(f"cross-tenant ids: {checked} requests with another business's id")  # noqa: T201
    assert checked >= 15
    assert not failures, "An id of another business must be a 404/422 that writes nothing:\n" + "\n".join(failures)
