"""What each Stripe event does. Called by ``webhooks.process`` inside a transaction.

Each handler finds the business the event is about (with scopes disabled only for that
lookup), checks the event came from the business's connected account when it has one, and
then works inside ``scope(organization=...)`` through the services.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.books.models import MoneyEvent
from coachos.books.services import money_event_record
from coachos.tenancy.models import Organization

from . import memberships, platform, services
from .accounts import billing_account_for
from .models import BillingAccount, BookingPayment, ClientMembership, Purchase

logger = logging.getLogger(__name__)

PROCESSED, IGNORED, FLAGGED, DEFERRED = "processed", "ignored", "flagged", "deferred"


@dataclass
class Handled:
    result: str
    note: str = ""
    business: Organization | None = None
    waiting_for: str = ""
    unblocks: list[str] = field(default_factory=list)


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _when(value: Any) -> datetime | None:
    number = _int(value)
    return datetime.fromtimestamp(number, tz=UTC) if number else None


def _id(value: Any) -> str:
    """A Stripe reference: an id string, or an expanded object's id."""
    if isinstance(value, dict):
        return str(value.get("id") or "")
    return str(value or "")


def _from_other_account(event: dict[str, Any], organization: Organization) -> bool:
    """The business has a connected account and the event is not from it: ignore (ids only in the log)."""
    expected = billing_account_for(organization).stripe_account_id
    if expected and str(event.get("account") or "") != expected:
        logger.warning("stripe event from another account ignored",
                       extra={"stripe_event_id": event.get("id"), "organization_id": organization.pk})
        return True
    return False


def _purchase(purchase_id: Any = None, payment_intent_id: str = "") -> Purchase | None:
    pk = _int(purchase_id)
    with scopes_disabled():
        if pk is not None:
            found = Purchase.objects.select_related("organization").filter(pk=pk).first()
            if found is not None:
                return found
        if payment_intent_id:
            return Purchase.objects.select_related("organization").filter(payment_intent_id=payment_intent_id).first()
    return None


def _booking_purchase(booking_id: Any) -> Purchase | None:
    """The card payment made with a booking (``metadata.coachos_booking_id``)."""
    pk = _int(booking_id)
    if pk is None:
        return None
    with scopes_disabled():
        row = BookingPayment.objects.select_related("purchase__organization").filter(booking_id=pk).first()
    return row.purchase if row is not None else None


def _organization(value: Any) -> Organization | None:
    pk = _int(value)
    return Organization.objects.filter(pk=pk).first() if pk is not None else None


def _membership(metadata: dict[str, Any], subscription_id: str) -> ClientMembership | None:
    pk = _int(metadata.get("coachos_membership_id"))
    with scopes_disabled():
        query = Q(pk=pk) if pk is not None else Q(pk__in=[])
        if subscription_id:
            query |= Q(stripe_subscription_id=subscription_id)
        return ClientMembership.objects.select_related("organization").filter(query).order_by("pk").first()


def _platform_org(metadata: dict[str, Any], customer_id: str) -> Organization | None:
    organization = _organization(metadata.get("coachos_platform_org"))
    if organization is not None or not customer_id:
        return organization
    with scopes_disabled():
        account = BillingAccount.objects.select_related("organization").filter(
            platform_customer_id=customer_id).first()
    return account.organization if account is not None else None


# --- checkout and payment intents ------------------------------------------------------------------

