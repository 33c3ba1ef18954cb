"""The dashboard of a coach the owner limited to their own clients counts only those clients
(low on credits, expiring packages, to-dos, failed payments, portal logins) and names only those
(today's sessions, the money card's renewals); a coach the owner does not let see money has no money
card, and the money pages, exports and API refuse them."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone
from django_scopes import scope

from coachos.automations.models import Todo
from coachos.billing.models import Purchase
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from ..conftest import bearer, login_as
from ..factories import (
    BookingFactory,
    ClientFactory,
    ClientMembershipFactory,
    ClientPackageFactory,
    CoachFactory,
    PurchaseFactory,
    TrainingSessionFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach(org: Organization) -> Any:
    return member(org, Role.COACH, email="maya@example.com", name="Maya Coach")


def _limit(org: Organization, user: Any, **changes: bool) -> Membership:
    with scope(organization=org):
        membership = Membership.objects.get(user=user)
        for field, value in {"sees_all_clients": False, **changes}.items():
            setattr(membership, field, value)
        membership.save()
        return membership


def _two_clients_needing_attention(org: Organization, mine: Membership) -> None:
    soon = timezone.now() + timedelta(days=3)
    with scope(organization=org):
        for coach_membership, name in ((mine, "Zoe"), (None, "Otto")):
            client = ClientFactory(organization=org, first_name=name, coach_membership=coach_membership,
                                   user=UserFactory(email=f"{name.lower()}@example.com"))
            ClientPackageFactory(client=client, remaining=1, expires_at=soon)
            Todo.objects.create(organization=org, client=client, title=f"Call {name}")
            PurchaseFactory(client=client, status=Purchase.Status.FAILED)


def test_limited_coach_dashboard_counts_only_their_clients(org, coach, owner):
    limited = _limit(org, coach)
    _two_clients_needing_attention(org, limited)
    response = login_as(coach).get(f"/o/{org.slug}/")
    assert response.status_code == 200
    assert response.context["credit_counts"] == {"low_credits": 1, "expiring_packages": 1}
    attention = response.context["attention"]
    assert (attention["low_credits"], attention["todos"], attention["failed_payments"]) == (1, 1, 1)
    assert response.context["client_count"] == 1

    everyone = login_as(owner).get(f"/o/{org.slug}/")
    assert everyone.context["credit_counts"] == {"low_credits": 2, "expiring_packages": 2}
    assert (everyone.context["attention"]["todos"], everyone.context["attention"]["failed_payments"]) == (2, 2)


# --- money: a coach the owner does not let see money ------------------------------------------------

MONEY_PAGES = ("payments/", "payments/list/", "payments/memberships/", "payments/record/", "books/",
               "books/pnl.csv", "books/revenue/", "books/ledger/", "books/expenses/")


def test_coach_without_money_has_no_money_card_pages_or_exports(org, coach, owner):
    _limit(org, coach, sees_all_clients=True, sees_money=False)
    with scope(organization=org):
        purchase = PurchaseFactory(client=ClientFactory(organization=org))
    web = login_as(coach)
    dashboard = web.get(f"/o/{org.slug}/")
    assert dashboard.status_code == 200
    assert dashboard.context["money"] is None and dashboard.context["attention"].get("failed_payments") is None
    assert 'data-stat="revenue"' not in dashboard.content.decode()
    for path in (*MONEY_PAGES, f"payments/{purchase.pk}/", f"payments/{purchase.pk}/receipt.pdf"):
        assert web.get(f"/o/{org.slug}/{path}").status_code == 403, path
    assert web.post(f"/o/{org.slug}/payments/{purchase.pk}/cancel/").status_code == 403
    # The client export is a list of people, with no money in it.
    export = web.get(f"/o/{org.slug}/clients/export.csv")
    assert export.status_code == 200
    header = next(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert not [c for c in header if any(word in c for word in ("amount", "price", "paid", "revenue", "balance"))]

    everyone = login_as(owner)
    assert everyone.get(f"/o/{org.slug}/").context["money"] is not None
    assert everyone.get(f"/o/{org.slug}/books/pnl.csv").status_code == 200


def test_coach_without_money_is_refused_by_the_money_api(org, coach):
    _limit(org, coach, sees_all_clients=True, sees_money=False)
    with scope(organization=org):
        purchase = PurchaseFactory(client=ClientFactory(organization=org))
    api = DjangoClient()
    headers = bearer(coach, org)
    for path in ("/api/v1/purchases", f"/api/v1/purchases/{purchase.pk}", f"/api/v1/purchases/{purchase.pk}/refund-plan",
                 "/api/v1/memberships", "/api/v1/money-events", "/api/v1/expenses", "/api/v1/reports/pnl?year=2026"):
        response = api.get(path, **headers)
        assert response.status_code == 403, path
        assert response["Content-Type"] == "application/problem+json"


def test_limited_coach_money_card_renews_only_their_clients(org, coach):
    mine = _limit(org, coach)
    soon = timezone.now() + timedelta(days=5)
    with scope(organization=org):
        for coach_membership, name in ((mine, "Zoe"), (None, "Otto")):
            ClientMembershipFactory(client=ClientFactory(organization=org, first_name=name, last_name="Renews",
                                                         coach_membership=coach_membership),
                                    current_period_end=soon)
    dashboard = login_as(coach).get(f"/o/{org.slug}/")
    assert [r.client for r in dashboard.context["money"].renewals] == ["Zoe Renews"]
    assert "Otto" not in dashboard.content.decode()


def test_limited_coach_day_on_the_dashboard_names_only_their_clients(org, coach, time_machine):
    mine = _limit(org, coach)
    time_machine.move_to(datetime(2030, 7, 1, 8, tzinfo=ZoneInfo("America/Chicago")), tick=False)
    with scope(organization=org):
        maya = CoachFactory(organization=org, membership=mine)
        zoe = ClientFactory(organization=org, first_name="Zoe", coach_membership=mine)
        otto = ClientFactory(organization=org, first_name="Otto")
        for hour, client in ((10, zoe), (12, otto)):
            starts = datetime(2030, 7, 1, hour, tzinfo=ZoneInfo("America/Chicago"))
            BookingFactory(session=TrainingSessionFactory(coach=maya, starts_at=starts,
                                                          ends_at=starts + timedelta(hours=1)), client=client)
    dashboard = login_as(coach).get(f"/o/{org.slug}/")
    today = dashboard.context["days"][0]["sessions"]
    assert [b.client_name for row in today for b in row.bookings] == [zoe.full_name]
    assert "Otto" not in dashboard.content.decode()
