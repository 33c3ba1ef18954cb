"""The books: the append-only money ledger and the coach's expenses.

Every movement of money is one ``MoneyEvent`` row. Amounts are never negative: the kind gives
the direction (a sale brings money in, a refund, a fee or an expense takes it out). Rows are
never changed or deleted; a mistake is corrected by a new row: a refund for a sale, or a
*reversal* (``reverses`` set) that cancels one earlier row of the same kind in every report.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.common.storage import private_storage
from coachos.tenancy.models import Organization


class MoneyEvent(models.Model):
    """One movement of money (append-only)."""

    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        REFUND = "refund", _("Refund")
        PLATFORM_FEE = "platform_fee", _("Platform fee")
        PROCESSING_FEE = "processing_fee", _("Processing fee")
        PAYOUT = "payout", _("Payout")
        MANUAL_PAYMENT = "manual_payment", _("Manual payment")
        EXPENSE = "expense", _("Expense")

    class Method(models.TextChoices):
        CASH = "cash", _("Cash")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CARD_TERMINAL = "card_terminal", _("Card terminal")
        STRIPE = "stripe", _("Stripe")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount_minor = models.BigIntegerField(_("amount (in cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    occurred_at = models.DateTimeField(_("date"), db_index=True)
    client = models.ForeignKey("clients.Client", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    package_plan = models.ForeignKey("credits.PackagePlan", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    session_type = models.ForeignKey("scheduling.SessionType", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    related_type = models.CharField(max_length=30, blank=True)
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    external_id = models.CharField(max_length=255, blank=True)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, blank=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    # A reversal cancels exactly one earlier row of the same kind; reports count it negatively.
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("money event")
        verbose_name_plural = _("money ledger")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gte=0), name="moneyevent_amount_not_negative"),
            models.UniqueConstraint(
                fields=["organization", "kind", "external_id"], condition=~Q(external_id=""),
                name="moneyevent_external_id_once",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "occurred_at"], name="moneyevent_org_when"),
            models.Index(fields=["organization", "related_type", "related_id"], name="moneyevent_org_related"),
        ]

    def __str__(self) -> str:
        return f"Money event #{self.pk}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Money events are append-only: record a correcting event instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Money events are append-only: record a correcting event instead.")


def expense_receipt_path(instance: Expense, filename: str) -> str:
    # A random name: the stored path never carries the uploaded file's name (it may name a person).
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    suffix = f".{extension}" if extension.isalnum() and len(extension) <= 5 else ""
    return f"receipts/expenses/{instance.organization_id}/{uuid.uuid4().hex}{suffix}"


class Expense(models.Model):
    """Money the business spent, entered by the coach. Cannot be deleted, only voided."""

    class Category(models.TextChoices):
        RENT = "rent", _("Rent")
        EQUIPMENT = "equipment", _("Equipment")
        SOFTWARE = "software", _("Software")
        MARKETING = "marketing", _("Marketing")
        TRAVEL = "travel", _("Travel")
        EDUCATION = "education", _("Education")
        INSURANCE = "insurance", _("Insurance")
        CONTRACTORS = "contractors", _("Contractors")
        FEES = "fees", _("Fees")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"), db_index=True)
    amount_minor = models.BigIntegerField(_("amount (in cents)"))
    currency = models.CharField(_("currency"), max_length=3)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    vendor = models.CharField(_("paid to"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    receipt = models.FileField(_("receipt"), upload_to=expense_receipt_path, storage=private_storage, blank=True)
    receipt_content_type = models.CharField(max_length=100, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="expense_amount_positive")]

    def __str__(self) -> str:
        return f"Expense #{self.pk}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None