def checkout_completed(event: dict[str, Any]) -> Handled:
    session = event["data"]["object"]
    metadata = session.get("metadata") or {}
    if metadata.get("coachos_platform_org"):
        organization = _organization(metadata["coachos_platform_org"])
        if organization is None:
            return Handled(IGNORED, "unknown business")
        with scope(organization=organization):
            platform.platform_linked(organization=organization, customer_id=_id(session.get("customer")),
                                     subscription_id=_id(session.get("subscription")))
        return Handled(PROCESSED, "platform subscription linked", organization)
    purchase = _purchase(metadata.get("coachos_purchase_id")) or _booking_purchase(metadata.get("coachos_booking_id"))
    if purchase is None:
        return Handled(IGNORED, "no purchase of ours")
    organization = purchase.organization
    if _from_other_account(event, organization):
        return Handled(IGNORED, "event from another account", organization)
    payment_intent = _id(session.get("payment_intent"))
    with scope(organization=organization):
        if session.get("mode") == "subscription":
            if purchase.membership_id is not None:
                memberships.subscription_linked(membership_id=purchase.membership_id,
                                                subscription_id=_id(session.get("subscription")))
            return Handled(PROCESSED, "subscription linked; the invoice pays it", organization,
                           unblocks=[f"sub:{_id(session.get('subscription'))}"])
        if session.get("payment_status") not in ("paid", "no_payment_required"):
            return Handled(PROCESSED, "awaiting payment", organization)
        done, _now = services.purchase_complete(
            purchase_id=purchase.pk, amount_minor=_int(session.get("amount_total")) or 0,
            currency=str(session.get("currency") or ""), payment_intent_id=payment_intent,
            checkout_session_id=str(session.get("id") or ""), occurred_at=_when(event.get("created")))
    result = FLAGGED if done.flagged and done.status == Purchase.Status.PENDING else PROCESSED
    return Handled(result, done.flag_reason if result == FLAGGED else "", organization,
                   unblocks=[f"pi:{payment_intent}"] if payment_intent else [])


def payment_intent_succeeded(event: dict[str, Any]) -> Handled:
    intent = event["data"]["object"]
    purchase = _purchase((intent.get("metadata") or {}).get("coachos_purchase_id"), _id(intent.get("id")))
    if purchase is None:
        return Handled(IGNORED, "no purchase of ours")
    organization = purchase.organization
    if _from_other_account(event, organization):
        return Handled(IGNORED, "event from another account", organization)
    if purchase.kind == Purchase.Kind.MEMBERSHIP:
        return Handled(IGNORED, "memberships are paid by their invoices", organization)
    with scope(organization=organization):
        done, _now = services.purchase_complete(
            purchase_id=purchase.pk, amount_minor=_int(intent.get("amount_received")) or 0,
            currency=str(intent.get("currency") or ""), payment_intent_id=_id(intent.get("id")),
            occurred_at=_when(event.get("created")))
    result = FLAGGED if done.flagged and done.status == Purchase.Status.PENDING else PROCESSED
    return Handled(result, done.flag_reason if result == FLAGGED else "", organization,
                   unblocks=[f"pi:{_id(intent.get('id'))}"])


def payment_intent_failed(event: dict[str, Any]) -> Handled:
    intent = event["data"]["object"]
    purchase = _purchase((intent.get("metadata") or {}).get("coachos_purchase_id"), _id(intent.get("id")))
    if purchase is None:
        return Handled(IGNORED, "no purchase of ours")
    organization = purchase.organization
    if _from_other_account(event, organization):
        return Handled(IGNORED, "event from another account", organization)
    with scope(organization=organization):
        code = str(_get(intent, "last_payment_error", "code") or "")
        services.purchase_fail(purchase_id=purchase.pk, reason=code)
    return Handled(PROCESSED, "payment failed", organization)


def charge_refunded(event: dict[str, Any]) -> Handled:
    charge = event["data"]["object"]
    payment_intent = _id(charge.get("payment_intent"))
    purchase = _purchase((charge.get("metadata") or {}).get("coachos_purchase_id"), payment_intent)
    if purchase is None:
        if payment_intent:
            # Its payment's own event has not arrived yet: keep it and replay it then.
            return Handled(DEFERRED, "refund before its payment", waiting_for=f"pi:{payment_intent}")
        return Handled(IGNORED, "no purchase of ours")
    organization = purchase.organization
    if _from_other_account(event, organization):
        return Handled(IGNORED, "event from another account", organization)
    with scope(organization=organization):
        services.refund_from_stripe(purchase_id=purchase.pk, charge_id=_id(charge.get("id")),
                                    amount_refunded=_int(charge.get("amount_refunded")) or 0)
    return Handled(PROCESSED, "refund recorded", organization)


