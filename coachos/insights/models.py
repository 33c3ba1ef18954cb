"""What the insights app stores: the business's monthly revenue targets and the cards a team member
dismissed. Every number itself is computed from the other apps' rows (``metrics.py``), never stored."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.tenancy.models import Membership, Organization


class RevenueTarget(models.Model):
    """The revenue the owner aims for in one month (the first day of the month, in the business's zone)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    amount_minor = models.PositiveBigIntegerField(_("target (in cents)"))
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "month"], name="insights_target_once_a_month")]

    def __str__(self) -> str:
        return f"Revenue target #{self.pk}"


class CardDismissal(models.Model):
    """A team member dismissed a card. The card comes back only when its numbers change: the
    ``fingerprint`` is a hash of the facts the card was built from."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["membership", "kind", "fingerprint"],
                                               name="insights_dismissal_once")]

    def __str__(self) -> str:
        return f"Card dismissal #{self.pk}"


class InsightsSettings(models.Model):
    """Per business: the weekly digest and the assistant (off until the owner opts in)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="insights_settings")
    weekly_digest = models.BooleanField(_("email me a weekly digest"), default=True)
    assistant_enabled = models.BooleanField(_("use the AI assistant"), default=False)
    assistant_client_names = models.BooleanField(
        _("send client names to the AI provider"), default=False,
        help_text=_("If off, clients are sent as numbers only (\"client 12\")."))
    digest_next_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = ScopedManager(organization="organization")

    def __str__(self) -> str:
        return f"Insights settings #{self.pk}"


class AssistantConversation(models.Model):
    """One assistant conversation of a team member. ``turns`` holds the neutral turns the gateway sends
    (user text, the model's text and tool calls, tool results): ids and numbers, no emails or phones."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    turns = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"Assistant conversation #{self.pk}"


class Proposal(models.Model):
    """A change the assistant prepared. Nothing happens until the team member accepts it; only then
    the service runs, with their permissions."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for you")
        ACCEPTED = "accepted", _("Done")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Could not be done")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(AssistantConversation, on_delete=models.CASCADE, related_name="proposals")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40)
    arguments = models.JSONField(default=dict)
    summary = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Proposal #{self.pk}"
