"""Scheduling jobs: thin tasks over the services."""

from __future__ import annotations

import logging

from celery import shared_task
from django_scopes import scope, scopes_disabled

from coachos.tenancy.models import Organization
from coachos.tenancy.tasks import OrgTask

from . import services

logger = logging.getLogger(__name__)


@shared_task
def extend_recurring_bookings() -> dict[str, int]:
    """Hourly tick; each business extends from 02:00 in its own zone (idempotent)."""
    totals = {"created": 0, "skipped": 0, "businesses": 0}
    with scopes_disabled():
        organization_ids = list(Organization.objects.values_list("pk", flat=True))
    for organization_id in organization_ids:
        result = extend_recurring_for_business(organization_id=organization_id)
        totals["created"] += result["created"]
        totals["skipped"] += result["skipped"]
        totals["businesses"] += 1
    # "created" is a LogRecord attribute: passing it in ``extra`` raises KeyError.
    logger.info("recurring bookings extended", extra={
        "sessions_created": totals["created"], "occurrences_skipped": totals["skipped"],
        "businesses": totals["businesses"],
    })
    return totals


def extend_recurring_for_business(*, organization_id: int) -> dict[str, int]:
    with scopes_disabled():
        organization = Organization.objects.get(pk=organization_id)
    with scope(organization=organization):
        return services.recurring_extend_all(organization=organization)


@shared_task
def clear_expired_holds() -> dict[str, int]:
    """Free held slots whose 10 minutes are up, and pass expired waitlist offers on."""
    with scopes_disabled():
        holds = services.holds_clear_expired()
        offers = services.waitlist_expire_offers()
    logger.info("holds cleared", extra={"holds": holds, "offers": offers})
    return {"holds": holds, "offers": offers}


@shared_task(base=OrgTask)
def extend_recurring_booking_now(*, organization_id: int) -> dict[str, int]:
    """For one business, on demand (e.g. after the coach changes hours)."""
    with scopes_disabled():
        organization = Organization.objects.get(pk=organization_id)
    return services.recurring_extend_all(organization=organization)


@shared_task
def complete_past_sessions() -> dict[str, int]:
    """Sessions still open after each business's grace period become completed (credits used)."""
    from .services.completion import sessions_autocomplete

    totals = {"completed": 0, "businesses": 0}
    with scopes_disabled():
        organizations = list(Organization.objects.all())
    for organization in organizations:
        with scope(organization=organization):
            totals["completed"] += sessions_autocomplete(organization=organization)
        totals["businesses"] += 1
    logger.info("past sessions completed", extra=totals)
    return totals