# --- invoices and subscriptions ---------------------------------------------------------------------

def _invoice_parts(invoice: dict[str, Any]) -> tuple[str, dict[str, Any], str, datetime | None]:
    """(subscription id, subscription metadata, payment intent id, period end) across API versions."""
    subscription = _id(invoice.get("subscription")) or _id(_get(invoice, "parent", "subscription_details",
                                                                 "subscription"))
    metadata = (_get(invoice, "subscription_details", "metadata")
                or _get(invoice, "parent", "subscription_details", "metadata") or {})
    lines = _get(invoice, "lines", "data") or []
    if not metadata and lines and isinstance(lines[0], dict):
        metadata = lines[0].get("metadata") or {}
    payment_intent = _id(invoice.get("payment_intent"))
    if not payment_intent:
        payments = _get(invoice, "payments", "data") or []
        if payments and isinstance(payments[0], dict):
            payment_intent = _id(_get(payments[0], "payment", "payment_intent"))
    period_end = _when(_get(lines[0], "period", "end")) if lines and isinstance(lines[0], dict) else None
    return subscription, metadata, payment_intent, period_end or _when(invoice.get("period_end"))


def _invoice(event: dict[str, Any], paid: bool) -> Handled:
    invoice = event["data"]["object"]
    subscription, metadata, payment_intent, period_end = _invoice_parts(invoice)
    customer = _id(invoice.get("customer"))
    organization = _platform_org(metadata, customer) if not metadata.get("coachos_membership_id") else None
    if organization is not None:
        with scope(organization=organization):
            if paid:
                platform.platform_invoice_paid(organization=organization, subscription_id=subscription,
                                               customer_id=customer, period_end=period_end)
            else:
                platform.platform_invoice_failed(organization=organization, subscription_id=subscription,
                                                 customer_id=customer)
        return Handled(PROCESSED, "platform invoice", organization)
    membership = _membership(metadata, subscription)
    if membership is None:
        if subscription:
            return Handled(DEFERRED, "invoice before its subscription", waiting_for=f"sub:{subscription}")
        return Handled(IGNORED, "not a subscription of ours")
    organization = membership.organization
    if _from_other_account(event, organization):
        return Handled(IGNORED, "event from another account", organization)
    invoice_id = _id(invoice.get("id"))
    currency = str(invoice.get("currency") or "")
    with scope(organization=organization):
        if not paid:
            memberships.invoice_failed(membership_id=membership.pk, invoice_id=invoice_id,
                                       amount_due=_int(invoice.get("amount_due")) or 0, currency=currency)
            return Handled(PROCESSED, "membership past due", organization)
        purchase, _now = memberships.invoice_paid(
            membership_id=membership.pk, invoice_id=invoice_id, amount_paid=_int(invoice.get("amount_paid")) or 0,
            currency=currency, payment_intent_id=payment_intent, period_end=period_end,
            application_fee_minor=_int(invoice.get("application_fee_amount")),
            first_purchase_id=_int(metadata.get("coachos_purchase_id")))
    if purchase.flagged and purchase.status == Purchase.Status.PENDING:
        return Handled(FLAGGED, purchase.flag_reason, organization)
    return Handled(PROCESSED, "membership invoice paid", organization,
                   unblocks=[f"pi:{payment_intent}"] if payment_intent else [])


def invoice_paid(event: dict[str, Any]) -> Handled:
    return _invoice(event, paid=True)


def invoice_failed(event: dict[str, Any]) -> Handled:
    return _invoice(event, paid=False)


