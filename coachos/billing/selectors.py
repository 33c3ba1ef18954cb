"""Reads of billing that the books show (registered in ``apps.py`` through
``books.selectors.register_billing_sources``: the books sit below billing and never import it)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce

from coachos.books.selectors import Owed, Renewal
from coachos.tenancy.models import Organization

from .models import ClientMembership, Purchase


def unpaid_purchases(organization: Organization) -> Owed:
    """Purchases awaiting payment and memberships past due, in the business's currency (2 queries)."""
    awaiting = Purchase.objects.filter(status=Purchase.Status.PENDING, currency=organization.currency).aggregate(
        n=Count("id"), total=Coalesce(Sum("amount_minor"), Value(0)))
    past_due = ClientMembership.objects.filter(status=ClientMembership.Status.PAST_DUE).aggregate(
        n=Count("id"), total=Coalesce(Sum("plan__price_minor"), Value(0)))
    return Owed(awaiting_count=awaiting["n"], awaiting_minor=awaiting["total"], past_due_count=past_due["n"],
                past_due_minor=past_due["total"])


def upcoming_renewals(organization: Organization, days: int, now: datetime, limit: int) -> list[Renewal]:
    """Active memberships whose period ends (and renews) in the next ``days`` days, soonest first."""
    rows = (
        ClientMembership.objects.filter(status=ClientMembership.Status.ACTIVE, current_period_end__gte=now,
                                        current_period_end__lt=now + timedelta(days=days))
        .select_related("client", "plan").order_by("current_period_end", "id")[:limit]
    )
    return [Renewal(client=m.client.full_name, client_id=m.client_id, name=m.plan.name,
                    renews_at=m.current_period_end, amount_minor=m.plan.price_minor)
            for m in rows if m.current_period_end is not None]
