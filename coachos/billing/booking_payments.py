"""Booking that settles itself: a credit or a card payment taken when the booking is made.

Scheduling books and emits ``booking.announced`` (with the client's ``pay_with``) in the booking's
transaction; ``settle`` (a required listener, ``apps.py``) settles it there, so a booking that
cannot be settled is not made:

- ``credit``: one credit reserved through ``credits.use_session`` (once per booking); the credits
  listener gives it back on an in-time cancellation (``booking_credit_follow``), once.
- ``pay``: a ``Purchase`` for the price (or the deposit) and its Stripe Checkout (or the local test
  checkout) with ``metadata.coachos_booking_id``; the booking is held unpaid for ``HOLD_MINUTES``
  and is ``paid`` when the webhook says so (``purchase_paid``, under the row's lock: once).
  Unpaid at the hold's end, ``expire_unpaid`` cancels it and frees the slot; a payment that still
  arrives is refunded in full automatically and the client told.
- ``either``: the client's choice, else a credit when they have one, else the card.

A cancellation (``cancelled``, required listener on ``booking.cancelled``) settles the money by
the business's policy: in time (or cancelled by the business, which waives any fee) → full refund;
late (or a no-show) with ``late_cancellation_forfeits_credit`` → the deposit or price is kept.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Client
from coachos.common import formats
from coachos.common.events import Event
from coachos.credits import services as credits
from coachos.credits.models import BookingCredit, ClientPackage
from coachos.scheduling.models import Booking, PaymentMode, SessionType
from coachos.scheduling.services.errors import SchedulingError
from coachos.scheduling.settlement import Preview
from coachos.tenancy import audit

from . import gateway as gateway_module
from . import notify, services
from .accounts import application_fee, fee_bps_for
from .models import BookingPayment, Purchase

logger = logging.getLogger(__name__)

HOLD_MINUTES = 10
CARD, CREDIT = "card", "credit"


# --- what will happen (before the client confirms) -------------------------------------------

def _money(minor: int, currency: str) -> str:
    return formats.format_money(minor, currency)


def _package_for(client: Client | None, session_type: SessionType, now: datetime) -> ClientPackage | None:
    """The package a credit booking would use: the valid one expiring first (as ``use_session``)."""
    if client is None or client.pk is None:
        return None
    from django.db.models import Q

    return (ClientPackage.objects.filter(client=client, status=ClientPackage.Status.ACTIVE, expires_at__gt=now,
                                         remaining__gt=0)
            .filter(Q(session_types=None) | Q(session_types=session_type)).distinct()
            .order_by("expires_at", "id").first())


def _card_text(session_type: SessionType, currency: str) -> str:
    now_minor = session_type.charge_now_minor
    if now_minor < session_type.price_minor:
        return _("Pay a %(deposit)s deposit now, %(rest)s at the session.") % {
            "deposit": _money(now_minor, currency), "rest": _money(session_type.price_minor - now_minor, currency)}
    return _("Pay %(amount)s now.") % {"amount": _money(now_minor, currency)}


def _credit_text(package: ClientPackage) -> str:
    return _("Uses 1 credit of your %(package)s (%(left)s left).") % {
        "package": package.name, "left": package.remaining - 1}


def _is_new_client(client: Client | None, *, exclude_booking: int | None = None) -> bool:
    if client is None or client.pk is None:
        return True
    bookings = Booking.objects.filter(client=client)
    if exclude_booking is not None:
        bookings = bookings.exclude(pk=exclude_booking)
    paid = Purchase.objects.filter(client=client, status__in=[Purchase.Status.PAID,
                                                              Purchase.Status.PARTIALLY_REFUNDED])
    return not bookings.exists() and not paid.exists()


def policy_text(session_type: SessionType) -> str:
    organization = session_type.organization
    if session_type.payment_mode == PaymentMode.FREE:
        return ""
    if not organization.late_cancellation_forfeits_credit:
        return _("Cancel any time: your credit or payment comes back.")
    kept = _money(session_type.charge_now_minor, organization.currency)
    if session_type.payment_mode == PaymentMode.CREDIT:
        return _("Cancel in time and your credit comes back; a late cancellation or a no-show uses it.")
    return _("Cancel in time for a full refund (or your credit back); a late cancellation or a no-show keeps "
             "%(fee)s.") % {"fee": kept}


def preview(*, client: Client | None, session_type: SessionType, now: datetime | None = None) -> Preview:
    """What booking ``session_type`` will do for ``client`` (None: a visitor not known yet)."""
    now = now or timezone.now()
    mode = session_type.payment_mode
    currency = session_type.organization.currency
    refused = ""
    if session_type.new_clients_only and not _is_new_client(client):
        refused = _("This intro offer is for new clients only.")
    policy = policy_text(session_type)
    if mode == PaymentMode.FREE or (mode != PaymentMode.CREDIT and session_type.price_minor <= 0):
        return Preview(text="", policy=policy, refused=refused)
    package = _package_for(client, session_type, now) if mode in (PaymentMode.CREDIT, PaymentMode.EITHER) else None
    if mode == PaymentMode.CREDIT:
        text = _credit_text(package) if package else _("Needs a package credit: buy a package first.")
        return Preview(text=text, policy=policy, refused=refused)
    if mode == PaymentMode.PAY:
        return Preview(text=_card_text(session_type, currency), policy=policy, refused=refused)
    choices: list[tuple[str, str]] = []
    if package is not None:
        choices.append((CREDIT, _credit_text(package)))
    choices.append((CARD, _card_text(session_type, currency)))
    return Preview(text=choices[0][1], choices=tuple(choices), policy=policy, refused=refused)


# --- settling the booking (in its transaction) ------------------------------------------------

def settle_listener(event: Event) -> None:
    """``booking.announced``: settle the new booking as its session type says."""
    if event.object_id is None:
        return
    booking = Booking.objects.select_related("organization", "client", "session__session_type").filter(
        pk=event.object_id).first()
    if booking is None:
        return
    settle(booking=booking, by=str(event.data.get("by") or "client"),
           pay_with=str(event.data.get("pay_with") or ""))


def settle(*, booking: Booking, by: str, pay_with: str = "", now: datetime | None = None) -> BookingPayment:
    """Settle a booking once (a second call returns the row already written)."""
    existing = BookingPayment.objects.filter(booking=booking).first()
    if existing is not None:
        return existing
    now = now or timezone.now()
    session_type = booking.session.session_type
    organization = booking.organization
    client = booking.client
    mode = session_type.payment_mode
    row = BookingPayment(organization=organization, booking=booking, client=client,
                         price_minor=session_type.price_minor, currency=organization.currency)
    if by != "coach" and session_type.new_clients_only and not _is_new_client(client, exclude_booking=booking.pk):
        raise SchedulingError(_("This intro offer is for new clients only."), "new_clients_only")
    if pay_with not in ("", CREDIT, CARD):
        raise SchedulingError(_("Choose to pay with a credit or a card."), "invalid")
    if mode == PaymentMode.FREE:
        row.save()
        return row
    use_credit = mode == PaymentMode.CREDIT or (mode == PaymentMode.EITHER and pay_with != CARD)
    if use_credit:
        package = _package_for(client, session_type, now)
        if package is not None or mode == PaymentMode.CREDIT and by != "coach" or pay_with == CREDIT:
            try:
                entry = credits.use_session(client=client, booking=booking, actor=None, reason="booked")
            except credits.CreditError as exc:
                if by == "coach" and exc.code == credits.NO_CREDITS:
                    row.save()  # the coach booked it: they settle it with the client
                    return row
                if exc.code == credits.NO_CREDITS:
                    raise SchedulingError(_("No credits left for this session: buy a package first."),
                                          "no_credits") from exc
                raise
            row.method, row.status = BookingPayment.Method.CREDIT, BookingPayment.Status.CREDIT_USED
            row.client_package_id = entry.package_id
            row.save()
            audit.log(organization=organization, actor=None, action="booking.credit_reserved", obj=booking,
                      data={"package": entry.package_id})
            return row
    if by == "coach" or session_type.charge_now_minor <= 0:
        row.save()  # booked by the coach: paid at the session, as before
        return row
    return _card(row=row, booking=booking, session_type=session_type, now=now)


def _card(*, row: BookingPayment, booking: Booking, session_type: SessionType, now: datetime) -> BookingPayment:
    organization = booking.organization
    amount = session_type.charge_now_minor
    try:
        services._check_online_payments(organization)
    except services.PaymentError as exc:
        raise SchedulingError(str(exc), "payment_unavailable") from exc
    description = (_("%(type)s (deposit)") if amount < session_type.price_minor else "%(type)s") % {
        "type": session_type.name}
    purchase = Purchase.objects.create(
        organization=organization, client=booking.client, kind=Purchase.Kind.OTHER, method=Purchase.Method.STRIPE,
        source=Purchase.Source.PORTAL, description=description[:200], amount_minor=amount,
        currency=organization.currency, application_fee_minor=application_fee(amount, fee_bps_for(organization)),
    )
    row.method, row.status = BookingPayment.Method.CARD, BookingPayment.Status.PENDING
    row.purchase, row.charged_minor = purchase, amount
    row.hold_expires_at = now + timedelta(minutes=HOLD_MINUTES)
    row.save()
    try:
        services.purchase_checkout(purchase=purchase, return_path=_return_path(purchase),
                                   extra_metadata={"coachos_booking_id": str(booking.pk)})
    except (services.PaymentError, gateway_module.GatewayError) as exc:
        raise SchedulingError(str(exc), "payment_unavailable") from exc
    audit.log(organization=organization, actor=None, action="booking.payment_started", obj=booking,
              data={"purchase": purchase.pk, "amount_minor": amount})
    return row


def _return_path(purchase: Purchase) -> str:
    """The client comes back to the payment's own page (works signed in or not): it says paid."""
    return reverse("portal_billing:pay", kwargs={"org_slug": purchase.organization.slug,
                                                 "token": services.pay_link_token(purchase)})


