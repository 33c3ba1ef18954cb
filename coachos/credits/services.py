"""Every movement of session credits.

``use_session`` and ``release_session`` are the only ways credits move for sessions: each
writes one ledger row (unique per booking and turn, or per idempotency key) and conditional
UPDATEs (``remaining > 0`` to use; the booking's link ``released -> used`` or ``used ->
released``), never read-then-write. A booking's credit follows its current state however
often it is re-marked (``booking_credit_follow``): deducted once per "uses a credit" state,
released once when it leaves it, never twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common import events
from coachos.scheduling.models import Booking
from coachos.tenancy import audit

from .models import BookingCredit, ClientPackage, CreditEntry, PackagePlan


class CreditError(Exception):
    """A credit movement that cannot happen; the message is for people. ``code`` for the API."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


NO_CREDITS = "no_credits"
KEY_REUSED = "idempotency_key_reused"


@transaction.atomic
def package_plan_create(*, organization: Any, actor: Any, name: str, sessions: int, price_minor: int = 0,
                        validity_days: int = 90, session_types: list[Any] | None = None) -> PackagePlan:
    if sessions < 1:
        raise CreditError(_("A package has at least one session."))
    if validity_days < 1:
        raise CreditError(_("A package is valid for at least one day."))
    if price_minor < 0:
        raise CreditError(_("The price cannot be negative."))
    if not name.strip():
        raise CreditError(_("Give the package a name."))
    plan = PackagePlan.objects.create(organization=organization, name=name.strip()[:100], sessions=sessions,
                                      price_minor=price_minor, validity_days=validity_days)
    if session_types:
        plan.session_types.set(session_types)
    audit.log(organization=organization, actor=actor, action="package_plan.created", obj=plan)
    return plan


