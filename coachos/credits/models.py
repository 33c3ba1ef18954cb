"""Session packages and the credit ledger.

``ClientPackage.remaining`` always equals the sum of its ledger entries' amounts; credits move
only through ``services.use_session`` / ``release_session`` (and purchase, adjustment, expiry),
each writing one ledger row and one conditional UPDATE.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.tenancy.models import Organization


class PackagePlan(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="package_plans")
    name = models.CharField(_("name"), max_length=100)
    sessions = models.PositiveIntegerField(_("sessions"), validators=[MinValueValidator(1)])
    price_minor = models.PositiveIntegerField(_("price (in cents)"), default=0)
    validity_days = models.PositiveIntegerField(_("valid for (days)"), default=90, validators=[MinValueValidator(1)])
    session_types = models.ManyToManyField(
        "scheduling.SessionType", blank=True, related_name="package_plans",
        help_text=_("Leave empty to cover every session type."),
    )
    active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientPackage(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        SOLD = "sold", _("Sold")
        GIVEN = "given", _("Given by the coach")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="packages")
    plan = models.ForeignKey(PackagePlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(max_length=100)
    total = models.PositiveIntegerField()
    remaining = models.IntegerField()
    expires_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.GIVEN)
    session_types = models.ManyToManyField("scheduling.SessionType", blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["expires_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(remaining__gte=0), name="package_remaining_not_negative")]

    def __str__(self) -> str:
        return f"Package #{self.pk}"


class CreditEntry(models.Model):
    """One movement of credits (append-only)."""

    class Kind(models.TextChoices):
        PURCHASE = "purchase", _("Purchase")
        GRANT = "grant", _("Given")
        USE = "use", _("Used")
        RELEASE = "release", _("Returned")
        ADJUSTMENT = "adjustment", _("Adjustment")
        EXPIRY = "expiry", _("Expired")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    package = models.ForeignKey(ClientPackage, on_delete=models.CASCADE, related_name="ledger")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = models.IntegerField()
    booking = models.ForeignKey("scheduling.Booking", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="credit_entries")
    # For a booking's use or release: which of its turns this is (the link's ``turns`` when it was
    # written). A booking re-marked Complete -> No-show -> Complete uses in turn 1, releases in turn
    # 1 and uses again in turn 2; each (booking, kind, turn) exists at most once.
    turn = models.PositiveIntegerField(null=True, blank=True)
    # Room for a caller's key of up to 80 characters plus the prefix saying where it came from
    # ("api:", "manual:").
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A booking deducts at most once per turn and is returned at most once per turn.
            models.UniqueConstraint(fields=["booking", "turn"], condition=Q(kind="use"),
                                    name="credit_use_once_per_booking_turn"),
            models.UniqueConstraint(fields=["booking", "turn"], condition=Q(kind="release"),
                                    name="credit_release_once_per_booking_turn"),
            # A repeated request (a double click) with the same key moves nothing twice.
            models.UniqueConstraint(fields=["organization", "idempotency_key"], name="credit_idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"Credit entry #{self.pk}"


class BookingCredit(models.Model):
    """Where a booking's credit stands: one row per booking that ever used a credit.

    ``state`` is ``used`` while the credit is deducted from ``package`` and ``released`` once it
    was given back. It changes only by a conditional UPDATE (``WHERE state = <expected> AND turns
    = <read>``), so two requests at once move a credit once; ``turns`` counts the deductions, and
    each use or release writes the ledger row of its turn (unique per booking, kind and turn).
    """

    class State(models.TextChoices):
        USED = "used", _("Used")
        RELEASED = "released", _("Returned")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    booking = models.OneToOneField("scheduling.Booking", on_delete=models.CASCADE, related_name="credit_link")
    package = models.ForeignKey(ClientPackage, on_delete=models.CASCADE, related_name="booking_credits")
    state = models.CharField(max_length=10, choices=State.choices, default=State.USED)
    turns = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    def __str__(self) -> str:
        return f"Booking credit #{self.pk}"