# --- the webhook says paid --------------------------------------------------------------------

def purchase_paid(purchase: Purchase) -> None:
    """A booking's payment arrived (called once per purchase by ``purchase_complete``, under its
    lock). The booking is paid; if its hold expired and it was cancelled, the money goes back."""
    row = BookingPayment.objects.select_for_update().select_related("booking").filter(purchase=purchase).first()
    if row is None:
        return
    if row.status == BookingPayment.Status.PENDING and row.booking.status == Booking.Status.CONFIRMED:
        row.status = BookingPayment.Status.PAID
        row.hold_expires_at = None
        row.save(update_fields=["status", "hold_expires_at", "updated_at"])
        audit.log(organization=row.organization, actor=None, action="booking.paid", obj=row.booking,
                  data={"purchase": purchase.pk})
        return
    if row.status in (BookingPayment.Status.EXPIRED, BookingPayment.Status.CANCELLED, BookingPayment.Status.PENDING):
        _refund_late_payment(row, purchase)


def _refund_late_payment(row: BookingPayment, purchase: Purchase) -> None:
    services.purchase_refund(purchase=purchase, actor=None, reason=_("Paid after the booking's hold ended"))
    row.status = BookingPayment.Status.REFUNDED
    row.refund_minor = purchase.amount_minor
    row.save(update_fields=["status", "refund_minor", "updated_at"])
    audit.log(organization=row.organization, actor=None, action="booking.late_payment_refunded", obj=row.booking,
              data={"purchase": purchase.pk, "amount_minor": purchase.amount_minor})
    notify.booking_payment_refunded(purchase)


