"""The weekly digest: due-driven, once per business and week, to the owners, through the outbox."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from coachos.comms.models import OutboundMessage
from coachos.insights import digest
from coachos.insights.models import InsightsSettings
from coachos.tenancy.roles import Role
from tests.factories import ClientFactory, ClientPackageFactory, OrganizationFactory, member

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
MONDAY_AFTER_EIGHT = datetime(2026, 6, 15, 13, 5, tzinfo=UTC)  # 08:05 in Chicago


def _digests(org: Any) -> list[OutboundMessage]:
    with scope(organization=org):
        return list(OutboundMessage.objects.filter(kind=digest.KIND))


def test_the_digest_goes_once_a_week_to_the_owners(org: Any, owner: Any) -> None:
    member(org, Role.COACH, email="coach@example.com")
    with scope(organization=org):
        ClientPackageFactory(client=ClientFactory(organization=org), remaining=2,
                             expires_at=MONDAY_AFTER_EIGHT + timedelta(days=3))
    with time_machine.travel(datetime(2026, 6, 10, 12, 0, tzinfo=UTC), tick=False):
        assert digest.send_due() == 0  # the first one is due next Monday
    with scopes_disabled():
        row = InsightsSettings.objects.get(organization=org)
    assert row.digest_next_at == datetime(2026, 6, 15, 13, 0, tzinfo=UTC)
    with time_machine.travel(MONDAY_AFTER_EIGHT, tick=False):
        assert digest.send_due() == 1
        assert digest.send_due() == 0
    [email] = _digests(org)
    assert email.to == "owner@example.com"
    assert "Sessions completed: 0" in email.body and "credits expire soon" in email.body
    with scopes_disabled():
        row.refresh_from_db()
    assert row.digest_next_at == datetime(2026, 6, 22, 13, 0, tzinfo=UTC)


def test_switched_off_no_digest(org: Any, owner: Any) -> None:
    with scopes_disabled():
        InsightsSettings.objects.create(organization=org, weekly_digest=False,
                                        digest_next_at=MONDAY_AFTER_EIGHT - timedelta(minutes=5))
    with time_machine.travel(MONDAY_AFTER_EIGHT, tick=False):
        assert digest.send_due() == 0
    assert _digests(org) == []


def test_each_business_in_its_own_zone(owner: Any) -> None:
    london = OrganizationFactory(timezone="Europe/London")
    member(london, Role.OWNER, email="london@example.com")
    with time_machine.travel(datetime(2026, 6, 10, tzinfo=UTC), tick=False):
        digest.send_due()
    with scopes_disabled():
        row = InsightsSettings.objects.get(organization=london)
    assert row.digest_next_at == datetime(2026, 6, 15, 7, 0, tzinfo=UTC)  # 08:00 BST
