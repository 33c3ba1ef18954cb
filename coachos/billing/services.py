"""Taking money: purchases (online checkout), manual payments, completion and refunds.

Every money movement is a row in the books (``money_event_record``) keyed by an external id,
so running any of this twice records nothing twice. Credits arrive through
``credits.services.package_grant`` with the purchase as idempotency key: exactly once.
Completion and refunds lock the purchase row, so concurrent webhooks serialize on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.books.models import MoneyEvent
from coachos.clients.models import Client
from coachos.common import events
from coachos.credits import services as credits
from coachos.credits.models import ClientPackage, PackagePlan
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import gateway as gateway_module
from . import notify
from .accounts import application_fee, billing_account_for, fee_bps_for
from .ledger import processing_fee_after_commit, record_money
from .models import ClientMembership, MembershipPlan, Purchase

logger = logging.getLogger(__name__)

PAY_LINK_SALT = "coachos.billing.pay-link"
MAX_AMOUNT_MINOR = 100_000_000
MANUAL_METHODS = (Purchase.Method.CASH, Purchase.Method.BANK_TRANSFER, Purchase.Method.CARD_TERMINAL)


class PaymentError(Exception):
    """A payment action that cannot happen; the message is for people. ``code`` for the API."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


# --- creating purchases -------------------------------------------------------------------------

def _check_online_payments(organization: Organization) -> None:
    gateway = gateway_module.get_gateway()
    if gateway.local:
        if gateway_module.test_mode():
            return
        raise PaymentError(_("This business takes manual payments only: online payments need Stripe."),
                           "manual_only")
    account = billing_account_for(organization)
    if not account.stripe_account_id or not account.charges_enabled:
        raise PaymentError(_("Connect your Stripe account before taking payments online."), "not_connected")