# --- the hold ends unpaid ---------------------------------------------------------------------

def expire_unpaid(*, now: datetime | None = None) -> int:
    """Card bookings still unpaid when their hold ends are cancelled: the slot is free again."""
    from coachos.scheduling.services import COACH, booking_cancel

    now = now or timezone.now()
    with scopes_disabled():
        due = list(BookingPayment.objects.filter(status=BookingPayment.Status.PENDING, hold_expires_at__lte=now)
                   .select_related("organization").values_list("pk", "organization_id"))
    expired = 0
    for pk, organization_id in due:
        with scopes_disabled():
            from coachos.tenancy.models import Organization

            organization = Organization.objects.get(pk=organization_id)
        with scope(organization=organization), transaction.atomic():
            row = BookingPayment.objects.select_for_update().select_related("booking").get(pk=pk)
            if row.status != BookingPayment.Status.PENDING:
                continue
            row.status = BookingPayment.Status.EXPIRED
            row.save(update_fields=["status", "updated_at"])
            if row.booking.status == Booking.Status.CONFIRMED:
                try:
                    booking_cancel(booking=row.booking, actor=None, by=COACH, reason="not paid in time", now=now)
                except SchedulingError:
                    logger.warning("unpaid booking not cancelled", extra={"booking_id": row.booking_id})
            if row.purchase_id is not None:
                Purchase.objects.filter(pk=row.purchase_id, status=Purchase.Status.PENDING).update(
                    status=Purchase.Status.CANCELLED)
            expired += 1
    return expired


