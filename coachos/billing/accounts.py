"""A business's billing account: its Stripe connection, platform plan, fee and arrears state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from coachos.tenancy.models import Organization

from .models import BillingAccount, PlatformPlan


def billing_account_for(organization: Organization) -> BillingAccount:
    """The business's billing account, made on first use (filtered by the business itself)."""
    with scopes_disabled():
        account = BillingAccount.objects.filter(organization=organization).first()
        if account is not None:
            return account
        try:
            with transaction.atomic():
                return BillingAccount.objects.create(organization=organization)
        except IntegrityError:  # made by a concurrent request
            return BillingAccount.objects.get(organization=organization)


def platform_plan_for(account: BillingAccount) -> PlatformPlan | None:
    if account.platform_plan_id is not None:
        return account.platform_plan
    return PlatformPlan.objects.filter(is_default=True, active=True).first()


def fee_bps_for(organization: Organization) -> int:
    plan = platform_plan_for(billing_account_for(organization))
    return plan.fee_bps if plan is not None else 0


def application_fee(amount_minor: int, fee_bps: int) -> int:
    """The platform's share of a sale, rounded half up to a whole minor unit."""
    return (amount_minor * fee_bps + 5000) // 10000


@dataclass(frozen=True)
class Arrears:
    state: str  # "ok" | "warned" | "read_only"
    since: datetime | None = None
    read_only_from: datetime | None = None

    @property
    def warned(self) -> bool:
        return self.state == "warned"

    @property
    def read_only(self) -> bool:
        return self.state == "read_only"


def arrears_of(account: BillingAccount, now: datetime | None = None) -> Arrears:
    """A business whose platform payment failed is warned, then read-only after the plan's grace."""
    if account.past_due_since is None:
        return Arrears("ok")
    now = now or timezone.now()
    plan = platform_plan_for(account)
    grace = timedelta(days=plan.grace_days if plan is not None else 14)
    read_only_from = account.past_due_since + grace
    state = "read_only" if now >= read_only_from else "warned"
    return Arrears(state, account.past_due_since, read_only_from)
