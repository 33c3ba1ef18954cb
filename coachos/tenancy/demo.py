"""Demo data: Northside Strength, a small gym in Chicago. Idempotent: run it as often as you like.

Later issues add their own demo data by appending to ``DEMO_STEPS``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from allauth.account.models import EmailAddress
from django.db import transaction
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import User
from coachos.clients.models import Client
from coachos.scheduling.services import coach_ensure

from . import audit
from .models import Membership, Organization
from .roles import Role

DEMO_PASSWORD = "coachos-demo"
DEMO_SLUG = "northside"

TEAM = [
    ("owner@northside.example", "Maya Thompson", Role.OWNER),
    ("coach@northside.example", "Jordan Reyes", Role.COACH),
    ("frontdesk@northside.example", "Priya Nair", Role.STAFF),
]

# 30 clients: realistic names, fictional numbers (555-01xx is reserved for fiction in NANP).
CLIENTS = [
    ("Olivia", "Martinez"), ("Liam", "Johnson"), ("Emma", "Williams"), ("Noah", "Brown"), ("Ava", "Jones"),
    ("Elijah", "Garcia"), ("Sophia", "Miller"), ("James", "Davis"), ("Isabella", "Rodriguez"), ("Lucas", "Wilson"),
    ("Mia", "Anderson"), ("Mason", "Taylor"), ("Amelia", "Thomas"), ("Ethan", "Hernandez"), ("Harper", "Moore"),
    ("Logan", "Jackson"), ("Evelyn", "Martin"), ("Aiden", "Lee"), ("Abigail", "Perez"), ("Jackson", "White"),
    ("Emily", "Harris"), ("Sebastian", "Sanchez"), ("Ella", "Clark"), ("Mateo", "Ramirez"), ("Chloe", "Lewis"),
    ("Henry", "Robinson"), ("Grace", "Walker"), ("Daniel", "Young"), ("Zoe", "Allen"), ("Samuel", "King"),
]
PORTAL_CLIENT = "client@northside.example"


def _user(email: str, name: str, *, staff: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name, is_staff=staff,
                                        is_superuser=staff)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed_organization() -> Organization:
    owner = _user(TEAM[0][0], TEAM[0][1])
    with scopes_disabled():
        organization = Organization.objects.filter(slug=DEMO_SLUG).first()
    if organization is None:
        organization = Organization.objects.create(
            name="Northside Strength", slug=DEMO_SLUG, timezone="America/Chicago", currency="USD",
            phone="+13125550100", sms_number="+13125550101",
            address="1450 N Milwaukee Ave\nChicago, IL 60622",
            quiet_hours_start=time(21, 0), quiet_hours_end=time(8, 0),
        )
        with scope(organization=organization):
            audit.log(organization=organization, actor=owner, action="organization.created", obj=organization)
    with scope(organization=organization):
        for email, name, role in TEAM:
            user = _user(email, name)
            membership, _created = Membership.objects.get_or_create(
                organization=organization, user=user, defaults={"role": role}
            )
            coach_ensure(membership=membership)
    return organization


def seed_clients(organization: Organization) -> None:
    with scope(organization=organization):
        for index, (first, last) in enumerate(CLIENTS):
            email = PORTAL_CLIENT if index == 0 else f"{first}.{last}@example.com".lower()
            Client.objects.get_or_create(
                organization=organization, email=email,
                defaults={"first_name": first, "last_name": last, "phone": f"+1312555{index + 110:04d}"},
            )
        portal_user = _user(PORTAL_CLIENT, "Olivia Martinez")
        Membership.objects.get_or_create(organization=organization, user=portal_user, defaults={"role": Role.CLIENT})
        Client.objects.filter(email=PORTAL_CLIENT, user__isnull=True).update(user=portal_user)


def seed_platform_admin() -> None:
    _user("admin@coachos.example", "Platform Admin", staff=True)


DEMO_STEPS: list[Callable[[Organization], None]] = [seed_clients]
from coachos.scheduling.demo import seed_scheduling  # noqa: E402, I001 (a later issue's step)
DEMO_STEPS.append(seed_scheduling)  # before the packages: completed sessions then use their credits
from coachos.credits.demo import seed_packages  # noqa: E402, I001 (a later issue's step)
DEMO_STEPS.append(seed_packages)
from coachos.onboarding.demo import seed_onboarding  # noqa: E402, I001 (a later issue's step)
DEMO_STEPS.append(seed_onboarding)
from coachos.clients.demo import seed_tags  # noqa: E402, I001 (a later issue's step)
DEMO_STEPS.append(seed_tags)
from coachos.books.demo import seed_books  # noqa: E402, I001 (a later issue's step)
DEMO_STEPS.append(seed_books)  # after the packages: those sold at the desk are paid in the books
from coachos.billing.demo import seed_billing  # noqa: E402, I001 (a later issue's step)
DEMO_STEPS.append(seed_billing)  # online purchases, a refund, manual payments, memberships (local gateway)
from coachos.comms.demo import seed_messages  # noqa: E402, I001 (a later issue's step)
DEMO_STEPS.append(seed_messages)  # after the bookings: their confirmations get a history, reminders, texts in
from coachos.automations.demo import seed_automations  # noqa: E402, I001 (a later issue's step)
DEMO_STEPS.append(seed_automations)  # after the messages: the STOP opt-out explains a failed run


@transaction.atomic
def seed_demo() -> Organization:
    seed_platform_admin()
    organization = seed_organization()
    for step in DEMO_STEPS:
        step(organization)
    return organization