@transaction.atomic
def package_grant(*, client: Client, plan: PackagePlan, actor: Any, source: str = ClientPackage.Source.GIVEN,
                  now: datetime | None = None, idempotency_key: str | None = None) -> ClientPackage:
    """Give (or, from a payment, sell) a package: its credits arrive as one ledger row."""
    now = now or timezone.now()
    if plan.organization_id != client.organization_id:
        raise CreditError(_("That package belongs to another business."))
    if idempotency_key:
        existing = CreditEntry.objects.filter(idempotency_key=idempotency_key).select_related("package").first()
        if existing is not None:
            return existing.package
    package = ClientPackage.objects.create(
        organization=client.organization, client=client, plan=plan, name=plan.name, total=plan.sessions,
        remaining=plan.sessions, expires_at=now + timedelta(days=plan.validity_days), source=source,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    package.session_types.set(plan.session_types.all())
    CreditEntry.objects.create(
        organization=client.organization, package=package, amount=plan.sessions, idempotency_key=idempotency_key,
        kind=CreditEntry.Kind.PURCHASE if source == ClientPackage.Source.SOLD else CreditEntry.Kind.GRANT,
        actor=package.created_by,
    )
    audit.log(organization=client.organization, actor=actor, action="package.granted", obj=package,
              data={"plan": plan.pk, "sessions": plan.sessions, "source": source})
    events.emit("package.granted", organization=client.organization, client=client, obj=package,
                data={"source": source, "sessions": plan.sessions})
    return package


def _candidates(*, client: Client, session_type: Any | None, now: datetime) -> list[ClientPackage]:
    """Valid packages for the client, the one expiring first first."""
    packages = ClientPackage.objects.filter(client=client, status=ClientPackage.Status.ACTIVE, expires_at__gt=now,
                                            remaining__gt=0)
    if session_type is not None:
        packages = packages.filter(Q(session_types=None) | Q(session_types=session_type)).distinct()
    return list(packages.order_by("expires_at", "id"))


def _take_one(package: ClientPackage, now: datetime) -> bool:
    """The conditional UPDATE: one credit, only if one is left and the package is valid."""
    return ClientPackage.objects.filter(
        pk=package.pk, remaining__gt=0, status=ClientPackage.Status.ACTIVE, expires_at__gt=now
    ).update(remaining=F("remaining") - 1) == 1


def use_session(
    *,
    client: Client,
    actor: Any,
    booking: Any = None,
    package: ClientPackage | None = None,
    idempotency_key: str | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> CreditEntry:
    """Deduct one credit for a booking (or a manual "Use 1 session" with an idempotency key).

    Idempotent: while a booking's credit is used, the same booking returns the entry already
    written; the same key returns its entry. A booking whose credit was released uses one again
    (its next turn), preferring the package it was returned to. Raises CreditError with code
    ``no_credits`` when no valid package has a credit left.
    """
    now = now or timezone.now()
    link = BookingCredit.objects.filter(booking=booking).first() if booking is not None else None
    existing = _existing_use(booking=booking, idempotency_key=idempotency_key, link=link)
    if existing is not None:
        return _same_request(existing, package=package, client=client)
    session_type = booking.session.session_type if booking is not None else None
    if package is not None:
        if package.client_id != client.pk:
            raise CreditError(_("That package belongs to another client."))
        candidates = [package]
    else:
        candidates = _candidates(client=client, session_type=session_type, now=now)
        if link is not None:  # back to the package the credit was returned to, when it still can
            candidates.sort(key=lambda c: c.pk != link.package_id)
    for candidate in candidates:
        try:
            with transaction.atomic():
                turn = _claim_use(booking=booking, link=link, package=candidate) if booking is not None else None
                entry = CreditEntry.objects.create(
                    organization=client.organization, package=candidate, kind=CreditEntry.Kind.USE, amount=-1,
                    booking=booking, turn=turn, idempotency_key=idempotency_key, reason=reason[:300],
                    actor=actor if getattr(actor, "is_authenticated", False) else None,
                )
                if not _take_one(candidate, now):
                    raise _Empty()
        except _Empty:
            continue
        except (IntegrityError, _Moved):
            # The same booking or key was deducted by a concurrent request: nothing twice.
            again = _existing_use(booking=booking, idempotency_key=idempotency_key,
                                  link=BookingCredit.objects.filter(booking=booking).first() if booking else None)
            if again is not None:
                return _same_request(again, package=package, client=client)
            raise CreditError(_("The credit changed at the same moment. Please try again."), "conflict")
        audit.log(organization=client.organization, actor=actor, action="credit.used", obj=candidate,
                  data={"booking": getattr(booking, "pk", None)})
        _emit_low_credits(candidate, client)
        return entry
    raise CreditError(_("No credits left: this client has no valid package with a session remaining."), NO_CREDITS)


def _same_request(entry: CreditEntry, *, package: ClientPackage | None, client: Client) -> CreditEntry:
    """A repeated key answers only the request it was first used for: the same key for another
    package (or another client) is a mistake of the caller, not a retry, and moves nothing."""
    if package is not None and entry.package_id != package.pk:
        raise CreditError(_("This idempotency key was already used for another request."), KEY_REUSED)
    if package is None and entry.package.client_id != client.pk:
        raise CreditError(_("This idempotency key was already used for another request."), KEY_REUSED)
    return entry


class _Empty(Exception):
    pass


class _Moved(Exception):
    """The booking's credit link changed between reading and updating it."""


def _claim_use(*, booking: Any, link: BookingCredit | None, package: ClientPackage) -> int:
    """Mark the booking's credit used (its next turn) with one conditional write; returns the turn.

    The first use creates the link (unique per booking); a later one moves it from ``released``
    to ``used`` only if nobody moved it since it was read."""
    if link is None:
        BookingCredit.objects.create(organization_id=booking.organization_id, booking=booking, package=package,
                                     state=BookingCredit.State.USED, turns=1)
        return 1
    moved = BookingCredit.objects.filter(pk=link.pk, state=BookingCredit.State.RELEASED, turns=link.turns).update(
        state=BookingCredit.State.USED, turns=F("turns") + 1, package=package, updated_at=timezone.now())
    if moved != 1:
        raise _Moved()
    return link.turns + 1


def _emit_low_credits(package: ClientPackage, client: Client) -> None:
    remaining = ClientPackage.objects.filter(pk=package.pk).values_list("remaining", flat=True).first()
    if remaining is not None and remaining <= events.LOW_CREDITS_MAX:
        events.emit("package.low_credits", organization=client.organization, client=client, obj=package,
                    data={"remaining": remaining})


def _turn_entry(link: BookingCredit, kind: str) -> CreditEntry | None:
    return CreditEntry.objects.filter(booking_id=link.booking_id, kind=kind, turn=link.turns).first()


def _existing_use(*, booking: Any, idempotency_key: str | None,
                  link: BookingCredit | None = None) -> CreditEntry | None:
    if booking is not None:
        if link is None or link.state != BookingCredit.State.USED:
            return None
        return _turn_entry(link, CreditEntry.Kind.USE)
    if idempotency_key:
        return CreditEntry.objects.filter(idempotency_key=idempotency_key).first()
    return None


def release_session(*, booking: Any, actor: Any, reason: str = "") -> CreditEntry | None:
    """Give back the credit a booking uses, once per use, and only while it is used.

    One conditional UPDATE moves the link from ``used`` to ``released``; the ledger row of that
    turn is unique, so a second call (or a concurrent one) returns the entry already written.
    Returns None when the booking never used a credit."""
    link = BookingCredit.objects.filter(booking=booking).first()
    if link is None:
        return None
    if link.state != BookingCredit.State.USED:
        return _turn_entry(link, CreditEntry.Kind.RELEASE)
    with transaction.atomic():
        moved = BookingCredit.objects.filter(pk=link.pk, state=BookingCredit.State.USED, turns=link.turns).update(
            state=BookingCredit.State.RELEASED, updated_at=timezone.now())
        if moved != 1:  # released (or used again) by a concurrent request
            again = BookingCredit.objects.get(pk=link.pk)
            return _turn_entry(again, CreditEntry.Kind.RELEASE) if again.state == BookingCredit.State.RELEASED \
                else None
        entry = CreditEntry.objects.create(
            organization_id=link.organization_id, package_id=link.package_id, kind=CreditEntry.Kind.RELEASE,
            amount=1, booking=booking, turn=link.turns, reason=reason[:300],
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
        ClientPackage.objects.filter(pk=link.package_id).update(remaining=F("remaining") + 1)
    audit.log(organization=booking.organization, actor=actor, action="credit.released", obj=link.package,
              data={"booking": booking.pk})
    return entry


def _uses_a_credit(booking: Booking) -> tuple[bool, str]:
    """Whether the booking's current state uses a credit under its business's policy, and why."""
    organization = booking.organization
    status = booking.status
    if status == Booking.Status.COMPLETED:
        return True, "session completed"
    if status == Booking.Status.NO_SHOW:
        return (True, "no-show") if organization.no_show_forfeits_credit else \
            (False, "no-show, credit kept by policy")
    if status in (Booking.Status.CANCELLED_BY_CLIENT, Booking.Status.CANCELLED_BY_COACH):
        if booking.late_cancellation and organization.late_cancellation_forfeits_credit:
            return True, "late cancellation"
        return False, "cancelled"
    return False, "booking reinstated"


def booking_credit_follow(*, booking: Booking, actor: Any = None) -> CreditEntry | None:
    """Make a booking's credit follow its current state, however often it is re-marked.

    Completed, a no-show that forfeits, a late cancellation that forfeits: the booking uses a
    credit (once while it stays so). Anything else: a credit it uses comes back (once). Called
    by the credits listener in the transaction of the booking's change (``apps.py``). A session
    that happened while the client had no credit still counts: the coach sees who owes one
    (audit ``credit.none_available``)."""
    uses, reason = _uses_a_credit(booking)
    if not uses:
        return release_session(booking=booking, actor=actor, reason=reason)
    try:
        return use_session(client=booking.client, booking=booking, actor=actor, reason=reason)
    except CreditError as exc:
        if exc.code != NO_CREDITS:
            raise
        audit.log(organization=booking.organization, actor=actor, action="credit.none_available", obj=booking)
        return None


@transaction.atomic
def package_adjust(*, package: ClientPackage, amount: int, reason: str, actor: Any) -> CreditEntry:
    """Add or remove credits by hand; a reason is required."""
    if not reason.strip():
        raise CreditError(_("Say why the credits change."))
    if amount == 0:
        raise CreditError(_("The adjustment must add or remove at least one credit."))
    updated = ClientPackage.objects.filter(pk=package.pk, remaining__gte=max(-amount, 0)).update(
        remaining=F("remaining") + amount)
    if updated != 1:
        raise CreditError(_("The package has fewer credits than that."), NO_CREDITS)
    entry = CreditEntry.objects.create(organization=package.organization, package=package,
                                       kind=CreditEntry.Kind.ADJUSTMENT, amount=amount, reason=reason.strip()[:300],
                                       actor=actor if getattr(actor, "is_authenticated", False) else None)
    audit.log(organization=package.organization, actor=actor, action="credit.adjusted", obj=package,
              data={"amount": amount, "reason": reason.strip()[:300]})
    return entry


def packages_expire(*, now: datetime | None = None) -> int:
    """Expire packages past their date: their remaining credits leave through one ledger row."""
    now = now or timezone.now()
    count = 0
    for package_id in ClientPackage.objects.filter(status=ClientPackage.Status.ACTIVE, expires_at__lte=now) \
            .values_list("pk", flat=True):
        with transaction.atomic():
            package = ClientPackage.objects.select_for_update().get(pk=package_id)
            if package.status != ClientPackage.Status.ACTIVE:
                continue
            if package.remaining:
                CreditEntry.objects.create(organization=package.organization, package=package,
                                           kind=CreditEntry.Kind.EXPIRY, amount=-package.remaining)
            expired_with = package.remaining
            package.remaining = 0
            package.status = ClientPackage.Status.EXPIRED
            package.save(update_fields=["remaining", "status"])
            events.emit("package.expired", organization=package.organization, client=package.client_id, obj=package,
                        data={"remaining": expired_with})
            count += 1
    return count


PLAN_FIELDS = ("name", "sessions", "price_minor", "validity_days", "active")


@transaction.atomic
def package_plan_update(*, plan: PackagePlan, actor: Any, data: dict[str, Any]) -> PackagePlan:
    """Change a plan. Packages already given keep their own copy (name, total, expiry, session
    types), so nothing here reaches them; only packages given from now on see the change.

    ``data`` holds the fields to change: any of PLAN_FIELDS and ``session_types`` (a list).
    """
    unknown = set(data) - {*PLAN_FIELDS, "session_types"}
    if unknown:
        raise CreditError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    plan = PackagePlan.objects.select_for_update().get(pk=plan.pk)
    if "name" in data:
        data["name"] = str(data["name"]).strip()[:100]
        if not data["name"]:
            raise CreditError(_("Give the package a name."))
    if "sessions" in data and data["sessions"] < 1:
        raise CreditError(_("A package has at least one session."))
    if "validity_days" in data and data["validity_days"] < 1:
        raise CreditError(_("A package is valid for at least one day."))
    if "price_minor" in data and data["price_minor"] < 0:
        raise CreditError(_("The price cannot be negative."))
    changes: dict[str, list[Any]] = {}
    for field in PLAN_FIELDS:
        if field in data and getattr(plan, field) != data[field]:
            changes[field] = [getattr(plan, field), data[field]]
            setattr(plan, field, data[field])
    if changes:
        plan.save(update_fields=list(changes))
    if "session_types" in data:
        new_types = list(data["session_types"] or [])
        if any(t.organization_id != plan.organization_id for t in new_types):
            raise CreditError(_("That session type belongs to another business."))
        before = sorted(plan.session_types.values_list("pk", flat=True))
        after = sorted(t.pk for t in new_types)
        if before != after:
            plan.session_types.set(new_types)
            changes["session_types"] = [before, after]
    if changes:
        audit.log(organization=plan.organization, actor=actor, action="package_plan.updated", obj=plan,
                  data={"changes": changes})
    return plan


def low_balance_clients(*, threshold: int = 1, within_days: int = 14,
                        now: datetime | None = None) -> list[ClientPackage]:
    """Active, still valid packages that need a word with the client: at most ``threshold``
    credits left, or expiring within ``within_days``. One row per package, client loaded,
    the soonest expiry first; each row carries ``is_low`` and ``is_expiring``.

    Reads inside the current tenant scope (the caller's business), like every selector.
    """
    now = now or timezone.now()
    soon = now + timedelta(days=within_days)
    packages = list(
        ClientPackage.objects.filter(status=ClientPackage.Status.ACTIVE, expires_at__gt=now)
        .filter(Q(remaining__lte=threshold) | Q(expires_at__lte=soon))
        .select_related("client").order_by("expires_at", "id")
    )
    for package in packages:
        package.is_low = package.remaining <= threshold  # type: ignore[attr-defined]
        package.is_expiring = package.expires_at <= soon  # type: ignore[attr-defined]
    return packages
