"""Memberships: a monthly Stripe subscription on the business's account.

Each paid invoice is one payment (a ``Purchase``, keyed by the invoice id) and, for a plan with
N sessions a month, one package of N credits (``package_grant`` keyed by the invoice id). A
failed invoice makes the membership past due (client told, coach sees it); after the business's
grace period a periodic job pauses it. Subscription events are applied in Stripe's order (the
event's ``created``), so an update that arrives before its create still ends in the right state.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from coachos.common import events
from coachos.credits import services as credits
from coachos.credits.models import ClientPackage
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import gateway as gateway_module
from . import notify
from .accounts import application_fee, billing_account_for, fee_bps_for
from .models import ClientMembership, MembershipPlan, Purchase
from .services import PaymentError, purchase_complete

logger = logging.getLogger(__name__)

CREDIT_VALIDITY_DAYS = 35  # a month's credits, with a few days to use the last ones

STRIPE_STATUS: dict[str, str] = {
    "active": ClientMembership.Status.ACTIVE,
    "trialing": ClientMembership.Status.ACTIVE,
    "past_due": ClientMembership.Status.PAST_DUE,
    "unpaid": ClientMembership.Status.PAST_DUE,
    "paused": ClientMembership.Status.PAUSED,
    "canceled": ClientMembership.Status.CANCELLED,
    "incomplete_expired": ClientMembership.Status.CANCELLED,
    "incomplete": ClientMembership.Status.PENDING,
}


@transaction.atomic
def membership_plan_create(*, organization: Organization, actor: Any, name: str, price_minor: int,
                           sessions_per_month: int | None) -> MembershipPlan:
    name = name.strip()[:100]
    if not name:
        raise PaymentError(_("Give the membership a name."))
    if price_minor <= 0:
        raise PaymentError(_("A membership has a monthly price."))
    if sessions_per_month is not None and sessions_per_month < 1:
        raise PaymentError(_("Leave sessions empty for unlimited, or give at least one."))
    package_plan = None
    if sessions_per_month is not None:
        # The month's credits travel through the credits ledger as a package of this (off-sale) plan.
        package_plan = credits.package_plan_create(
            organization=organization, actor=actor, name=_("%(name)s (monthly credits)") % {"name": name},
            sessions=sessions_per_month, price_minor=0, validity_days=CREDIT_VALIDITY_DAYS)
        credits.package_plan_update(plan=package_plan, actor=actor, data={"active": False})
    plan = MembershipPlan.objects.create(organization=organization, name=name, price_minor=price_minor,
                                         sessions_per_month=sessions_per_month, package_plan=package_plan)
    audit.log(organization=organization, actor=actor, action="membership_plan.created", obj=plan,
              data={"price_minor": price_minor, "sessions_per_month": sessions_per_month})
    return plan


@transaction.atomic
def membership_plan_set_active(*, plan: MembershipPlan, actor: Any, active: bool) -> MembershipPlan:
    plan.active = active
    plan.save(update_fields=["active"])
    audit.log(organization=plan.organization, actor=actor, action="membership_plan.updated", obj=plan,
              data={"active": active})
    return plan


def _when(value: Any) -> datetime | None:
    from datetime import UTC

    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def _lock(membership_id: int) -> ClientMembership:
    return ClientMembership.objects.select_for_update(of=("self",)).select_related("plan", "client", "organization") \
        .get(pk=membership_id)


def subscription_linked(*, membership_id: int, subscription_id: str) -> ClientMembership:
    """Checkout finished: the membership now has its Stripe subscription."""
    membership = _lock(membership_id)
    if subscription_id and not membership.stripe_subscription_id:
        membership.stripe_subscription_id = subscription_id
        membership.save(update_fields=["stripe_subscription_id", "updated_at"])
    return membership


def subscription_event_apply(*, membership_id: int, event_type: str, stripe_status: str, event_created: datetime,
                             subscription_id: str, current_period_end: datetime | None) -> ClientMembership:
    """Apply a customer.subscription.* event unless a later one was applied already."""
    membership = _lock(membership_id)
    if membership.last_event_at is not None and event_created < membership.last_event_at:
        return membership  # an older state arriving late
    status: str
    if event_type == "customer.subscription.deleted":
        status = ClientMembership.Status.CANCELLED
    else:
        status = STRIPE_STATUS.get(stripe_status, membership.status)
    if membership.status == ClientMembership.Status.PAUSED and status == ClientMembership.Status.PAST_DUE:
        status = ClientMembership.Status.PAUSED  # paused by us after the grace period; a paid invoice resumes it
    if membership.status == ClientMembership.Status.CANCELLED and event_type != "customer.subscription.deleted" \
            and membership.last_event_at is not None and event_created == membership.last_event_at:
        status = ClientMembership.Status.CANCELLED  # the same second as the deletion: deletion wins
    if status == ClientMembership.Status.PAST_DUE and membership.past_due_since is None:
        membership.past_due_since = timezone.now()
    if status == ClientMembership.Status.ACTIVE:
        membership.past_due_since = None
    membership.status = status
    membership.last_event_at = event_created
    if subscription_id and not membership.stripe_subscription_id:
        membership.stripe_subscription_id = subscription_id
    if current_period_end is not None:
        membership.current_period_end = current_period_end
    membership.save()
    audit.log(organization=membership.organization, actor=None, action="membership.updated", obj=membership,
              data={"status": status, "event": event_type})
    return membership


def invoice_paid(*, membership_id: int, invoice_id: str, amount_paid: int, currency: str, payment_intent_id: str,
                 period_end: datetime | None, application_fee_minor: int | None,
                 first_purchase_id: int | None = None) -> tuple[Purchase, bool]:
    """One paid month: a payment (the checkout's own purchase for the first invoice, a renewal
    purchase after that), the month's credits, and the membership active again."""
    membership = _lock(membership_id)
    organization = membership.organization
    purchase = Purchase.objects.filter(invoice_id=invoice_id).first()
    if purchase is None and first_purchase_id is not None:
        purchase = Purchase.objects.filter(pk=first_purchase_id, membership=membership).first()
    if purchase is None:
        # The first invoice pays for the checkout's purchase; later ones are renewals.
        purchase = Purchase.objects.filter(membership=membership, invoice_id__isnull=True,
                                           source__in=[Purchase.Source.PORTAL, Purchase.Source.LINK,
                                                       Purchase.Source.API]).order_by("pk").first()
    if purchase is None:
        purchase = Purchase.objects.create(
            organization=organization, client=membership.client, membership=membership,
            kind=Purchase.Kind.MEMBERSHIP, method=Purchase.Method.STRIPE, source=Purchase.Source.RENEWAL,
            description=membership.plan.name, amount_minor=amount_paid, currency=currency.upper(),
            application_fee_minor=application_fee(amount_paid, fee_bps_for(organization)), invoice_id=invoice_id,
        )
    elif not purchase.invoice_id:
        Purchase.objects.filter(pk=purchase.pk).update(invoice_id=invoice_id)
    purchase, completed = purchase_complete(
        purchase_id=purchase.pk, amount_minor=amount_paid, currency=currency, payment_intent_id=payment_intent_id,
        invoice_id=invoice_id, application_fee_minor=application_fee_minor)
    if purchase.status not in (Purchase.Status.PAID, Purchase.Status.PARTIALLY_REFUNDED):
        return purchase, completed  # flagged (mismatch) or refunded before it arrived: nothing granted
    plan = membership.plan
    if plan.package_plan is not None and purchase.client_package_id is None:
        package = credits.package_grant(client=membership.client, plan=plan.package_plan, actor=None,
                                        source=ClientPackage.Source.SOLD, idempotency_key=f"invoice:{invoice_id}")
        Purchase.objects.filter(pk=purchase.pk).update(client_package=package)
        purchase.client_package = package
    if membership.status != ClientMembership.Status.CANCELLED:
        membership.status = ClientMembership.Status.ACTIVE
    membership.past_due_since = None
    if period_end is not None:
        membership.current_period_end = period_end
    membership.save()
    return purchase, completed


