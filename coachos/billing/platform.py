"""Platform billing: each business pays the platform a monthly plan (Stripe Billing on the
platform account) plus the plan's share of each sale (the application fee).

A failed platform invoice makes the business past due: it is warned at once, and after the
plan's grace period its back office becomes read-only (``middleware.ArrearsMiddleware``). A paid
invoice restores it. Nothing is ever deleted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import gateway as gateway_module
from .accounts import billing_account_for, platform_plan_for
from .models import BillingAccount, PlatformPlan
from .services import PaymentError

STRIPE_STATUS: dict[str, str] = {
    "active": BillingAccount.PlatformStatus.ACTIVE,
    "trialing": BillingAccount.PlatformStatus.ACTIVE,
    "past_due": BillingAccount.PlatformStatus.PAST_DUE,
    "unpaid": BillingAccount.PlatformStatus.PAST_DUE,
    "canceled": BillingAccount.PlatformStatus.CANCELLED,
    "incomplete_expired": BillingAccount.PlatformStatus.CANCELLED,
}


def _lock(organization: Organization) -> BillingAccount:
    billing_account_for(organization)
    return BillingAccount.objects.select_for_update(of=("self",)).select_related("platform_plan").get(organization=organization)


@transaction.atomic
def platform_plan_choose(*, organization: Organization, plan: PlatformPlan, actor: Any) -> BillingAccount:
    """Platform admins (in /admin/) or the owner before subscribing pick the business's plan."""
    if not plan.active:
        raise PaymentError(_("That plan is not offered."))
    account = _lock(organization)
    account.platform_plan = plan
    account.save(update_fields=["platform_plan", "updated_at"])
    audit.log(organization=organization, actor=actor, action="platform_plan.chosen", obj=account,
              data={"plan": plan.pk})
    return account


def platform_checkout(*, organization: Organization, actor: Any) -> str:
    """A checkout for the business's platform subscription; returns its URL."""
    with transaction.atomic():
        account = _lock(organization)
        plan = platform_plan_for(account)
        if plan is None:
            raise PaymentError(_("No plan is set for this business yet."))
        if plan.monthly_price_minor <= 0:
            raise PaymentError(_("This plan has no monthly price to pay."))
        account.platform_checkouts += 1
        account.save(update_fields=["platform_checkouts", "updated_at"])
        base = settings.PUBLIC_BASE_URL + reverse("billing:platform", kwargs={"org_slug": organization.slug})
        email = getattr(actor, "email", "") or ""
        try:
            session = gateway_module.get_gateway().platform_checkout(
                organization_id=organization.pk, plan_name=plan.name, amount_minor=plan.monthly_price_minor,
                currency=plan.currency, customer_id=account.platform_customer_id, customer_email=email,
                success_url=base + "?paid=1", cancel_url=base,
                key=gateway_module.idempotency_key("org", organization.pk, "platform-checkout",
                                                   account.platform_checkouts))
        except gateway_module.GatewayError as exc:
            raise PaymentError(str(exc), "gateway") from exc
        audit.log(organization=organization, actor=actor, action="platform_subscription.checkout", obj=account)
    return session.url


def platform_linked(*, organization: Organization, customer_id: str, subscription_id: str) -> BillingAccount:
    account = _lock(organization)
    changed = []
    if customer_id and account.platform_customer_id != customer_id:
        account.platform_customer_id = customer_id
        changed.append("platform_customer_id")
    if subscription_id and account.platform_subscription_id != subscription_id:
        account.platform_subscription_id = subscription_id
        changed.append("platform_subscription_id")
    if changed:
        account.save(update_fields=[*changed, "updated_at"])
    return account


def platform_invoice_paid(*, organization: Organization, subscription_id: str, customer_id: str,
                          period_end: datetime | None) -> BillingAccount:
    platform_linked(organization=organization, customer_id=customer_id, subscription_id=subscription_id)
    account = _lock(organization)
    was_past_due = account.past_due_since is not None
    account.platform_status = BillingAccount.PlatformStatus.ACTIVE
    account.past_due_since = None
    if period_end is not None:
        account.platform_period_end = period_end
    account.save()
    if was_past_due:
        audit.log(organization=organization, actor=None, action="platform_subscription.restored", obj=account)
    return account


def platform_invoice_failed(*, organization: Organization, subscription_id: str, customer_id: str) -> BillingAccount:
    platform_linked(organization=organization, customer_id=customer_id, subscription_id=subscription_id)
    account = _lock(organization)
    account.platform_status = BillingAccount.PlatformStatus.PAST_DUE
    if account.past_due_since is None:
        account.past_due_since = timezone.now()
        audit.log(organization=organization, actor=None, action="platform_subscription.past_due", obj=account)
    account.save()
    return account


def platform_subscription_apply(*, organization: Organization, stripe_status: str, deleted: bool,
                                subscription_id: str, customer_id: str,
                                period_end: datetime | None) -> BillingAccount:
    platform_linked(organization=organization, customer_id=customer_id, subscription_id=subscription_id)
    account = _lock(organization)
    status = BillingAccount.PlatformStatus.CANCELLED if deleted else STRIPE_STATUS.get(stripe_status,
                                                                                       account.platform_status)
    account.platform_status = status
    if status == BillingAccount.PlatformStatus.PAST_DUE and account.past_due_since is None:
        account.past_due_since = timezone.now()
    if status == BillingAccount.PlatformStatus.ACTIVE:
        account.past_due_since = None
    # Cancelled (e.g. by Stripe after failed retries) keeps any arrears: only a payment clears them.
    if period_end is not None:
        account.platform_period_end = period_end
    account.save()
    return account
