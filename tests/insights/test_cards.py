"""Each card's rule, on data that makes it fire and data that does not."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from coachos.insights import cards
from coachos.insights.metrics import Viewer
from coachos.tenancy.models import Membership
from tests.factories import (
    BookingFactory,
    ClientFactory,
    ClientMembershipFactory,
    ClientPackageFactory,
    PurchaseFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
)
from tests.insights.dataset import coach_of

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 10, 17, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def ctx(org: Any, owner: Any) -> Any:
    with scope(organization=org):
        membership = Membership.objects.get(user=owner)
        yield {"org": org, "coach": coach_of(membership), "viewer": Viewer(org, membership),
               "kind": SessionTypeFactory(organization=org)}


def _session(ctx: Any, at: datetime, client: Any, status: str = "completed", booking: str = "completed") -> Any:
    s = TrainingSessionFactory(coach=ctx["coach"], session_type=ctx["kind"], starts_at=at,
                               ends_at=at + timedelta(hours=1), status=status)
    BookingFactory(session=s, client=client, status=booking)
    return s


def test_clients_at_risk(ctx: Any) -> None:
    regular, busy, occasional = (ClientFactory(organization=ctx["org"]) for _ in range(3))
    for days in (80, 60, 40):
        _session(ctx, NOW - timedelta(days=days), regular)
        _session(ctx, NOW - timedelta(days=days, hours=3), busy)
    _session(ctx, NOW + timedelta(days=2), busy, "scheduled", "confirmed")  # booked ahead: not at risk
    _session(ctx, NOW - timedelta(days=50), occasional)  # never regular
    card = cards.at_risk(ctx["viewer"], NOW)
    assert card is not None and card.kind == "clients_at_risk"
    assert card.title == "1 regular client has stopped booking"
    assert "/chat/" in card.action_url and card.action == "Message them"


def test_a_slot_full_three_weeks_running(ctx: Any) -> None:
    client = ClientFactory(organization=ctx["org"])
    monday_ten = datetime(2026, 6, 8, 15, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Chicago
    for weeks in (1, 2, 3):
        _session(ctx, monday_ten - timedelta(weeks=weeks), client)
    card = cards.full_slots(ctx["viewer"], NOW)
    assert card is not None and card.kind == "slot_full" and "Monday at 10:00" in card.why
    assert card.action == "Add availability"


def test_two_full_weeks_are_not_enough(ctx: Any) -> None:
    client = ClientFactory(organization=ctx["org"])
    monday_ten = datetime(2026, 6, 8, 15, 0, tzinfo=ZoneInfo("UTC"))
    for weeks in (1, 2):
        _session(ctx, monday_ten - timedelta(weeks=weeks), client)
    assert cards.full_slots(ctx["viewer"], NOW) is None


def test_credits_expiring(ctx: Any) -> None:
    ClientPackageFactory(client=ClientFactory(organization=ctx["org"]), remaining=3, expires_at=NOW + timedelta(days=5))
    ClientPackageFactory(client=ClientFactory(organization=ctx["org"]), remaining=3, expires_at=NOW + timedelta(days=60))
    card = cards.expiring_credits(ctx["viewer"], NOW)
    assert card is not None and card.title == "3 credits expire soon" and card.action == "Remind them"


def test_no_shows_up(ctx: Any) -> None:
    client = ClientFactory(organization=ctx["org"])
    for day in range(1, 7):  # the last 30 days: 2 no-shows of 6
        status = "no_show" if day <= 2 else "completed"
        _session(ctx, NOW - timedelta(days=day * 4), client, status, status)
    for day in range(1, 6):  # the 30 days before: none
        _session(ctx, NOW - timedelta(days=30 + day * 4), client)
    card = cards.no_shows_up(ctx["viewer"], NOW)
    assert card is not None and "33%" in card.why and card.action == "Turn on 2-hour reminders"


def test_unpaid_payments_and_past_due_memberships(ctx: Any) -> None:
    assert cards.unpaid(ctx["viewer"], NOW) is None
    client = ClientFactory(organization=ctx["org"])
    purchase = PurchaseFactory(client=client, status="failed")
    type(purchase).objects.filter(pk=purchase.pk).update(created_at=NOW - timedelta(days=3))
    ClientMembershipFactory(client=client, status="past_due")
    card = cards.unpaid(ctx["viewer"], NOW)
    assert card is not None and card.title == "2 payments need following up" and card.action == "Follow up"


def test_the_api_lists_cards(ctx: Any, owner: Any) -> None:
    import time_machine
    from django.test import Client as DjangoClient

    from tests.conftest import bearer

    ClientPackageFactory(client=ClientFactory(organization=ctx["org"]), remaining=2, expires_at=NOW + timedelta(days=3))
    headers = bearer(owner, ctx["org"])
    with time_machine.travel(NOW, tick=False):
        data = DjangoClient().get("/api/v1/insights?start=2026-06-01&end=2026-06-30", **headers).json()
    assert [c["kind"] for c in data["cards"]] == ["credits_expiring"]
    assert set(data["cards"][0]) == {"kind", "title", "why", "action", "action_url"}
