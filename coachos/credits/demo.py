"""Demo package plans and client packages for Northside Strength. Idempotent.

Everything goes through the services (package_grant, use_session, packages_expire), so each
package's ``remaining`` equals the sum of its ledger. Grants and uses carry idempotency keys,
so a second run finds them and writes nothing new. Dates are relative to today.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.scheduling.models import Booking, SessionType
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from .models import ClientPackage, CreditEntry, PackagePlan
from .services import CreditError, package_grant, package_plan_create, packages_expire, use_session

# name, sessions, price (cents), validity days, session type: "pt", "group" or None (every type)
PLANS = [
    ("10 sessions", 10, 75000, 90, "pt"),
    ("5 sessions", 5, 40000, 60, None),
    ("Intro pack", 3, 15000, 30, None),
    ("Class card", 10, 20000, 120, "group"),
]

PORTAL_CLIENT = "client@northside.example"

# client e-mail, plan, days since it was given, sessions used by hand, the state it ends in
PACKAGES = [
    # The portal client: her completed sessions (scheduling demo, if any) then use whichever of
    # these expires first and covers the session, as they would have on the day.
    (PORTAL_CLIENT, "Class card", 130, 2, "expired with credits left"),
    (PORTAL_CLIENT, "5 sessions", 75, 2, "expired"),
    (PORTAL_CLIENT, "Intro pack", 56, 0, "expired"),
    (PORTAL_CLIENT, "10 sessions", 35, 0, "active"),
    ("liam.johnson@example.com", "10 sessions", 10, 2, "active"),
    ("emma.williams@example.com", "10 sessions", 30, 3, "active"),
    ("noah.brown@example.com", "5 sessions", 5, 1, "active"),
    ("ava.jones@example.com", "Class card", 15, 2, "active"),
    ("elijah.garcia@example.com", "10 sessions", 60, 9, "low"),
    ("sophia.miller@example.com", "5 sessions", 40, 4, "low"),
    ("james.davis@example.com", "10 sessions", 83, 5, "expiring in a week"),
    ("isabella.rodriguez@example.com", "Intro pack", 40, 1, "expired"),
    ("lucas.wilson@example.com", "5 sessions", 25, 5, "used up"),
]
KEEP_FOR_PORTAL_CLIENT = 4  # credits her current package keeps, so the portal shows some left
FALLBACK_USES = 4  # without a scheduling demo, her current package is used by hand instead


def _type(kind: str | None) -> SessionType | None:
    if kind == "pt":
        return SessionType.objects.filter(name__icontains="personal", capacity=1).order_by("pk").first()
    if kind == "group":
        return SessionType.objects.filter(capacity__gt=1).order_by("pk").first()
    return None


def _plans(organization: Organization, actor: Any) -> dict[str, PackagePlan]:
    plans = {}
    for name, sessions, price, days, kind in PLANS:
        plan = PackagePlan.objects.filter(name=name).first()
        if plan is None:
            session_type = _type(kind)
            plan = package_plan_create(organization=organization, actor=actor, name=name, sessions=sessions,
                                       price_minor=price, validity_days=days,
                                       session_types=[session_type] if session_type else None)
        plans[name] = plan
    return plans


def _backdate(package: ClientPackage, when: datetime) -> None:
    """The grant happened ``when``: its rows say so (a demo reads better with real dates)."""
    ClientPackage.objects.filter(pk=package.pk).update(created_at=when)
    CreditEntry.objects.filter(package=package, amount__gt=0, booking__isnull=True).update(created_at=when)


def _use_completed_bookings(client: Client, current: ClientPackage, actor: Any, now: datetime) -> int:
    """Her completed sessions use credits as they would have on the day: the package that
    expires first and covers the session type. Stops while ``current`` still has a few."""
    used = 0
    bookings = Booking.objects.filter(client=client, status=Booking.Status.COMPLETED, session__starts_at__lt=now) \
        .exclude(credit_entries__kind=CreditEntry.Kind.USE) \
        .select_related("session__session_type").order_by("session__starts_at", "pk")
    for booking in bookings:
        if ClientPackage.objects.get(pk=current.pk).remaining <= KEEP_FOR_PORTAL_CLIENT:
            break
        try:
            entry = use_session(client=client, booking=booking, actor=actor, reason="session completed",
                                now=booking.session.starts_at)
        except CreditError:
            continue
        CreditEntry.objects.filter(pk=entry.pk).update(created_at=booking.session.ends_at)
        used += 1
    return used


def seed_packages(organization: Organization) -> None:
    now = timezone.now()
    with scope(organization=organization):
        owner = Membership.objects.filter(role=Role.OWNER).select_related("user").order_by("pk").first()
        actor = owner.user if owner else None
        plans = _plans(organization, actor)
        portal_current: ClientPackage | None = None
        for index, (email, plan_name, days_ago, used, _state) in enumerate(PACKAGES):
            client = Client.objects.filter(email=email).first()
            if client is None:
                continue
            plan = plans[plan_name]
            given = now - timedelta(days=days_ago)
            key = f"demo:package:{index}"
            fresh = not CreditEntry.objects.filter(idempotency_key=key).exists()
            package = package_grant(client=client, plan=plan, actor=actor, now=given, idempotency_key=key)
            if fresh:
                _backdate(package, given)
            if email == PORTAL_CLIENT and _state == "active":
                portal_current = package
            _use_by_hand(client, package, index, used, given, min(days_ago, plan.validity_days), actor, now)
        if portal_current is not None:
            client = portal_current.client
            had_bookings = CreditEntry.objects.filter(package__client=client, booking__isnull=False).exists()
            if not had_bookings and not _use_completed_bookings(client, portal_current, actor, now):
                _use_by_hand(client, portal_current, 99, FALLBACK_USES, now - timedelta(days=30), 30, actor, now)
        # Packages given long ago are past their date: the daily job's own service expires them.
        if packages_expire(now=now):
            # The rows say when each package ran out (the job would have run on that day).
            for entry in CreditEntry.objects.filter(kind=CreditEntry.Kind.EXPIRY).select_related("package"):
                if entry.created_at > entry.package.expires_at:
                    CreditEntry.objects.filter(pk=entry.pk).update(created_at=entry.package.expires_at)


def _use_by_hand(client: Client, package: ClientPackage, index: int, count: int, given: datetime, span_days: int,
                 actor: Any, now: datetime) -> None:
    """``count`` sessions recorded by hand, spread over the package's first ``span_days``."""
    step = max(1, span_days // (count + 1))
    for n in range(count):
        when = min(given + timedelta(days=1 + n * step), now)
        entry_key = f"demo:use:{index}:{n}"
        if CreditEntry.objects.filter(idempotency_key=entry_key).exists():
            continue
        try:
            entry = use_session(client=client, package=package, actor=actor, idempotency_key=entry_key,
                                reason="session completed", now=when)
        except CreditError:
            break
        CreditEntry.objects.filter(pk=entry.pk).update(created_at=when)
