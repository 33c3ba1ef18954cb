"""comms writes the public booking page's email codes to the outbox (listeners_public): at once,
whatever the business's quiet hours, in the transaction of the request for them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.core import mail
from django_scopes import scope

from coachos.comms import sender
from coachos.comms.models import OutboundMessage
from coachos.scheduling.services.public import email_code_challenge, public_email_code_send
from coachos.tenancy.models import Organization

# 23:30 in Chicago (CDT): inside the business's quiet hours.
LATE = datetime(2026, 6, 2, 4, 30, tzinfo=UTC)


@pytest.fixture
def strict_org(org: Organization) -> Organization:
    """Quiet hours 21:00–08:00 that hold even what a client asked for."""
    Organization.objects.filter(pk=org.pk).update(quiet_hours_start=time(21), quiet_hours_end=time(8),
                                                  quiet_hours_exempt_requested=False)
    org.refresh_from_db()
    return org


def test_the_code_goes_out_at_once_even_in_quiet_hours(strict_org: Organization) -> None:
    with time_machine.travel(LATE, tick=False), scope(organization=strict_org):
        public_email_code_send(organization=strict_org, email="night.owl@example.com",
                               challenge=email_code_challenge())
        message = OutboundMessage.objects.get(kind="booking_email_code")
        assert message.to == "night.owl@example.com" and message.client_id is None
        assert message.status == OutboundMessage.Status.QUEUED
        assert message.quiet_hours_exempt is True
        assert message.scheduled_for == LATE
        assert message.expires_at == datetime(2026, 6, 2, 4, 40, tzinfo=UTC)
        assert re.search(r"\b\d{6}\b", message.body)
        # The sender sends it now, not at 08:00.
        assert sender.deliver(message.pk, now=LATE) == OutboundMessage.Status.SENT
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["night.owl@example.com"]
    assert re.search(r"\b\d{6}\b", mail.outbox[0].body)
