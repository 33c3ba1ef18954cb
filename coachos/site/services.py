"""Writes of the top floor: the choices a business makes in its setup checklist."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from .models import SetupProgress

# The checklist's manual choices, by the name a form posts, and the field each one sets.
SETUP_CHOICES = {"sms_skip": "sms_skipped_at", "manual_payments": "manual_payments_at"}


@transaction.atomic
def setup_choice_record(*, organization: Organization, actor: Any, choice: str) -> SetupProgress:
    """Record "no SMS number for now" or "I'll take cash/bank payments" (once; later calls keep
    the first time)."""
    field = SETUP_CHOICES[choice]
    progress, _created = SetupProgress.objects.select_for_update().get_or_create(organization=organization)
    if getattr(progress, field) is None:
        setattr(progress, field, timezone.now())
        progress.save(update_fields=[field, "updated_at"])
        audit.log(organization=organization, actor=actor, action=f"setup.{choice}", obj=progress)
    return progress


@transaction.atomic
def booking_link_shared(*, organization: Organization, actor: Any) -> SetupProgress:
    """The booking link was copied, opened or its QR code downloaded: the checklist step is done."""
    progress, _created = SetupProgress.objects.select_for_update().get_or_create(organization=organization)
    if progress.booking_link_shared_at is None:
        progress.booking_link_shared_at = timezone.now()
        progress.save(update_fields=["booking_link_shared_at", "updated_at"])
        audit.log(organization=organization, actor=actor, action="setup.booking_link_shared", obj=progress)
    return progress
