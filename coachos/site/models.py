"""What the setup checklist cannot read from other apps' data: the choices a business makes
(no SMS number, payments by hand) and whether the booking link has been shared."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.tenancy.models import Organization


class SetupProgress(models.Model):
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="setup_progress")
    sms_skipped_at = models.DateTimeField(null=True, blank=True)
    manual_payments_at = models.DateTimeField(null=True, blank=True)
    booking_link_shared_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("setup progress")

    def __str__(self) -> str:
        return f"Setup progress #{self.pk}"
