"""Automations (what a coach builds: trigger, filters, actions), their runs, the coach's to-dos,
and the platform's periodic job schedule with its run records.

Truth in the records: an ``AutomationRun`` is succeeded only when every action it had to do
for every client was done; a message the outbox would not send (no consent, opted out, no
number) is recorded per client as "not sent" and makes the run partial (or failed when nothing
at all was done). See docs/architecture.md, "Automations and jobs".
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client, Tag
from coachos.tenancy.models import Organization

# The events an automation may listen to (emitted by the services; see coachos.common.events).
EVENT_CHOICES = [
    ("booking.created", _("A client books a session")),
    ("booking.cancelled", _("A booking is cancelled")),
    ("booking.completed", _("A session is completed")),
    ("booking.no_show", _("A client doesn't show up")),
    ("package.granted", _("A client buys or is given a package")),
    ("package.low_credits", _("A package is low on credits")),
    ("package.expired", _("A package expires")),
    ("client.created", _("A client is added")),
    ("waiver.signed", _("A client signs a waiver")),
    ("payment.failed", _("A client's payment fails")),
    # Progress (floor 7) emits these; automations only name them (it never imports progress).
    ("goal.achieved", _("A client achieves a goal")),
    ("task.overdue", _("A client misses a task")),
    ("measurement.recorded", _("A measurement is recorded for a client")),
]

WEEKDAY_CHOICES = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
                   (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


class Automation(models.Model):
    class Trigger(models.TextChoices):
        EVENT = "event", _("When something happens")
        SCHEDULE = "schedule", _("On a schedule")
        CONDITION = "condition", _("When a client matches a condition (checked daily)")

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Every day")
        WEEKLY = "weekly", _("Every week, on chosen days")
        MONTHLY = "monthly", _("Every month, on a day of the month")

    class Condition(models.TextChoices):
        NO_BOOKING = "no_booking", _("No booking in the last N days")
        BIRTHDAY = "birthday", _("Birthday today")
        PACKAGE_EXPIRES = "package_expires", _("A package expires within N days")
        LOW_CREDITS = "low_credits", _("N credits or fewer left")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    enabled = models.BooleanField(_("on"), default=False)
    trigger_type = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices)
    # event trigger
    event = models.CharField(_("event"), max_length=40, blank=True, choices=EVENT_CHOICES)
    session_number = models.PositiveIntegerField(
        _("only on the client's session number"), null=True, blank=True,
        help_text=_("For “a session is completed”: e.g. 5 runs after each client's 5th completed session."))
    credits_threshold = models.PositiveSmallIntegerField(_("credits left (at most)"), null=True, blank=True)
    # schedule trigger
    frequency = models.CharField(_("how often"), max_length=10, blank=True, choices=Frequency.choices)
    weekdays = models.JSONField(_("days of the week"), default=list, blank=True)  # 0 = Monday
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"), null=True, blank=True,
        help_text=_("1–31; the 31st means the last day of shorter months."))
    time_of_day = models.TimeField(_("time"), default=time(9, 0),
                                   help_text=_("In your business's time zone."))
    # condition trigger (checked once a day, at time_of_day)
    condition = models.CharField(_("condition"), max_length=20, blank=True, choices=Condition.choices)
    condition_days = models.PositiveIntegerField(_("N days"), null=True, blank=True)
    # filters: clients with any of the tags (none: every client) and one of the statuses (none: any)
    tags = models.ManyToManyField(Tag, blank=True, related_name="+", verbose_name=_("only clients tagged"))
    statuses = models.JSONField(_("only clients who are"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    next_run_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # The scheduler's only question each minute: which enabled automations are due?
            models.Index(fields=["next_run_at"], name="automation_due",
                         condition=Q(enabled=True, next_run_at__isnull=False)),
            models.Index(fields=["organization", "event"], name="automation_event",
                         condition=Q(enabled=True, trigger_type="event")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_timed(self) -> bool:
        return self.trigger_type in (self.Trigger.SCHEDULE, self.Trigger.CONDITION)


class AutomationRun(models.Model):
    class TriggerKind(models.TextChoices):
        EVENT = "event", _("Event")
        SCHEDULE = "schedule", _("Schedule")
        CONDITION = "condition", _("Daily check")
        MANUAL = "manual", _("Run by hand")
        RETRY = "retry", _("Retry")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTIAL = "partial", _("Partly done")
        FAILED = "failed", _("Failed")

    DONE = (Status.SUCCEEDED, Status.PARTIAL, Status.FAILED)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=10, choices=TriggerKind.choices)
    due_at = models.DateTimeField(null=True, blank=True, help_text="The scheduled time this run is for.")
    event_key = models.CharField(max_length=120, null=True, blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    trigger_data = models.JSONField(default=dict, blank=True)  # the event: name, object, data (ids only)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    results = models.JSONField(default=list, blank=True)  # per action: status, counts, detail
    outcomes = models.JSONField(default=list, blank=True)  # per client and action: status, detail
    client_ids = models.JSONField(default=list, blank=True)  # the clients the run was for
    clients_reached = models.PositiveIntegerField(default=0)  # clients for whom every action was done
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # A due time is run once, however many schedulers claim it.
            models.UniqueConstraint(fields=["automation", "due_at"], name="automation_run_once_per_due_time",
                                    condition=Q(trigger__in=["schedule", "condition"])),
            # An event acts once per automation, even if its task is delivered twice.
            models.UniqueConstraint(fields=["automation", "event_key"], name="automation_run_once_per_event",
                                    condition=Q(event_key__isnull=False)),
        ]
        indexes = [
            models.Index(fields=["automation", "-started_at"], name="automation_run_history"),
            models.Index(fields=["status", "started_at"], name="automation_run_running",
                         condition=Q(status="running")),
        ]

    def __str__(self) -> str:
        return f"Automation run #{self.pk}"

    @property
    def clients_matched(self) -> int:
        return len(self.client_ids or [])

    @property
    def can_retry(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.PARTIAL)


class ConditionFire(models.Model):
    """A condition trigger acted for this client and this occurrence (a birthday's year, a lapse
    since a given last booking, a package): it never acts for the same occurrence again."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="fires")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=80)
    run = models.ForeignKey(AutomationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    fired_at = models.DateTimeField()

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["automation", "client", "key"],
                                               name="condition_fires_once_per_occurrence")]

    def __str__(self) -> str:
        return f"Condition fire #{self.pk}"


class Todo(models.Model):
    """Something for the coach to do (made by an automation, e.g. "Call Ava: 30 days without a booking")."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("to-do"), max_length=200)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="todos")
    due = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    automation = models.ForeignKey(Automation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    run = models.ForeignKey(AutomationRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="todos")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["done", "due", "id"]
        indexes = [models.Index(fields=["organization", "done", "due"], name="todo_open")]

    def __str__(self) -> str:
        return f"To-do #{self.pk}"


# --- the platform's periodic jobs (not tenant data: no organization) ------------------------------

class JobSchedule(models.Model):
    """When each job of coachos.jobs.JOBS is due next. Claimed by a conditional UPDATE."""

    name = models.CharField(max_length=80, unique=True)
    next_run_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "job schedule"

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=80)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)  # the exception's type and first line, personal data removed
    result = models.JSONField(default=dict, blank=True)  # the task's summary (counts, ids)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "job run"
        constraints = [models.UniqueConstraint(fields=["name", "due_at"], name="job_run_once_per_due_time")]
        indexes = [models.Index(fields=["name", "-started_at"], name="job_run_history")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.due_at:%Y-%m-%d %H:%M}"
