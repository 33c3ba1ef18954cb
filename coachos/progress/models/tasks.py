"""Tasks ("action items") the coach assigns a client — "log your meals", "stretch 10 minutes" — and
the client's ticks. A task is one-off (due on a date, or whenever) or repeats daily or weekly; each tick
is for one period (``periods.py``) and there is at most one per task and period (a unique constraint:
two taps, or two devices, make one tick).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from ..periods import Repeat

TITLE_MAX = 200
NOTES_MAX = 2000


class Task(models.Model):
    class RepeatChoice(models.TextChoices):
        NONE = Repeat.NONE.value, _("Once")
        DAILY = Repeat.DAILY.value, _("Every day")
        WEEKLY = Repeat.WEEKLY.value, _("Every week")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="progress_tasks")
    title = models.CharField(_("task"), max_length=TITLE_MAX)
    notes = models.TextField(_("notes"), blank=True, max_length=NOTES_MAX)
    # A one-off task's due date; a repeating task's last day ("until"), if any.
    due_date = models.DateField(_("due date"), null=True, blank=True)
    repeat = models.CharField(_("repeat"), max_length=6, choices=RepeatChoice.choices, default=RepeatChoice.NONE)
    # The day it was assigned, in the business's zone: its first period.
    start_date = models.DateField(_("assigned on"))
    active = models.BooleanField(_("active"), default=True)
    ended_on = models.DateField(null=True, blank=True)  # the day it was stopped: its last period
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # The last missed period ``task.overdue`` was emitted for: once per task and period.
    overdue_noted = models.DateField(null=True, blank=True)
    # Where it came from when another app made it ("note-item:<id>": a line of a shared coach's note);
    # unique per business, so the same line never makes two tasks.
    origin = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-active", "due_date", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "origin"], condition=~models.Q(origin=""),
                                               name="progress_task_origin_once")]
        indexes = [models.Index(fields=["client", "active"], name="progress_task_client"),
                   models.Index(fields=["organization", "active", "repeat"], name="progress_task_open")]

    def __str__(self) -> str:
        return f"Task #{self.pk}"

    @property
    def last_day(self) -> date | None:
        """The last day a period of this task counts (its end, or a repeating task's "until" date)."""
        if self.repeat == Repeat.NONE:
            return self.ended_on
        days = [d for d in (self.due_date, self.ended_on) if d is not None]
        return min(days) if days else None


class TaskCompletion(models.Model):
    """A tick: the task done for one period (a day, a week, or the one-off task's only period)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="completions")
    period = models.DateField()
    done_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["period", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "period"], name="progress_one_tick_per_period")]

    def __str__(self) -> str:
        return f"Task completion #{self.pk}"
