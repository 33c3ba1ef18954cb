"""Receipts and quiet hours: only what the client did themselves may pass the window."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from coachos.billing import services
from coachos.comms.models import OutboundMessage
from coachos.tenancy.models import Organization

from .conftest import checkout_completed, post_event

SEVEN_PM = datetime(2026, 12, 8, 19, 0, tzinfo=ZoneInfo("America/Chicago"))


@pytest.fixture
def quiet(org: Organization, time_machine: Any) -> Organization:
    Organization.objects.filter(pk=org.pk).update(quiet_hours_start=time(18, 45), quiet_hours_end=time(20, 45),
                                                  quiet_hours_exempt_requested=True)
    org.refresh_from_db()
    time_machine.move_to(SEVEN_PM, tick=False)
    return org


def receipts(org: Organization) -> list[OutboundMessage]:
    with scope(organization=org):
        return list(OutboundMessage.objects.filter(kind="receipt"))


@pytest.mark.django_db
def test_a_payment_the_team_records_at_7pm_sends_its_receipt_after_quiet_hours(quiet, buyer, owner):
    with scope(organization=quiet):
        services.manual_payment_record(client=buyer, amount_minor=4000, method="cash", actor=owner)
    rows = receipts(quiet)
    assert rows, "a receipt is written"
    assert {(m.status, m.quiet_hours_exempt) for m in rows} == {(OutboundMessage.Status.DEFERRED, False)}
    assert {m.scheduled_for for m in rows} == {datetime(2026, 12, 8, 20, 45, tzinfo=ZoneInfo("America/Chicago"))}


@pytest.mark.django_db
def test_a_payment_the_client_makes_online_at_7pm_gets_its_receipt_at_once(quiet, pending):
    response = post_event(checkout_completed(pending))
    assert response.status_code == 200
    rows = receipts(quiet)
    assert rows, "a receipt is written"
    assert {m.quiet_hours_exempt for m in rows} == {True}
    assert OutboundMessage.Status.DEFERRED not in {m.status for m in rows}
