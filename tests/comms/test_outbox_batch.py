"""``outbox.batch()``: many messages written together read each business's wording and opt-outs
once, and write exactly what they would have written one by one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from coachos.comms import outbox
from coachos.comms.models import MessageTemplate, OutboundMessage, SmsOptOut
from coachos.tenancy.models import Organization
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status

AFTERNOON = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # 15:00 in Chicago: outside quiet hours


def _reads(queries: CaptureQueriesContext, table: str) -> int:
    return sum(1 for q in queries.captured_queries if q["sql"].startswith("SELECT") and f'"{table}"' in q["sql"])


def _clients(org: Organization, n: int, prefix: str) -> list[Any]:
    with scope(organization=org):
        return [ClientFactory(organization=org, first_name=f"{prefix}{i}", phone=f"+1312555{i:04d}",
                              sms_consent=True) for i in range(n)]


def _send(org: Organization, clients: list[Any], key: str) -> list[OutboundMessage | None]:
    with scope(organization=org):
        return [outbox.enqueue(organization=org, channel="sms", kind="custom", client=c,
                               context={"message": "Bring water."}, dedupe_key=f"{key}:{c.pk}") for c in clients]


def _seen(messages: list[OutboundMessage | None]) -> list[tuple[str, str, str, str]]:
    return [(m.to, m.body, m.status, m.last_error) for m in messages if m is not None]


@time_machine.travel(AFTERNOON, tick=False)
def test_a_batch_reads_templates_and_opt_outs_once_and_writes_the_same_messages(sms_org: Organization) -> None:
    clients = _clients(sms_org, 6, "C")
    with scope(organization=sms_org):
        MessageTemplate.objects.create(organization=sms_org, kind="custom", channel="sms",
                                       body="Yo {client_first_name}! {message}")
        SmsOptOut.objects.create(organization=sms_org, phone=clients[2].phone, opted_out_at=timezone.now())
    with CaptureQueriesContext(connection) as one_by_one:
        plain = _send(sms_org, clients, "plain")
    with CaptureQueriesContext(connection) as together, outbox.batch():
        batched = _send(sms_org, clients, "batched")
    assert _reads(one_by_one, "comms_messagetemplate") == 6 and _reads(one_by_one, "comms_smsoptout") == 6
    assert _reads(together, "comms_messagetemplate") == 1 and _reads(together, "comms_smsoptout") == 1
    assert _seen(batched) == _seen(plain)
    assert batched[0] is not None and batched[0].body == "Yo C0! Bring water."
    assert batched[2] is not None and batched[2].status == Status.SUPPRESSED
    assert "STOP" in batched[2].last_error


@time_machine.travel(AFTERNOON, tick=False)
def test_a_batch_keeps_each_business_to_its_own_wording_and_opt_outs(sms_org: Organization,
                                                                      other_org: Organization) -> None:
    Organization.objects.filter(pk=other_org.pk).update(sms_number="+442071234567")
    other_org.refresh_from_db()
    mine, theirs = _clients(sms_org, 1, "Mine"), _clients(other_org, 1, "Theirs")
    with scope(organization=sms_org):
        MessageTemplate.objects.create(organization=sms_org, kind="custom", channel="sms", body="Mine: {message}")
    with scope(organization=other_org):  # the other business has the same number opted out, and no wording
        SmsOptOut.objects.create(organization=other_org, phone=mine[0].phone, opted_out_at=timezone.now())
        theirs[0].phone = mine[0].phone
        theirs[0].save()
    with outbox.batch():
        [first] = _send(sms_org, mine, "a")
        [second] = _send(other_org, theirs, "b")
    assert first is not None and (first.body, first.status) == ("Mine: Bring water.", Status.QUEUED)
    assert second is not None and second.status == Status.SUPPRESSED and "STOP" in second.last_error
    assert not second.body.startswith("Mine:")


@time_machine.travel(AFTERNOON, tick=False)
def test_nothing_is_remembered_after_the_block(sms_org: Organization) -> None:
    [client] = _clients(sms_org, 1, "C")
    with outbox.batch():
        with outbox.batch():  # a nested block shares the outer one
            _send(sms_org, [client], "one")
        with CaptureQueriesContext(connection) as inner:
            _send(sms_org, [client], "two")
        assert _reads(inner, "comms_messagetemplate") == 0
    with scope(organization=sms_org):
        MessageTemplate.objects.create(organization=sms_org, kind="custom", channel="sms", body="New: {message}")
        SmsOptOut.objects.create(organization=sms_org, phone=client.phone, opted_out_at=timezone.now())
    [after] = _send(sms_org, [client], "three")
    assert after is not None and after.body == "New: Bring water." and after.status == Status.SUPPRESSED
