"""The messages API contract: GET /api/v1/messages?client=ID, GET /api/v1/messages/{id},
POST /api/v1/clients/{id}/messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import time_machine
from django_scopes import scope

from coachos.api import api
from coachos.comms.models import OutboundMessage
from coachos.tenancy.models import AuditEntry
from coachos.tenancy.roles import Role

from ..conftest import bearer
from ..factories import ClientFactory, OutboundMessageFactory, member

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status
NOON_CHICAGO = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
CONTRACT = {"id", "channel", "kind", "status", "body", "scheduled_for", "sent_at", "error"}


def _post(client, url, body, headers, **extra):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers, **extra)


def test_list_for_a_client(client, org, owner):
    auth = bearer(owner, org)
    with scope(organization=org):
        ana = ClientFactory(organization=org)
        other = ClientFactory(organization=org)
        sent = OutboundMessageFactory(organization=org, client=ana, kind="reminder_24h", status=Status.SENT,
                                      body="Reminder", scheduled_for=NOON_CHICAGO, sent_at=NOON_CHICAGO)
        failed = OutboundMessageFactory(organization=org, client=ana, status=Status.FAILED, error_code="21610",
                                        last_error="Twilio 400: Attempt to send to unsubscribed recipient")
        OutboundMessageFactory(organization=org, client=other)
    response = client.get(f"/api/v1/messages?client={ana.pk}", **auth)
    assert response.status_code == 200
    page = response.json()
    assert set(page) >= {"results", "next", "previous"}
    rows = page["results"]
    assert [r["id"] for r in rows] == [failed.pk, sent.pk]  # newest first
    assert set(rows[1]) == CONTRACT
    assert rows[1] == {
        "id": sent.pk, "channel": "sms", "kind": "reminder_24h", "status": "sent", "body": "Reminder",
        "scheduled_for": "2026-11-24T12:00:00-06:00", "sent_at": "2026-11-24T12:00:00-06:00", "error": None,
    }
    assert rows[0]["error"] == "Twilio 400: Attempt to send to unsubscribed recipient" and rows[0]["sent_at"] is None


def test_filters_and_cursor_pagination(client, org, owner):
    auth = bearer(owner, org)
    with scope(organization=org):
        ana = ClientFactory(organization=org)
        for n in range(7):
            OutboundMessageFactory(organization=org, client=ana, kind="custom" if n % 2 else "receipt",
                                   status=Status.FAILED if n == 3 else Status.SENT)
    assert len(client.get(f"/api/v1/messages?client={ana.pk}&status=failed", **auth).json()["results"]) == 1
    assert len(client.get("/api/v1/messages?kind=receipt", **auth).json()["results"]) == 4
    seen, url = [], f"/api/v1/messages?client={ana.pk}&page_size=3"
    while url:
        page = client.get(url, **auth).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7
    bad = client.get("/api/v1/messages?status=lost", **auth)
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"


def test_another_business_client_is_a_404_problem(client, org, other_org, owner):
    with scope(organization=other_org):
        theirs = ClientFactory(organization=other_org)
        OutboundMessageFactory(organization=other_org, client=theirs)
    auth = bearer(owner, org)
    response = client.get(f"/api/v1/messages?client={theirs.pk}", **auth)
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    response = _post(client, f"/api/v1/clients/{theirs.pk}/messages", {"channel": "sms", "body": "hi"}, auth)
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/messages", **auth).json()["results"] == []
    with scope(organization=other_org):
        assert OutboundMessage.objects.count() == 1


def test_get_one(client, org, owner):
    with scope(organization=org):
        message = OutboundMessageFactory(organization=org, channel="email", subject="Hi", to="a@example.com",
                                         status=Status.SUPPRESSED, last_error="No email address on file.")
    response = client.get(f"/api/v1/messages/{message.pk}", **bearer(owner, org))
    body = response.json()
    assert response.status_code == 200
    assert CONTRACT <= set(body)
    assert body["subject"] == "Hi" and body["error"] == "No email address on file." and body["status"] == "suppressed"
    assert client.get("/api/v1/messages/999999", **bearer(owner, org)).status_code == 404


def test_send_a_text(client, sms_org, owner, texter, sms_sent, django_capture_on_commit_callbacks):
    auth = bearer(owner, sms_org)
    with time_machine.travel(NOON_CHICAGO), django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"/api/v1/clients/{texter.pk}/messages",
                         {"channel": "sms", "body": "Hi {client_first_name}, see you soon"}, auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "custom" and body["channel"] == "sms" and body["client"] == texter.pk
    assert body["body"] == "Hi Tess, see you soon" and body["status"] == "queued"
    assert [s.body for s in sms_sent] == ["Hi Tess, see you soon"]
    with scope(organization=sms_org):
        assert OutboundMessage.objects.get(pk=body["id"]).status == Status.SENT
        assert AuditEntry.objects.filter(action="message.written", object_id=str(body["id"])).exists()


def test_send_an_email_with_a_subject(client, sms_org, owner, texter, outbox_mail, django_capture_on_commit_callbacks):
    with time_machine.travel(NOON_CHICAGO), django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"/api/v1/clients/{texter.pk}/messages",
                         {"channel": "email", "subject": "Plan", "body": "Your plan is ready."}, bearer(owner, sms_org))
    assert response.status_code == 201
    assert [m.subject for m in outbox_mail] == ["Plan"]


def test_a_message_that_may_not_go_is_recorded_as_suppressed(client, org, owner):
    with scope(organization=org):
        no_phone = ClientFactory(organization=org, phone="", sms_consent=True)
    response = _post(client, f"/api/v1/clients/{no_phone.pk}/messages", {"channel": "sms", "body": "Hi"},
                     bearer(owner, org))
    assert response.status_code == 201
    assert response.json()["status"] == "suppressed" and response.json()["error"]


def test_idempotency_key_makes_a_retry_safe(client, sms_org, owner, texter):
    auth = bearer(owner, sms_org)
    url = f"/api/v1/clients/{texter.pk}/messages"
    first = _post(client, url, {"channel": "sms", "body": "Once"}, auth, HTTP_IDEMPOTENCY_KEY="k1")
    second = _post(client, url, {"channel": "sms", "body": "Once"}, auth, HTTP_IDEMPOTENCY_KEY="k1")
    assert first.json()["id"] == second.json()["id"]
    with scope(organization=sms_org):
        assert OutboundMessage.objects.count() == 1


@pytest.mark.parametrize(("payload", "field"), [
    ({"channel": "fax", "body": "x"}, "channel"),
    ({"channel": "sms", "body": ""}, "body"),
    ({"channel": "sms", "body": "x" * 1601}, "body"),
    ({"channel": "sms", "body": "Hi {frist_name}"}, "body"),
    ({"channel": "sms", "body": "x", "extra": 1}, "extra"),
    ({"channel": "sms", "body": "a\x00b"}, "body"),
])
def test_bad_input_is_a_422_and_writes_nothing(client, org, owner, payload, field):
    with scope(organization=org):
        ana = ClientFactory(organization=org)
    response = _post(client, f"/api/v1/clients/{ana.pk}/messages", payload, bearer(owner, org))
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["detail"]
    with scope(organization=org):
        assert not OutboundMessage.objects.exists()


def test_roles(client, org):
    with scope(organization=org):
        ana = ClientFactory(organization=org)
    desk = bearer(member(org, Role.STAFF), org)
    assert client.get("/api/v1/messages", **desk).status_code == 200
    portal = bearer(member(org, Role.CLIENT), org)
    assert client.get("/api/v1/messages", **portal).status_code == 403
    assert _post(client, f"/api/v1/clients/{ana.pk}/messages", {"channel": "sms", "body": "x"}, portal
                 ).status_code == 403
    assert client.get("/api/v1/messages").status_code == 401


def test_documented_in_openapi():
    schema = api.get_openapi_schema()
    paths = schema["paths"]
    assert {"/api/v1/messages", "/api/v1/messages/{message_id}", "/api/v1/clients/{client_id}/messages"} <= set(paths)
    listing = paths["/api/v1/messages"]["get"]
    assert listing["description"] and {p["name"] for p in listing["parameters"]} >= {"client", "status", "kind",
                                                                                        "cursor"}
    assert paths["/api/v1/clients/{client_id}/messages"]["post"]["description"]
    out = schema["components"]["schemas"]["MessageOut"]["properties"]
    assert set(out) == CONTRACT and "quiet hours" in out["status"]["description"]