def subscription_changed(event: dict[str, Any]) -> Handled:
    subscription = event["data"]["object"]
    metadata = subscription.get("metadata") or {}
    subscription_id = _id(subscription.get("id"))
    items = _get(subscription, "items", "data") or []
    period_end = _when(subscription.get("current_period_end")) or (
        _when(items[0].get("current_period_end")) if items and isinstance(items[0], dict) else None)
    deleted = event["type"] == "customer.subscription.deleted"
    if metadata.get("coachos_platform_org"):
        organization = _organization(metadata["coachos_platform_org"])
        if organization is None:
            return Handled(IGNORED, "unknown business")
        with scope(organization=organization):
            platform.platform_subscription_apply(
                organization=organization, stripe_status=str(subscription.get("status") or ""), deleted=deleted,
                subscription_id=subscription_id, customer_id=_id(subscription.get("customer")), period_end=period_end)
        return Handled(PROCESSED, "platform subscription", organization)
    membership = _membership(metadata, subscription_id)
    if membership is None:
        return Handled(IGNORED, "not a subscription of ours")
    organization = membership.organization
    if _from_other_account(event, organization):
        return Handled(IGNORED, "event from another account", organization)
    with scope(organization=organization):
        memberships.subscription_event_apply(
            membership_id=membership.pk, event_type=event["type"], stripe_status=str(subscription.get("status") or ""),
            event_created=_when(event.get("created")) or timezone.now(), subscription_id=subscription_id,
            current_period_end=period_end)
    return Handled(PROCESSED, "membership updated", organization, unblocks=[f"sub:{subscription_id}"])


# --- Connect accounts and payouts -------------------------------------------------------------------

def account_updated(event: dict[str, Any]) -> Handled:
    account = event["data"]["object"]
    account_id = _id(account.get("id"))
    if event.get("account") and event["account"] != account_id:
        return Handled(IGNORED, "account does not match the event")
    with scopes_disabled():
        billing = BillingAccount.objects.select_related("organization").filter(stripe_account_id=account_id).first()
    if billing is None:
        return Handled(IGNORED, "not an account of ours")
    organization = billing.organization
    with scope(organization=organization):
        BillingAccount.objects.filter(pk=billing.pk).update(
            charges_enabled=bool(account.get("charges_enabled")), payouts_enabled=bool(account.get("payouts_enabled")),
            details_submitted=bool(account.get("details_submitted")), updated_at=timezone.now())
    return Handled(PROCESSED, "account updated", organization)


def payout_paid(event: dict[str, Any]) -> Handled:
    payout = event["data"]["object"]
    account_id = str(event.get("account") or "")
    if not account_id:
        return Handled(IGNORED, "platform payout")
    with scopes_disabled():
        billing = BillingAccount.objects.select_related("organization").filter(stripe_account_id=account_id).first()
    if billing is None:
        return Handled(IGNORED, "not an account of ours")
    organization = billing.organization
    with scope(organization=organization):
        money_event_record(
            organization=organization, kind=MoneyEvent.Kind.PAYOUT, amount_minor=_int(payout.get("amount")) or 0,
            currency=str(payout.get("currency") or organization.currency).upper(),
            occurred_at=_when(payout.get("arrival_date")) or _when(event.get("created")),
            external_id=_id(payout.get("id")), method=MoneyEvent.Method.STRIPE, description="Stripe payout")
    return Handled(PROCESSED, "payout recorded", organization)


HANDLERS: dict[str, Callable[[dict[str, Any]], Handled]] = {
    "checkout.session.completed": checkout_completed,
    "checkout.session.async_payment_succeeded": checkout_completed,
    "payment_intent.succeeded": payment_intent_succeeded,
    "payment_intent.payment_failed": payment_intent_failed,
    "charge.refunded": charge_refunded,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_failed,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "account.updated": account_updated,
    "payout.paid": payout_paid,
}


def dispatch(event: dict[str, Any]) -> Handled:
    handler = HANDLERS.get(str(event.get("type")))
    if handler is None:
        return Handled(IGNORED, "event type not handled")
    return handler(event)