def invoice_failed(*, membership_id: int, invoice_id: str, amount_due: int, currency: str) -> ClientMembership:
    membership = _lock(membership_id)
    if membership.status in (ClientMembership.Status.ACTIVE, ClientMembership.Status.PENDING):
        membership.status = ClientMembership.Status.PAST_DUE
    if membership.past_due_since is None and membership.status != ClientMembership.Status.CANCELLED:
        membership.past_due_since = timezone.now()
    membership.save()
    audit.log(organization=membership.organization, actor=None, action="membership.payment_failed", obj=membership,
              data={"invoice": invoice_id})
    notify.membership_payment_failed(membership, amount_minor=amount_due, currency=currency, invoice_id=invoice_id)
    events.emit("payment.failed", organization=membership.organization, client=membership.client_id, obj=membership,
                data={"invoice": invoice_id}, key=f"payment.failed:membership:{membership.pk}:{invoice_id}"[:120])
    return membership


@transaction.atomic
def membership_cancel(*, membership: ClientMembership, actor: Any) -> ClientMembership:
    membership = _lock(membership.pk)
    if membership.status == ClientMembership.Status.CANCELLED:
        return membership
    if membership.stripe_subscription_id:
        account = billing_account_for(membership.organization)
        try:
            gateway_module.get_gateway().subscription_cancel(account_id=account.stripe_account_id,
                                                             subscription_id=membership.stripe_subscription_id)
        except gateway_module.GatewayError as exc:
            raise PaymentError(str(exc), "gateway") from exc
    membership.status = ClientMembership.Status.CANCELLED
    membership.save(update_fields=["status", "updated_at"])
    audit.log(organization=membership.organization, actor=actor, action="membership.cancelled", obj=membership)
    return membership


def memberships_pause_overdue(*, now: datetime | None = None) -> int:
    """Pause memberships whose payment failed longer ago than the business's grace period."""
    now = now or timezone.now()
    paused = 0
    with scopes_disabled():
        candidates = list(ClientMembership.objects.filter(status=ClientMembership.Status.PAST_DUE,
                                                          past_due_since__isnull=False)
                          .select_related("organization").values_list("pk", "organization_id"))
        organizations = {o.pk: o for o in Organization.objects.filter(pk__in={org for _pk, org in candidates})}
    for pk, organization_id in candidates:
        organization = organizations[organization_id]
        with scope(organization=organization), transaction.atomic():
            account = billing_account_for(organization)
            membership = _lock(pk)
            if membership.status != ClientMembership.Status.PAST_DUE or membership.past_due_since is None:
                continue
            if membership.past_due_since + timedelta(days=account.membership_grace_days) > now:
                continue
            membership.status = ClientMembership.Status.PAUSED
            membership.save(update_fields=["status", "updated_at"])
            if membership.stripe_subscription_id:
                try:
                    gateway_module.get_gateway().subscription_pause(
                        account_id=account.stripe_account_id, subscription_id=membership.stripe_subscription_id,
                        key=gateway_module.idempotency_key("membership", pk, "pause", int(now.timestamp()) // 86400))
                except gateway_module.GatewayError:
                    logger.warning("could not pause subscription in Stripe", extra={"membership_id": pk})
            audit.log(organization=organization, actor=None, action="membership.paused", obj=membership,
                      data={"past_due_since": membership.past_due_since.isoformat()})
            paused += 1
    if paused:
        logger.info("memberships paused", extra={"count": paused})
    return paused