@transaction.atomic
def purchase_create(*, client: Client, plan: PackagePlan | None = None, membership_plan: MembershipPlan | None = None,
                    actor: Any, source: str = Purchase.Source.API) -> Purchase:
    """A pending purchase of a package (or a membership) for a client. Nothing is granted yet."""
    organization = client.organization
    if (plan is None) == (membership_plan is None):
        raise PaymentError(_("Choose a package or a membership."))
    product = plan or membership_plan
    assert product is not None
    if product.organization_id != organization.pk:
        raise PaymentError(_("That belongs to another business."))
    if source == Purchase.Source.PORTAL and not product.active:
        raise PaymentError(_("This is not on sale."), "not_on_sale")
    price = product.price_minor
    if price <= 0:
        raise PaymentError(_("A free package is given from the client's page, not sold."), "free")
    _check_online_payments(organization)
    membership = None
    kind = Purchase.Kind.ONE_OFF
    if membership_plan is not None:
        kind = Purchase.Kind.MEMBERSHIP
        membership = ClientMembership.objects.create(organization=organization, client=client, plan=membership_plan)
    purchase = Purchase.objects.create(
        organization=organization, client=client, plan=plan, membership=membership, kind=kind,
        method=Purchase.Method.STRIPE, source=source, description=product.name[:200], amount_minor=price,
        currency=organization.currency, application_fee_minor=application_fee(price, fee_bps_for(organization)),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit.log(organization=organization, actor=actor, action="purchase.created", obj=purchase,
              data={"amount_minor": price, "kind": kind, "source": source})
    return purchase


def _return_path(organization: Organization, return_path: str) -> str:
    """Where the client comes back to after checkout: a path on this site (the portal's payments
    page unless the caller, e.g. onboarding, names its own page)."""
    if not return_path:
        return reverse("portal_billing:index", kwargs={"org_slug": organization.slug})
    if not return_path.startswith("/") or return_path.startswith("//"):
        raise ValueError("return_path must be a path on this site")
    return return_path


def _success_url(organization: Organization, purchase: Purchase, return_path: str = "") -> str:
    path = _return_path(organization, return_path)
    return f"{settings.PUBLIC_BASE_URL}{path}{'&' if '?' in path else '?'}paid={purchase.pk}"


def purchase_checkout(*, purchase: Purchase, force_new: bool = False, return_path: str = "",
                      extra_metadata: dict[str, str] | None = None) -> Purchase:
    """Make (or reuse) the Stripe Checkout Session for a pending purchase; sets ``checkout_url``.

    The idempotency key names the purchase and the attempt: a retried call returns the same
    session instead of a second one. A new attempt is made only when the last session expired.
    ``return_path`` (a path on this site) is where the client lands after paying (with
    ``?paid=<id>``) or cancelling; by default the portal's payments page.
    """
    now = timezone.now()
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
        if purchase.status != Purchase.Status.PENDING:
            raise PaymentError(_("This payment is already %(status)s.") % {
                "status": purchase.get_status_display().lower()}, "not_pending")
        fresh = purchase.checkout_url and (purchase.checkout_expires_at is None or purchase.checkout_expires_at > now)
        if fresh and not force_new:
            return purchase
        attempt = purchase.checkout_attempts + 1
        organization = purchase.organization
        account = billing_account_for(organization)
        gateway = gateway_module.get_gateway()
        metadata = {**(extra_metadata or {}), "coachos_purchase_id": str(purchase.pk),
                    "coachos_org": str(organization.pk)}
        common: dict[str, Any] = {
            "account_id": account.stripe_account_id, "purchase_id": purchase.pk, "name": purchase.description,
            "amount_minor": purchase.amount_minor, "currency": purchase.currency,
            "customer_email": purchase.client.email, "metadata": metadata,
            "success_url": _success_url(organization, purchase, return_path),
            "cancel_url": f"{settings.PUBLIC_BASE_URL}{_return_path(organization, return_path)}",
            "key": gateway_module.idempotency_key("purchase", purchase.pk, "checkout", attempt),
        }
        if purchase.kind == Purchase.Kind.MEMBERSHIP:
            metadata["coachos_membership_id"] = str(purchase.membership_id)
            session = gateway.checkout_subscription(fee_bps=fee_bps_for(organization), **common)
        else:
            session = gateway.checkout_payment(application_fee_minor=purchase.application_fee_minor, **common)
        purchase.checkout_session_id = session.id
        purchase.checkout_url = session.url
        purchase.checkout_expires_at = session.expires_at or now + timedelta(hours=23)
        purchase.checkout_attempts = attempt
        purchase.save(update_fields=["checkout_session_id", "checkout_url", "checkout_expires_at",
                                     "checkout_attempts"])
    logger.info("checkout created", extra={"purchase_id": purchase.pk, "attempt": attempt})
    return purchase


def pay_link_token(purchase: Purchase) -> str:
    return signing.dumps({"p": purchase.pk, "o": purchase.organization_id}, salt=PAY_LINK_SALT)


def pay_link_purchase_id(token: str, organization: Organization) -> int | None:
    try:
        data = signing.loads(token, salt=PAY_LINK_SALT, max_age=timedelta(days=60))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("o") != organization.pk:
        return None
    pk = data.get("p")
    return pk if isinstance(pk, int) else None


def pay_link_url(purchase: Purchase) -> str:
    path = reverse("portal_billing:pay", kwargs={"org_slug": purchase.organization.slug,
                                                 "token": pay_link_token(purchase)})
    return f"{settings.PUBLIC_BASE_URL}{path}"


@transaction.atomic
def payment_link_send(*, client: Client, plan: PackagePlan | None = None,
                      membership_plan: MembershipPlan | None = None, actor: Any) -> tuple[Purchase, str]:
    """A pending purchase and a link that opens its checkout, emailed to the client."""
    purchase = purchase_create(client=client, plan=plan, membership_plan=membership_plan, actor=actor,
                               source=Purchase.Source.LINK)
    link = pay_link_url(purchase)
    notify.payment_link_send(purchase, link)
    audit.log(organization=client.organization, actor=actor, action="purchase.link_sent", obj=purchase)
    return purchase, link


@transaction.atomic
def purchase_cancel(*, purchase: Purchase, actor: Any) -> Purchase:
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    if purchase.status != Purchase.Status.PENDING:
        raise PaymentError(_("Only a payment awaiting payment can be cancelled."), "not_pending")
    purchase.status = Purchase.Status.CANCELLED
    purchase.save(update_fields=["status"])
    if purchase.membership_id is not None:
        ClientMembership.objects.filter(pk=purchase.membership_id, status=ClientMembership.Status.PENDING) \
            .update(status=ClientMembership.Status.CANCELLED)
    audit.log(organization=purchase.organization, actor=actor, action="purchase.cancelled", obj=purchase)
    return purchase


# --- completing a purchase (from a webhook) -------------------------------------------------------

def _status_after_refunds(purchase: Purchase) -> str:
    if purchase.refunded_minor <= 0:
        return Purchase.Status.PAID
    if purchase.refunded_minor >= purchase.amount_minor:
        return Purchase.Status.REFUNDED
    return Purchase.Status.PARTIALLY_REFUNDED


def purchase_flag(*, purchase: Purchase, reason: str) -> Purchase:
    """Something about the payment does not add up: grant nothing, tell the coach."""
    if purchase.flagged and purchase.flag_reason == reason[:300]:
        return purchase
    purchase.flagged = True
    purchase.flag_reason = reason[:300]
    purchase.save(update_fields=["flagged", "flag_reason"])
    audit.log(organization=purchase.organization, actor=None, action="purchase.flagged", obj=purchase,
              data={"reason": purchase.flag_reason})
    notify._notify_flagged(purchase)
    logger.warning("purchase flagged", extra={"purchase_id": purchase.pk, "organization_id": purchase.organization_id})
    return purchase


def purchase_complete(*, purchase_id: int, amount_minor: int, currency: str, payment_intent_id: str = "",
                      checkout_session_id: str = "", invoice_id: str = "", application_fee_minor: int | None = None,
                      occurred_at: datetime | None = None) -> tuple[Purchase, bool]:
    """Stripe says the purchase was paid. Returns (purchase, completed_now).

    Exactly once, whichever event tells us first or how often: the purchase row is locked,
    a paid purchase is left as it is, and the books and credits are keyed by the purchase.
    A different amount or currency grants nothing and flags the purchase for the coach.
    Must run inside the business's scope (and a transaction).
    """
    purchase = Purchase.objects.select_for_update(of=("self",)).select_related("organization", "client", "plan") \
        .get(pk=purchase_id)
    if payment_intent_id and not purchase.payment_intent_id:
        purchase.payment_intent_id = payment_intent_id
        purchase.save(update_fields=["payment_intent_id"])
    if purchase.status in (Purchase.Status.PAID, Purchase.Status.PARTIALLY_REFUNDED, Purchase.Status.REFUNDED):
        return purchase, False
    if amount_minor != purchase.amount_minor or currency.upper() != purchase.currency.upper():
        purchase_flag(purchase=purchase, reason=_(
            "Stripe reported %(got)s %(got_cur)s but the purchase is for %(want)s %(want_cur)s; nothing was granted."
        ) % {"got": amount_minor, "got_cur": currency.upper(), "want": purchase.amount_minor,
             "want_cur": purchase.currency})
        return purchase, False
    now = timezone.now()
    purchase.status = Purchase.Status.PAID
    purchase.paid_at = occurred_at or now
    if checkout_session_id and not purchase.checkout_session_id:
        purchase.checkout_session_id = checkout_session_id
    if invoice_id and not purchase.invoice_id:
        purchase.invoice_id = invoice_id
    if application_fee_minor is not None:
        purchase.application_fee_minor = application_fee_minor
    purchase.status = _status_after_refunds(purchase)  # a refund may have arrived before the payment
    if purchase.kind == Purchase.Kind.ONE_OFF and purchase.plan is not None \
            and purchase.refunded_minor < purchase.amount_minor:
        purchase.client_package = credits.package_grant(
            client=purchase.client, plan=purchase.plan, actor=None, source=ClientPackage.Source.SOLD,
            idempotency_key=f"purchase:{purchase.pk}", now=now,
        )
    purchase.save()
    record_money(purchase, MoneyEvent.Kind.SALE, purchase.amount_minor, f"purchase:{purchase.pk}")
    record_money(purchase, MoneyEvent.Kind.PLATFORM_FEE, purchase.application_fee_minor, f"purchase:{purchase.pk}:fee",
            description=_("Platform fee"))
    audit.log(organization=purchase.organization, actor=None, action="purchase.paid", obj=purchase,
              data={"amount_minor": purchase.amount_minor, "package": purchase.client_package_id})
    notify.receipt_send(purchase)
    processing_fee_after_commit(purchase)
    for hook in PAID_HOOKS:  # a booking's payment: the booking is paid (or refunded) — booking_payments
        hook(purchase)
    logger.info("purchase paid", extra={"purchase_id": purchase.pk, "organization_id": purchase.organization_id})
    return purchase, True


PAID_HOOKS: list[Callable[[Purchase], None]] = []  # filled by BillingConfig.ready (booking_payments)


def purchase_fail(*, purchase_id: int, reason: str = "") -> Purchase:
    """A payment attempt failed. A pending purchase becomes failed; a paid one stays paid (the
    failure was an earlier attempt that arrived late). A later success still completes it."""
    purchase = Purchase.objects.select_for_update().get(pk=purchase_id)
    if purchase.status == Purchase.Status.PENDING:
        purchase.status = Purchase.Status.FAILED
        purchase.save(update_fields=["status"])
        audit.log(organization=purchase.organization, actor=None, action="purchase.failed", obj=purchase,
                  data={"reason": reason[:100]})
        events.emit("payment.failed", organization=purchase.organization, client=purchase.client_id, obj=purchase)
    return purchase


# --- refunds ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class RefundPlan:
    """What a refund will do, shown before the coach confirms it (page and API)."""

    amount_minor: int
    credits_total: int  # the package's credits (0: the payment bought no package)
    credits_unused: int
    credits_to_remove: int

    @property
    def credits_kept(self) -> int:
        return self.credits_unused - self.credits_to_remove


def _unused_credits(purchase: Purchase) -> tuple[ClientPackage | None, int]:
    if purchase.client_package_id is None:
        return None, 0
    package = ClientPackage.objects.get(pk=purchase.client_package_id)
    return package, max(package.remaining, 0)


def refund_credits_default(*, purchase: Purchase, refunded_after: int, total: int, unused: int) -> int:
    """Credits a refund takes away unless the coach says otherwise: in proportion to the money
    refunded once it is done (``refunded_after``), rounded down, less what earlier refunds took
    ($50 of a $150, 3-session package: 1; a second $50: 1 more; the last $50: the last one), at
    most the unused credits."""
    if total <= 0 or purchase.amount_minor <= 0:
        return 0
    refunded_after = min(refunded_after, purchase.amount_minor)
    due = refunded_after * total // purchase.amount_minor - purchase.credits_removed
    return max(0, min(due, unused))


def refund_plan(*, purchase: Purchase, amount_minor: int | None = None,
                credits_to_remove: int | None = None) -> RefundPlan:
    """The refund of ``amount_minor`` (all that is left when None) and the credits it removes
    (``credits_to_remove``, or the proportional default). Raises PaymentError for an amount or a
    number of credits that cannot be."""
    refundable = purchase.refundable_minor
    if refundable <= 0:
        raise PaymentError(_("Nothing left to refund on this payment."), "not_refundable")
    amount = refundable if amount_minor is None else amount_minor
    if amount <= 0:
        raise PaymentError(_("The refund must be more than zero."))
    if amount > refundable:
        raise PaymentError(_("At most %(max)s can be refunded.") % {"max": refundable}, "too_much")
    package, unused = _unused_credits(purchase)
    total = package.total if package is not None else 0
    if credits_to_remove is None:
        credits_to_remove = refund_credits_default(purchase=purchase, refunded_after=purchase.refunded_minor + amount,
                                                   total=total, unused=unused)
    elif not 0 <= credits_to_remove <= unused:
        raise PaymentError(_("Choose between 0 and %(n)s credits to remove.") % {"n": unused}, "invalid_credits")
    return RefundPlan(amount_minor=amount, credits_total=total, credits_unused=unused,
                      credits_to_remove=credits_to_remove)


def _remove_credits(purchase: Purchase, count: int, actor: Any, reason: str) -> int:
    if count <= 0 or purchase.client_package_id is None:
        return 0
    package = ClientPackage.objects.get(pk=purchase.client_package_id)
    count = min(count, package.remaining)
    if count <= 0:
        return 0
    credits.package_adjust(package=package, amount=-count, reason=reason, actor=actor)
    purchase.credits_removed += count
    purchase.save(update_fields=["credits_removed"])
    return count


def purchase_refund(*, purchase: Purchase, actor: Any, amount_minor: int | None = None,
                    credits_to_remove: int | None = None, remove_credits: bool | None = None,
                    reason: str = "") -> Purchase:
    """Refund all or part of a payment. Online payments are refunded through Stripe (our key:
    the purchase and the refund's number); manual ones are recorded as paid back by hand.

    Credits of the package it bought: ``credits_to_remove`` (0 to all unused) when given; else
    ``remove_credits`` True (all unused) or False (none); else in proportion to the amount
    (``refund_credits_default``)."""
    if credits_to_remove is not None and remove_credits is not None:
        raise PaymentError(_("Say either how many credits to remove or whether to remove them, not both."))
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update(of=("self",)).select_related("organization", "client") \
            .get(pk=purchase.pk)
        if remove_credits is not None:
            _package, unused = _unused_credits(purchase)
            credits_to_remove = unused if remove_credits else 0
        plan = refund_plan(purchase=purchase, amount_minor=amount_minor, credits_to_remove=credits_to_remove)
        amount = plan.amount_minor
        number = purchase.refund_count + 1
        key = gateway_module.idempotency_key("purchase", purchase.pk, "refund", number)
        if purchase.method == Purchase.Method.STRIPE:
            if not purchase.payment_intent_id:
                raise PaymentError(_("Stripe has not told us the payment's id yet. Try again in a minute."))
            account = billing_account_for(purchase.organization)
            try:
                refund_id = gateway_module.get_gateway().refund(
                    account_id=account.stripe_account_id, payment_intent_id=purchase.payment_intent_id,
                    amount_minor=amount, key=key)
            except gateway_module.GatewayError as exc:
                raise PaymentError(str(exc), "gateway") from exc
        else:
            refund_id = key
        purchase.refunded_minor += amount
        purchase.refund_count = number
        purchase.status = _status_after_refunds(purchase)
        purchase.save(update_fields=["refunded_minor", "refund_count", "status"])
        record_money(purchase, MoneyEvent.Kind.REFUND, amount, refund_id, when=timezone.now(), actor=actor,
                description=reason or _("Refund"))
        removed = _remove_credits(purchase, plan.credits_to_remove, actor, _("Payment refunded"))
        audit.log(organization=purchase.organization, actor=actor, action="purchase.refunded", obj=purchase,
                  data={"amount_minor": amount, "credits_removed": removed})
    return purchase


def refund_from_stripe(*, purchase_id: int, charge_id: str, amount_refunded: int) -> Purchase:
    """``charge.refunded``: Stripe's total refunded on the charge. What we have not recorded yet
    (a refund made in Stripe's dashboard, or before the payment's own event arrived) is recorded
    now. A full refund of a paid package removes its unused credits."""
    purchase = Purchase.objects.select_for_update(of=("self",)).select_related("organization", "client").get(pk=purchase_id)
    total = min(amount_refunded, purchase.amount_minor)
    delta = total - purchase.refunded_minor
    if delta <= 0:
        return purchase
    purchase.refunded_minor = total
    purchase.refund_count += 1
    if purchase.status in (Purchase.Status.PAID, Purchase.Status.PARTIALLY_REFUNDED):
        purchase.status = _status_after_refunds(purchase)
    purchase.save(update_fields=["refunded_minor", "refund_count", "status"])
    record_money(purchase, MoneyEvent.Kind.REFUND, delta, f"{charge_id}:refunded:{total}", when=timezone.now(),
            description=_("Refund (from Stripe)"))
    # Credits go in proportion to what Stripe refunded (a full refund: every unused one).
    package, unused = _unused_credits(purchase)
    due = refund_credits_default(purchase=purchase, refunded_after=purchase.refunded_minor,
                                 total=package.total if package is not None else 0, unused=unused)
    _remove_credits(purchase, due, None, _("Payment refunded in Stripe"))
    audit.log(organization=purchase.organization, actor=None, action="purchase.refunded", obj=purchase,
              data={"amount_minor": delta, "source": "stripe"})
    return purchase


# --- manual payments --------------------------------------------------------------------------------

@transaction.atomic
def manual_payment_record(*, client: Client, amount_minor: int, method: str, actor: Any,
                          plan: PackagePlan | None = None, note: str = "", paid_at: datetime | None = None,
                          description: str = "") -> Purchase:
    """Cash, bank transfer or card terminal: paid now, in the books, optionally with a package."""
    organization = client.organization
    if method not in MANUAL_METHODS:
        raise PaymentError(_("Choose cash, bank transfer or card terminal."))
    if amount_minor <= 0:
        raise PaymentError(_("The amount must be more than zero."))
    if amount_minor > MAX_AMOUNT_MINOR:
        raise PaymentError(_("That amount is too high."))
    if plan is not None and plan.organization_id != organization.pk:
        raise PaymentError(_("That package belongs to another business."))
    now = timezone.now()
    if paid_at is not None and paid_at > now + timedelta(minutes=5):
        raise PaymentError(_("A payment cannot be recorded in the future."))
    text = (description or (plan.name if plan is not None else "") or _("Payment")).strip()[:200]
    purchase = Purchase.objects.create(
        organization=organization, client=client, plan=plan, kind=Purchase.Kind.ONE_OFF if plan else Purchase.Kind.OTHER,
        method=method, source=Purchase.Source.MANUAL, description=text, amount_minor=amount_minor,
        currency=organization.currency, status=Purchase.Status.PAID, paid_at=paid_at or now, note=note[:300],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if plan is not None:
        purchase.client_package = credits.package_grant(
            client=client, plan=plan, actor=actor, source=ClientPackage.Source.SOLD,
            idempotency_key=f"purchase:{purchase.pk}")
        purchase.save(update_fields=["client_package"])
    record_money(purchase, MoneyEvent.Kind.MANUAL_PAYMENT, amount_minor, f"purchase:{purchase.pk}", actor=actor)
    audit.log(organization=organization, actor=actor, action="payment.recorded", obj=purchase,
              data={"amount_minor": amount_minor, "method": method, "plan": getattr(plan, "pk", None)})
    notify.receipt_send(purchase)
    return purchase
