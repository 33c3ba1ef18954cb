"""Goals a client works towards, their milestones, and the history of every change.

A goal may be measurable: linked to a measurement kind (``target_value`` in ``target_unit`` as typed,
``target_si`` in SI, and ``start_si``: where the client started — the latest value when the goal was
made, else the first one recorded after), or to attendance ("12 completed sessions between the start
and the target date"). Its progress is computed from those (``selectors.goals``), never stored; the
services move it to achieved when it is reached. ``GoalChange`` rows are written by the services for
every change of a goal and its milestones (field, old, new, who, when).
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

from ..units import ENTERED_DECIMALS, SI_DECIMALS, SI_MAX_DIGITS
from .measurements import MeasurementKind

TITLE_MAX = 120
WHY_MAX = 2000


class Goal(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        ABANDONED = "abandoned", _("Abandoned")

    class Target(models.TextChoices):
        NONE = "none", _("No measurable target")
        MEASUREMENT = "measurement", _("A measurement")
        ATTENDANCE = "attendance", _("Completed sessions")

    OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=TITLE_MAX)
    why = models.TextField(_("why it matters"), blank=True, max_length=WHY_MAX)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    target_type = models.CharField(_("target"), max_length=12, choices=Target.choices, default=Target.NONE)
    measurement_kind = models.CharField(_("measurement"), max_length=40, blank=True)
    custom_kind = models.ForeignKey(MeasurementKind, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="goals")
    target_value = models.DecimalField(_("target"), max_digits=12, decimal_places=ENTERED_DECIMALS, null=True,
                                       blank=True)
    target_unit = models.CharField(_("unit"), max_length=12, blank=True)
    target_si = models.DecimalField(max_digits=SI_MAX_DIGITS, decimal_places=SI_DECIMALS, null=True, blank=True)
    start_si = models.DecimalField(max_digits=SI_MAX_DIGITS, decimal_places=SI_DECIMALS, null=True, blank=True)
    target_sessions = models.PositiveIntegerField(_("sessions"), null=True, blank=True)
    start_date = models.DateField(_("start date"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    achieved_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_type="none")
                | (Q(target_type="measurement", target_si__isnull=False, target_value__isnull=False)
                   & ~Q(measurement_kind="") & ~Q(target_unit=""))
                | Q(target_type="attendance", target_sessions__gte=1),
                name="progress_goal_target_complete"),
            models.CheckConstraint(condition=Q(target_date__isnull=True) | Q(target_date__gte=models.F("start_date")),
                                   name="progress_goal_dates_order"),
        ]
        indexes = [models.Index(fields=["client", "status"], name="progress_goal_client")]

    def __str__(self) -> str:
        return f"Goal #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class Milestone(models.Model):
    """A step on the way to a goal, with its own date."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=TITLE_MAX)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Milestone #{self.pk}"


class GoalChange(models.Model):
    """One change of a goal or one of its milestones (append-only, written by the services).

    ``field`` is the goal's field that changed, ``created`` for the goal's creation, or
    ``milestone.added`` / ``milestone.done`` / ``milestone.undone`` / ``milestone.changed`` /
    ``milestone.removed``. ``actor`` is empty for what happened by itself (a measurement reached the
    target)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=40)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["goal", "at"], name="progress_goalchange_goal")]

    def __str__(self) -> str:
        return f"Goal change #{self.pk}"
