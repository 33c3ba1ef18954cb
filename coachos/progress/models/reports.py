"""The monthly progress reports emailed to clients: one row per client and month, written when the job
claims it (a unique constraint: two workers never both send), then the email goes through the outbox
with the PDF built from this row when it is sent (``comms.attachments``: ``progress_report``)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.tenancy.models import Organization


class MonthlyReport(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", "sent"  # handed to the outbox (which may still hold or suppress it: see the message)
        EMPTY = "empty", "empty"  # nothing happened that month: no email

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month reported on
    status = models.CharField(max_length=8, choices=Status.choices)
    message_id = models.BigIntegerField(null=True, blank=True)  # the outbox row of the email, if any
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-month", "id"]
        constraints = [models.UniqueConstraint(fields=["client", "month"], name="progress_one_report_a_month")]

    def __str__(self) -> str:
        return f"Monthly report #{self.pk}"
