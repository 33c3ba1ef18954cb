"""Demo books for Northside Strength: twelve months of expenses and of payments taken by hand
(cash, bank transfer, card terminal). Online sales arrive from the payments demo.

Idempotent: every entry carries an ``external_id`` such as ``demo-exp-2026-03-2``; a second run
finds it and writes nothing. What happens in a month is drawn from a random generator seeded
with that month, so runs on different days agree about the same months. Dates are relative to
today, in the business's time zone; nothing is dated in the future.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.credits.models import ClientPackage, PackagePlan
from coachos.scheduling.models import SessionType
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from .models import Expense, MoneyEvent
from .services import expense_create, money_event_record

MONTHS = 12
C = Expense.Category
# category, vendor, amount (cents), day of month, every N months (1 = monthly), note
RECURRING = [
    (C.RENT, "Milwaukee Ave Properties", 120000, 1, 1, "Studio rent"),
    (C.SOFTWARE, "Coach OS", 4900, 3, 1, "Subscription"),
    (C.SOFTWARE, "Music streaming (business)", 1799, 5, 1, ""),
    (C.INSURANCE, "Fitness Pro Insurance", 38500, 10, 3, "Liability insurance, quarterly"),
    (C.FEES, "Chicago Community Bank", 1500, 28, 1, "Account fee"),
]
# category, vendor, low, high (cents), note
OCCASIONAL = [
    (C.EQUIPMENT, "Rogue Fitness", 8900, 64900, "Plates and bands"),
    (C.EQUIPMENT, "Amazon", 2500, 12900, "Foam rollers, chalk"),
    (C.MARKETING, "Instagram ads", 5000, 25000, "Spring campaign"),
    (C.MARKETING, "Print shop", 3500, 9000, "Flyers"),
    (C.EDUCATION, "NASM", 19900, 59900, "CEU course"),
    (C.TRAVEL, "Divvy / CTA", 1200, 4500, "Client home sessions"),
    (C.CONTRACTORS, "Alex Kim (bookkeeper)", 15000, 30000, "Quarterly bookkeeping"),
    (C.OTHER, "Costco", 2000, 8000, "Water and towels"),
]
METHODS = (MoneyEvent.Method.CASH, MoneyEvent.Method.CARD_TERMINAL, MoneyEvent.Method.BANK_TRANSFER)


def _months_back(today: date) -> list[tuple[int, int]]:
    months = []
    year, month = today.year, today.month
    for _ in range(MONTHS):
        months.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(months))


def _at(organization: Organization, day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=organization.tzinfo)


def _last_day(year: int, month: int) -> int:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return (nxt - date(year, month, 1)).days


def _expenses(organization: Organization, actor: Any, year: int, month: int, today: date) -> None:
    rng = random.Random(f"books-exp-{year}-{month}")
    planned: list[tuple[date, str, str, int, str]] = []
    for r_category, r_vendor, r_amount, r_day, every, r_note in RECURRING:
        if (year * 12 + month) % every == 0:
            when = date(year, month, min(r_day, _last_day(year, month)))
            planned.append((when, r_category, r_vendor, r_amount, r_note))
    for o_category, o_vendor, low, high, o_note in rng.sample(OCCASIONAL, k=rng.randint(1, 3)):
        when = date(year, month, rng.randint(1, _last_day(year, month)))
        planned.append((when, o_category, o_vendor, rng.randint(low // 100, high // 100) * 100 + 99, o_note))
    for n, (day, category, vendor, amount, note) in enumerate(planned, start=1):
        if day > today:
            continue
        expense_create(organization=organization, actor=actor, date=day, amount_minor=amount, category=category,
                       vendor=vendor, note=note, external_id=f"demo-exp-{year}-{month:02d}-{n}")


def _payments(organization: Organization, actor: Any, clients: list[Client], drop_in: SessionType | None,
              year: int, month: int, today: date) -> None:
    """Drop-in sessions paid at the desk, and now and then a refund of one."""
    if not clients or drop_in is None or not drop_in.price_minor:
        return
    rng = random.Random(f"books-pay-{year}-{month}")
    for n in range(1, rng.randint(8, 16) + 1):
        day = date(year, month, rng.randint(1, _last_day(year, month)))
        if day > today:
            continue
        client = rng.choice(clients)
        money_event_record(
            organization=organization, kind=MoneyEvent.Kind.MANUAL_PAYMENT, amount_minor=drop_in.price_minor,
            currency=organization.currency, occurred_at=_at(organization, day, rng.randint(7, 19)), client=client,
            session_type=drop_in, method=rng.choice(METHODS), description=f"{drop_in.name} (drop-in)",
            external_id=f"demo-pay-{year}-{month:02d}-{n}", actor=actor,
        )
        if n == 1 and month % 4 == 0:
            money_event_record(
                organization=organization, kind=MoneyEvent.Kind.REFUND, amount_minor=drop_in.price_minor,
                currency=organization.currency, occurred_at=_at(organization, day, 20), client=client,
                session_type=drop_in, method=MoneyEvent.Method.CASH, description="Session cancelled by the coach",
                external_id=f"demo-ref-{year}-{month:02d}-{n}", actor=actor,
            )


def _package_sales(organization: Organization, actor: Any, clients: list[Client], plans: list[PackagePlan],
                   year: int, month: int, today: date) -> None:
    """Packages paid at the desk over the year (the ones clients still hold are paid below)."""
    if not clients or not plans:
        return
    rng = random.Random(f"books-sales-{year}-{month}")
    for n in range(1, rng.randint(3, 7) + 1):
        day = date(year, month, rng.randint(1, _last_day(year, month)))
        if day > today:
            continue
        plan = rng.choice(plans)
        money_event_record(
            organization=organization, kind=MoneyEvent.Kind.MANUAL_PAYMENT, amount_minor=plan.price_minor,
            currency=organization.currency, occurred_at=_at(organization, day, rng.randint(7, 19)),
            client=rng.choice(clients), package_plan=plan, method=rng.choice(METHODS), description=plan.name,
            external_id=f"demo-sale-{year}-{month:02d}-{n}", actor=actor,
        )


def _package_payments(organization: Organization, actor: Any) -> None:
    """The packages demo's packages were sold at the desk: paid on the day they were given. Only
    those (their grant carries a ``demo:package:`` key): packages from purchases are paid in billing."""
    packages = ClientPackage.objects.filter(
        plan__isnull=False, plan__price_minor__gt=0, ledger__idempotency_key__startswith="demo:package:",
        purchases__isnull=True,
    ).select_related("plan", "client").distinct()
    for package in packages:
        plan = package.plan
        assert plan is not None
        money_event_record(
            organization=organization, kind=MoneyEvent.Kind.MANUAL_PAYMENT, amount_minor=plan.price_minor,
            currency=organization.currency, occurred_at=package.created_at, client=package.client,
            package_plan=plan, related=package, method=MoneyEvent.Method.CARD_TERMINAL,
            description=plan.name, external_id=f"demo-pay-package-{package.pk}", actor=actor,
        )


def seed_books(organization: Organization) -> None:
    now = timezone.now()
    today = now.astimezone(organization.tzinfo).date()
    with scope(organization=organization):
        owner = Membership.objects.filter(role=Role.OWNER).select_related("user").order_by("pk").first()
        actor = owner.user if owner else None
        clients = list(Client.objects.order_by("pk")[:20])
        plans = list(PackagePlan.objects.filter(price_minor__gt=0).order_by("pk"))
        drop_in = SessionType.objects.filter(capacity=1, price_minor__gt=0).order_by("pk").first()
        for year, month in _months_back(today):
            _expenses(organization, actor, year, month, today)
            _payments(organization, actor, clients, drop_in, year, month, today)
            _package_sales(organization, actor, clients, plans, year, month, today)
        _package_payments(organization, actor)
