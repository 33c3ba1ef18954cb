"""Demo data: Northside Strength, a small gym in Chicago.

Seeding happens once, into an empty database: ``seed_demo`` writes nothing when any business exists
(``make run`` calls it every time; a coach's changes to the demo data are theirs to keep). Each app
keeps its own demo module; this top-floor module runs them in order (``DEMO_STEPS``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import time

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import User
from coachos.automations.demo import seed_automations
from coachos.billing.demo import seed_billing
from coachos.billing.demo_bookings import seed_booking_payments
from coachos.books.demo import seed_books
from coachos.chat.demo import seed_chat
from coachos.clients.demo import seed_tags
from coachos.clients.models import Client
from coachos.comms.demo import seed_messages
from coachos.comms.models import OutboundMessage
from coachos.credits.demo import seed_packages
from coachos.insights.demo import seed_insights
from coachos.integrations.demo import seed_integrations
from coachos.library.demo import seed_library
from coachos.notes.demo import seed_notes
from coachos.onboarding.demo import seed_onboarding
from coachos.progress.demo import seed_progress
from coachos.scheduling.demo import seed_scheduling
from coachos.scheduling.services import coach_ensure
from coachos.tenancy import audit
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

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


def seed_message_history(organization: Organization) -> None:
    """The messages the steps' services queued stand for a business that has been running: they went
    out when their events happened. Mark those still queued and due as sent, so the worker does not
    deliver dozens of old emails on the first start. Seeding at night, quiet hours defer what the
    steps' services wrote (a receipt for a payment recorded at the desk): that is history too. Only
    the messages demo's own promotion stays deferred, to show how quiet hours hold a text."""
    now = timezone.now()
    with scope(organization=organization):
        OutboundMessage.objects.filter(status=OutboundMessage.Status.QUEUED, attempts=0, provider_id="",
                                       scheduled_for__lte=now).update(
            status=OutboundMessage.Status.SENT, attempts=1, sent_at=F("scheduled_for"), updated_at=now)
        OutboundMessage.objects.filter(status=OutboundMessage.Status.DEFERRED, attempts=0, provider_id="") \
            .exclude(kind="promotion").update(status=OutboundMessage.Status.SENT, attempts=1, sent_at=now,
                                              scheduled_for=now, updated_at=now)


DEMO_STEPS: list[Callable[[Organization], None]] = [
    seed_clients,
    seed_scheduling,  # before the packages: completed sessions then use their credits
    seed_packages,
    seed_onboarding,
    seed_tags,
    seed_books,  # after the packages: those sold at the desk are paid in the books
    seed_billing,  # online purchases, a refund, manual payments, memberships (local gateway)
    seed_booking_payments,  # session types paid when booking: card, credit or card with a deposit, intro offer
    seed_messages,  # after the bookings: their confirmations get a history, reminders, texts in
    seed_automations,  # after the messages: the STOP opt-out explains a failed run
    seed_chat,  # after the messages: clients' texts join their conversations
    seed_progress,  # goals, tasks, measurements and photos of three clients
    seed_library,  # folders, collections (one sequential, dripping weekly), a scheduled share, engagement
    seed_insights,  # settings, this month's revenue target, history that makes three insight cards
    seed_notes,  # after scheduling and chat: notes on completed sessions, a journal, ratings
    seed_integrations,  # after scheduling: Maya's calendar (not reachable, last busy times kept), online intro
    seed_message_history,  # last: what the steps queued has gone out
]


def database_is_empty() -> bool:
    """No business yet: the only state in which the demo is seeded."""
    with scopes_disabled():
        return not Organization.objects.exists()


@transaction.atomic
def seed_demo() -> Organization | None:
    """Load the demo business into an empty database and return it; None (nothing written) when
    the database already has a business, whether the demo or the user's own."""
    if not database_is_empty():
        return None
    seed_platform_admin()
    organization = seed_organization()
    for step in DEMO_STEPS:
        step(organization)
    return organization
