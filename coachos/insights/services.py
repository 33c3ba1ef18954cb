"""Writes of the insights app: dismissing a card, the revenue target, the settings. Each is audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from coachos.tenancy import audit
from coachos.tenancy.models import Membership, Organization

from .models import CardDismissal, InsightsSettings, RevenueTarget


class InsightsError(Exception):
    def __init__(self, message: str, *, status: int = 422, code: str = "", field: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.field = status, code, field


def card_dismiss(*, membership: Membership, kind: str, fingerprint: str, actor: Any) -> CardDismissal:
    """Idempotent: dismissing the same card twice keeps one row."""
    try:
        with transaction.atomic():
            dismissal = CardDismissal.objects.create(organization=membership.organization, membership=membership,
                                                     kind=kind[:40], fingerprint=fingerprint[:64])
    except IntegrityError:
        return CardDismissal.objects.get(membership=membership, kind=kind[:40], fingerprint=fingerprint[:64])
    audit.log(organization=membership.organization, actor=actor, action="insights.card_dismissed", obj=dismissal,
              data={"kind": dismissal.kind})
    return dismissal


@transaction.atomic
def revenue_target_set(*, organization: Organization, month: date, amount_minor: int, actor: Any) -> RevenueTarget:
    target, _created = RevenueTarget.objects.update_or_create(
        organization=organization, month=month.replace(day=1), defaults={"amount_minor": amount_minor})
    audit.log(organization=organization, actor=actor, action="insights.target_set", obj=target,
              data={"month": target.month.isoformat(), "amount_minor": amount_minor})
    return target


def settings_for(organization: Organization) -> InsightsSettings:
    found, _created = InsightsSettings.objects.get_or_create(organization=organization)
    return found


@transaction.atomic
def settings_update(*, organization: Organization, actor: Any, **values: bool) -> InsightsSettings:
    found = InsightsSettings.objects.select_for_update().get(pk=settings_for(organization).pk)
    for name, value in values.items():
        setattr(found, name, value)
    found.save()
    audit.log(organization=organization, actor=actor, action="insights.settings_changed", obj=found,
              data={k: bool(v) for k, v in values.items()})
    return found
