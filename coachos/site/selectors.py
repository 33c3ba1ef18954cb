"""Reads that combine several apps, for the dashboard."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from coachos.clients.models import Client
from coachos.clients.selectors import EXPIRING_DAYS, client_list_annotated, low_credits_q
from coachos.credits.models import ClientPackage


def dashboard_counts(*, now: datetime | None = None) -> dict[str, int]:
    """Clients low on credits (as the client list's "Low on credits" filter counts them) and
    packages with credits left that expire within 14 days."""
    now = now or timezone.now()
    soon = now + timedelta(days=EXPIRING_DAYS)
    clients = client_list_annotated(now=now).exclude(status=Client.Status.ARCHIVED)
    return {
        "low_credits": clients.filter(low_credits_q(soon)).count(),
        "expiring_packages": ClientPackage.objects.filter(status=ClientPackage.Status.ACTIVE, remaining__gt=0,
                                                          expires_at__gt=now, expires_at__lte=soon).count(),
    }
