"""A client's progress preferences: the unit system they read measurements in, and the monthly report;
and the business's defaults for them.

No row means the defaults: the system of the business's country (pounds and inches in the US), and
the business's choice for the monthly report (``ProgressDefaults``; no row there: no monthly report).
Kept here rather than on the client record or the business, which belong to lower floors."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.tenancy.models import Organization


class ProgressSettings(models.Model):
    class UnitSystem(models.TextChoices):
        DEFAULT = "", _("The business's default")
        METRIC = "metric", _("Metric (kg, cm)")
        IMPERIAL = "imperial", _("Imperial (lb, in)")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="progress_settings")
    unit_system = models.CharField(_("units"), max_length=8, choices=UnitSystem.choices, blank=True, default="")
    # None: as the business decided (``ProgressDefaults.monthly_report``); True/False: this client's choice.
    monthly_report = models.BooleanField(_("email a progress report every month"), null=True, blank=True,
                                         default=None)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("progress settings")
        verbose_name_plural = _("progress settings")

    def __str__(self) -> str:
        return f"Progress settings #{self.pk}"


class ProgressDefaults(models.Model):
    """A business's defaults for its clients' progress: whether each client gets the monthly report
    unless they (or the team for them) chose otherwise."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    monthly_report = models.BooleanField(_("email every client a progress report each month"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("progress defaults")
        verbose_name_plural = _("progress defaults")

    def __str__(self) -> str:
        return f"Progress defaults #{self.pk}"
