"""Demo payments for Northside Strength. Idempotent: run it as often as you like.

Everything goes through the same paths as real use, on the local gateway (no Stripe): online
purchases are paid by signed events through the webhook code, one is refunded, two payments are
recorded by hand, one membership is active and one is past due. Each item is marked by a note
(``[demo] …``) so a second run finds it and does nothing.
"""

from __future__ import annotations

from typing import Any

from django_scopes import scope

from coachos.clients.models import Client
from coachos.credits.models import PackagePlan
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from . import gateway, local, services
from .accounts import billing_account_for
from .memberships import membership_plan_create
from .models import BillingAccount, ClientMembership, MembershipPlan, PlatformPlan, Purchase

PLATFORM_PLANS = [
    # name, monthly price, fee (basis points), default
    ("Starter", 2900, 200, True),
    ("Pro", 7900, 100, False),
]
# client e-mail, package plan, what happens
ONLINE = [
    ("client@northside.example", "5 sessions", "paid"),
    ("mia.anderson@example.com", "10 sessions", "paid"),
    ("mason.taylor@example.com", "Intro pack", "paid"),
    ("amelia.thomas@example.com", "5 sessions", "refunded"),
    ("ethan.hernandez@example.com", "10 sessions", "pending"),
]
MANUAL = [
    ("harper.moore@example.com", "Intro pack", Purchase.Method.CASH),
    ("logan.jackson@example.com", None, Purchase.Method.BANK_TRANSFER),
]
MEMBERSHIPS = [
    # client e-mail, membership plan, ends
    ("evelyn.martin@example.com", "Monthly 8", "active"),
    ("aiden.lee@example.com", "Monthly 8", "past_due"),
    ("abigail.perez@example.com", "Unlimited", "active"),
]


def _platform_plans(organization: Organization) -> None:
    for name, price, fee, default in PLATFORM_PLANS:
        PlatformPlan.objects.get_or_create(name=name, defaults={"monthly_price_minor": price, "fee_bps": fee,
                                                                "is_default": default, "currency": "USD"})
    account = billing_account_for(organization)
    if account.platform_plan_id is None:
        BillingAccount.objects.filter(pk=account.pk).update(
            platform_plan=PlatformPlan.objects.get(name="Starter"), platform_status=BillingAccount.PlatformStatus.ACTIVE)


def _membership_plans(organization: Organization, actor: Any) -> dict[str, MembershipPlan]:
    plans = {}
    for name, price, sessions in (("Monthly 8", 16000, 8), ("Unlimited", 24900, None)):
        plan = MembershipPlan.objects.filter(name=name).first()
        if plan is None:
            plan = membership_plan_create(organization=organization, actor=actor, name=name, price_minor=price,
                                          sessions_per_month=sessions)
        plans[name] = plan
    return plans


def _mark(purchase: Purchase, note: str) -> None:
    Purchase.objects.filter(pk=purchase.pk).update(note=note)


def seed_billing(organization: Organization) -> None:
    previous = gateway._override
    gateway.use_gateway(gateway.LocalGateway())  # the demo never talks to Stripe
    try:
        _seed(organization)
    finally:
        gateway.use_gateway(previous)


def _seed(organization: Organization) -> None:
    with scope(organization=organization):
        owner = Membership.objects.filter(role=Role.OWNER).select_related("user").order_by("pk").first()
        actor = owner.user if owner else None
        _platform_plans(organization)
        packages = {p.name: p for p in PackagePlan.objects.filter(price_minor__gt=0)}
        for index, (email, plan_name, outcome) in enumerate(ONLINE):
            note = f"[demo] online {index}"
            client = Client.objects.filter(email=email).first()
            plan = packages.get(plan_name)
            if client is None or plan is None or Purchase.objects.filter(note=note).exists():
                continue
            purchase = services.purchase_create(client=client, plan=plan, actor=client.user or actor,
                                                source=Purchase.Source.PORTAL)
            _mark(purchase, note)
            purchase = services.purchase_checkout(purchase=purchase)
            if outcome == "pending":
                continue
            local.pay(Purchase.objects.get(pk=purchase.pk))
            if outcome == "refunded":
                services.purchase_refund(purchase=purchase, actor=actor, remove_credits=True,
                                         reason="Moved away")
        for index, (email, plan_name, method) in enumerate(MANUAL):
            note = f"[demo] manual {index}"
            client = Client.objects.filter(email=email).first()
            if client is None or Purchase.objects.filter(note=note).exists():
                continue
            plan = packages.get(plan_name) if plan_name else None
            services.manual_payment_record(client=client, amount_minor=plan.price_minor if plan else 6000,
                                           method=method, actor=actor, plan=plan, note=note,
                                           description="" if plan else "Drop-in sessions (2)")
        membership_plans = _membership_plans(organization, actor)
        for index, (email, plan_name, outcome) in enumerate(MEMBERSHIPS):
            note = f"[demo] membership {index}"
            client = Client.objects.filter(email=email).first()
            if client is None or Purchase.objects.filter(note=note).exists():
                continue
            purchase = services.purchase_create(client=client, membership_plan=membership_plans[plan_name],
                                                actor=actor, source=Purchase.Source.LINK)
            _mark(purchase, note)
            purchase = services.purchase_checkout(purchase=purchase)
            local.pay(Purchase.objects.get(pk=purchase.pk))
            if outcome == "past_due":
                membership = ClientMembership.objects.get(pk=purchase.membership_id)
                local.membership_invoice(membership, paid=False, period=2)