# --- cancellation -----------------------------------------------------------------------------

def cancelled_listener(event: Event) -> None:
    """``booking.cancelled``: settle the money by the business's policy, once."""
    if event.object_id is None:
        return
    row = BookingPayment.objects.select_for_update().filter(booking_id=event.object_id).first()
    if row is None or row.cancelled:
        return
    booking = Booking.objects.select_related("organization").get(pk=event.object_id)
    forfeits = booking.late_cancellation and booking.organization.late_cancellation_forfeits_credit
    row.cancelled = True
    if row.status == BookingPayment.Status.CREDIT_USED:
        row.credit_released = not forfeits
    elif row.status == BookingPayment.Status.PENDING:
        row.status = BookingPayment.Status.CANCELLED
        if row.purchase_id is not None:
            Purchase.objects.filter(pk=row.purchase_id, status=Purchase.Status.PENDING).update(
                status=Purchase.Status.CANCELLED)
    elif row.status == BookingPayment.Status.PAID and row.purchase is not None:
        kept = row.charged_minor if forfeits else 0
        refund = max(row.purchase.refundable_minor - kept, 0)
        if refund > 0:
            services.purchase_refund(purchase=row.purchase, actor=None, amount_minor=refund,
                                     reason=_("Booking cancelled"))
        row.refund_minor, row.fee_kept_minor = refund, kept
        if kept == 0:
            row.status = BookingPayment.Status.REFUNDED
    row.save()
    audit.log(organization=row.organization, actor=None, action="booking.money_settled", obj=booking,
              data={"refund_minor": row.refund_minor, "fee_kept_minor": row.fee_kept_minor,
                    "credit_released": row.credit_released})


# --- what the pages and the API show ----------------------------------------------------------

def describe(booking: Booking) -> dict[str, Any]:
    row = BookingPayment.objects.select_related("purchase").filter(booking=booking).first()
    if row is None:
        return {"status": "none"}
    out: dict[str, Any] = {"status": row.status, "method": row.method, "amount_minor": row.charged_minor,
                           "price_minor": row.price_minor, "currency": row.currency}
    if row.status == BookingPayment.Status.PENDING and row.purchase is not None:
        out["checkout_url"] = row.purchase.checkout_url
        out["hold_expires_at"] = row.hold_expires_at
    if row.client_package_id is not None:
        out["client_package"] = row.client_package_id
        package = ClientPackage.objects.filter(pk=row.client_package_id).values("remaining", "name").first()
        if package is not None:
            out["credits_left"], out["package_name"] = package["remaining"], package["name"]
    if row.purchase_id is not None:
        out["purchase"] = row.purchase_id
    return out


def cancel_outcome(booking: Booking) -> dict[str, Any]:
    row = BookingPayment.objects.filter(booking=booking).first()
    if row is None or not row.cancelled:
        released = BookingCredit.objects.filter(booking=booking, state=BookingCredit.State.RELEASED).exists()
        return {"refund_minor": 0, "credit_released": released, "fee_kept_minor": 0}
    return {"refund_minor": row.refund_minor, "credit_released": row.credit_released,
            "fee_kept_minor": row.fee_kept_minor}


def booking_purchase_ids(booking_id: int) -> list[int]:
    """The purchases of a booking (for the ledger's ``?booking=`` filter)."""
    return [pk for pk in BookingPayment.objects.filter(booking_id=booking_id, purchase__isnull=False)
            .values_list("purchase_id", flat=True) if pk is not None]
