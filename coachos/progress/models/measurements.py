"""Body measurements: a business's own kinds, and each value a client's body had at a moment.

A value is kept in SI (``value_si``: kg, m, %, bpm — a custom kind's own unit) and as typed
(``entered_value`` + ``entered_unit``), so it is shown as typed in that unit and converted from SI in
any other, and never drifts (see ``units.py``). ``kind`` is the kind's key for built-ins and custom
kinds alike; a custom kind's row is also linked (``custom_kind``), so it cannot be deleted while used.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from ..kinds import BUILTIN_KEYS, DOWN, UP
from ..units import ENTERED_DECIMALS, SI_DECIMALS, SI_MAX_DIGITS


class MeasurementKind(models.Model):
    """A business's own kind of measurement (plank time, 5 km run, grip strength)."""

    class Better(models.TextChoices):
        UP = UP, _("Higher is better")
        DOWN = DOWN, _("Lower is better")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(max_length=40, allow_unicode=False)
    name = models.CharField(_("name"), max_length=60)
    unit = models.CharField(_("unit"), max_length=12, help_text=_("As it is shown after a value, e.g. min, km, reps."))
    better = models.CharField(_("better when"), max_length=4, choices=Better.choices, default=Better.UP)
    min_value = models.DecimalField(_("lowest plausible value"), max_digits=12, decimal_places=2, null=True,
                                    blank=True)
    max_value = models.DecimalField(_("highest plausible value"), max_digits=12, decimal_places=2, null=True,
                                    blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("measurement kind")
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="progress_kind_unique_key"),
            models.CheckConstraint(condition=~Q(key__in=BUILTIN_KEYS), name="progress_kind_not_builtin"),
            models.CheckConstraint(condition=Q(min_value__isnull=True) | Q(max_value__isnull=True)
                                   | Q(min_value__lte=models.F("max_value")), name="progress_kind_limits_order"),
        ]

    def __str__(self) -> str:
        return f"Measurement kind #{self.pk}"


class Measurement(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="measurements")
    kind = models.CharField(_("kind"), max_length=40)
    custom_kind = models.ForeignKey(MeasurementKind, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="measurements")
    value_si = models.DecimalField(max_digits=SI_MAX_DIGITS, decimal_places=SI_DECIMALS)
    entered_value = models.DecimalField(_("value"), max_digits=12, decimal_places=ENTERED_DECIMALS)
    entered_unit = models.CharField(_("unit"), max_length=12)
    measured_at = models.DateTimeField(_("measured at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["measured_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(custom_kind__isnull=True, kind__in=BUILTIN_KEYS)
                                   | (Q(custom_kind__isnull=False) & ~Q(kind__in=BUILTIN_KEYS)),
                                   name="progress_measurement_kind_known"),
        ]
        indexes = [models.Index(fields=["client", "kind", "measured_at"], name="progress_meas_series")]

    def __str__(self) -> str:
        return f"Measurement #{self.pk}"
