"""The API contract: GET/POST /automations, GET /automations/{id}/runs, in the OpenAPI."""

from __future__ import annotations

import json
from datetime import date
from datetime import time as wall

import pytest
from django.test import Client as DjangoClient

from coachos.api import api
from tests.conftest import bearer
from tests.factories import AutomationRunFactory, TagFactory, member

from .conftest import local, make

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Monday nudge", "trigger_type": "schedule", "frequency": "weekly", "weekdays": ["mon", "thu"],
    "time_of_day": "07:30", "statuses": ["active"], "enabled": True,
    "actions": [{"type": "send_sms", "message_kind": "automation", "text": "Hi {client_first_name}!"},
                {"type": "create_todo", "title": "Call {client_name}", "due_in_days": 2}],
}


def post(web: DjangoClient, headers: dict[str, str], body: object):
    return web.post("/api/v1/automations", data=json.dumps(body), content_type="application/json", **headers)


def test_create_then_list(org, owner, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 2), 8), tick=False)  # a Monday
    tag = TagFactory(organization=org)
    headers = bearer(owner, org)
    web = DjangoClient()
    response = post(web, headers, {**BODY, "tags": [tag.pk]})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["weekdays"] == ["mon", "thu"] and created["time_of_day"] == "07:30"
    assert created["tags"] == [tag.pk] and created["enabled"] is True and created["event"] is None
    assert created["next_run_at"] == "2025-06-05T07:30:00-05:00"  # Thursday, in the business's zone
    assert created["actions"][1] == {"type": "create_todo", "message_kind": None, "text": None, "subject": None,
                                     "tag": None, "title": "Call {client_name}", "due_in_days": 2}
    listed = web.get("/api/v1/automations", **headers).json()
    assert [a["id"] for a in listed] == [created["id"]] and listed[0]["last_run"] is None


@pytest.mark.parametrize("body, field", [
    ({**BODY, "trigger_type": "sometimes"}, "trigger_type"),
    ({**BODY, "weekdays": []}, "weekdays"),
    ({**BODY, "time_of_day": "25:00"}, "time_of_day"),
    ({**BODY, "actions": []}, "actions"),
    ({**BODY, "actions": [{"type": "send_sms", "message_kind": "automation", "text": ""}]}, "actions"),
    ({**BODY, "actions": [{"type": "launch_rocket"}]}, "actions.0.type"),
    ({**BODY, "trigger_type": "condition", "condition": "no_booking"}, "condition_days"),
    ({**BODY, "trigger_type": "event", "event": "package.low_credits"}, "credits_threshold"),
    ({**BODY, "tags": [999999]}, "tags"),
    ({**BODY, "name": "x\u0000y"}, "name"),
    ({**BODY, "surprise": 1}, "surprise"),
])
def test_invalid_input_is_a_422_problem_that_names_the_field(org, owner, body, field):
    response = post(DjangoClient(), bearer(owner, org), body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and any(e["field"].startswith(field) for e in problem["errors"]), problem


def test_runs_list_the_contract_fields_newest_first(org, owner):
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
    old = AutomationRunFactory(automation=automation, status="succeeded", error="",
                               started_at=local(org, date(2025, 6, 1), 9))
    new = AutomationRunFactory(automation=automation, status="failed", started_at=local(org, date(2025, 6, 2), 9),
                               results=[{"action": 0, "status": "failed", "detail": "SMS not sent"}])
    web = DjangoClient()
    rows = web.get(f"/api/v1/automations/{automation.pk}/runs", **bearer(owner, org)).json()
    assert [r["id"] for r in rows] == [new.pk, old.pk]
    assert {"id", "status", "started_at", "finished_at", "error", "results"} <= set(rows[0])
    assert rows[0]["status"] == "failed" and rows[0]["results"][0]["detail"] == "SMS not sent"
    only = web.get(f"/api/v1/automations/{automation.pk}/runs?status=succeeded&limit=5", **bearer(owner, org))
    assert [r["id"] for r in only.json()] == [old.pk]
    assert web.get(f"/api/v1/automations/{automation.pk}/runs?limit=0", **bearer(owner, org)).status_code == 422


def test_roles_and_other_businesses(org, other_org, owner):
    desk = member(org, "staff", email="desk-api@example.com")
    web = DjangoClient()
    assert web.get("/api/v1/automations", **bearer(desk, org)).status_code == 200
    refused = post(web, bearer(desk, org), BODY)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    theirs = make(other_org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0))
    assert web.get(f"/api/v1/automations/{theirs.pk}/runs", **bearer(owner, org)).status_code == 404
    assert web.get("/api/v1/automations").status_code == 401


def test_the_contract_is_in_the_openapi_with_descriptions():
    schema = api.get_openapi_schema()
    paths = schema["paths"]
    assert "get" in paths["/api/v1/automations"] and "post" in paths["/api/v1/automations"]
    assert "get" in paths["/api/v1/automations/{automation_id}/runs"]
    assert "get" in paths["/api/v1/jobs"]
    fields = schema["components"]["schemas"]["AutomationIn"]["properties"]
    for name in ("trigger_type", "event", "frequency", "weekdays", "day_of_month", "time_of_day", "condition",
                 "condition_days", "credits_threshold", "session_number", "tags", "statuses", "actions"):
        assert name in fields
    assert "description" in fields["trigger_type"] and "description" in fields["condition"]
    run = schema["components"]["schemas"]["RunOut"]["properties"]
    assert {"id", "status", "started_at", "finished_at", "error", "results"} <= set(run)
    job = schema["components"]["schemas"]["JobOut"]["properties"]
    assert {"name", "last_run_at", "last_status", "next_run_at", "last_duration_ms"} <= set(job)
