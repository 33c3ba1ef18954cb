"""Payments and platform billing: models.

- ``PlatformPlan`` (platform-level, managed in /admin/): what a business pays the platform.
- ``BillingAccount`` (one per business): its Stripe Connect account, its platform plan and
  subscription state (arrears), and the grace period for failed membership payments.
- ``Purchase``: one payment from a client — a Stripe checkout (package or membership) or a
  manual payment (cash, bank transfer, card terminal). Receipts and refunds hang off it.
- ``MembershipPlan`` / ``ClientMembership``: a monthly Stripe subscription with N session
  credits a month (granted per paid invoice) or unlimited sessions.
- ``WebhookEvent`` (platform-level): every Stripe event, stored by its id under a unique
  constraint before anything acts on it.

Money moves in the books (``coachos.books.services.money_event_record``), never here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.tenancy.models import CURRENCIES, Organization


class PlatformPlan(models.Model):
    """A plan businesses are on: a monthly subscription plus a share of each sale."""

    name = models.CharField(_("name"), max_length=80)
    monthly_price_minor = models.PositiveIntegerField(_("monthly price (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="USD")
    fee_bps = models.PositiveIntegerField(
        _("fee on sales (basis points)"), default=200, validators=[MaxValueValidator(5000)],
        help_text=_("Taken from each client payment as the application fee. 100 = 1%."),
    )
    grace_days = models.PositiveIntegerField(
        _("grace period (days)"), default=14,
        help_text=_("After a failed subscription payment, the business is warned for this long, then read-only."),
    )
    is_default = models.BooleanField(_("default plan"), default=False,
                                     help_text=_("Businesses without a plan of their own are on this one."))
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["monthly_price_minor", "name"]
        verbose_name = _("platform plan")
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="platform_plan_one_default")]

    def __str__(self) -> str:
        return self.name

    @property
    def fee_percent(self) -> str:
        return f"{self.fee_bps / 100:g}%"


class BillingAccount(models.Model):
    """A business's payments set-up: one row per business, made on first use."""

    class PlatformStatus(models.TextChoices):
        NONE = "none", _("Not subscribed")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment failed")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="billing_account")
    # Stripe Connect (the business's own account: its clients pay into it).
    stripe_account_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    charges_enabled = models.BooleanField(default=False)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    membership_grace_days = models.PositiveIntegerField(
        _("grace period for failed membership payments (days)"), default=7,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    # Platform billing (the business pays the platform).
    platform_plan = models.ForeignKey(PlatformPlan, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="accounts")
    platform_status = models.CharField(max_length=10, choices=PlatformStatus.choices, default=PlatformStatus.NONE)
    platform_customer_id = models.CharField(max_length=64, blank=True)
    platform_subscription_id = models.CharField(max_length=64, blank=True, db_index=True)
    platform_period_end = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    platform_checkouts = models.PositiveIntegerField(default=0)  # numbers our idempotency keys
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("business billing account")

    def __str__(self) -> str:
        return f"Billing account #{self.pk}"


class MembershipPlan(models.Model):
    """A monthly membership the business sells: N sessions a month, or unlimited."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    price_minor = models.PositiveIntegerField(_("monthly price (minor units)"))
    sessions_per_month = models.PositiveIntegerField(
        _("sessions a month"), null=True, blank=True, validators=[MinValueValidator(1)],
        help_text=_("Leave empty for unlimited sessions."),
    )
    # The credits granted each paid month go through the credits ledger as a package of this plan
    # (off sale, so it is never sold on its own). None for unlimited memberships.
    package_plan = models.ForeignKey("credits.PackagePlan", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def unlimited(self) -> bool:
        return self.sessions_per_month is None


class ClientMembership(models.Model):
    """A client's membership: a Stripe subscription on the business's account."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment failed")
        PAUSED = "paused", _("Paused")
        CANCELLED = "cancelled", _("Cancelled")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    plan = models.ForeignKey(MembershipPlan, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    stripe_subscription_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)  # orders subscription events
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Membership #{self.pk}"


class Purchase(models.Model):
    """One payment from a client: online (Stripe Checkout) or recorded by hand."""

    class Kind(models.TextChoices):
        ONE_OFF = "one_off", _("Package")
        MEMBERSHIP = "membership", _("Membership")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
        CANCELLED = "cancelled", _("Cancelled")

    class Method(models.TextChoices):
        STRIPE = "stripe", _("Card online")
        CASH = "cash", _("Cash")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        CARD_TERMINAL = "card_terminal", _("Card terminal")

    class Source(models.TextChoices):
        PORTAL = "portal", _("Client portal")
        LINK = "link", _("Payment link")
        API = "api", _("API")
        MANUAL = "manual", _("Recorded by hand")
        RENEWAL = "renewal", _("Membership renewal")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="purchases")
    plan = models.ForeignKey("credits.PackagePlan", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="purchases")
    membership = models.ForeignKey(ClientMembership, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="purchases")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ONE_OFF)
    method = models.CharField(max_length=16, choices=Method.choices, default=Method.STRIPE)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PORTAL)
    description = models.CharField(max_length=200)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    application_fee_minor = models.PositiveIntegerField(default=0)
    processing_fee_minor = models.PositiveIntegerField(null=True, blank=True)
    refunded_minor = models.PositiveIntegerField(default=0)
    refund_count = models.PositiveIntegerField(default=0)  # numbers our refund idempotency keys
    credits_removed = models.PositiveIntegerField(default=0)  # package credits taken away by refunds
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    checkout_session_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    checkout_expires_at = models.DateTimeField(null=True, blank=True)
    checkout_attempts = models.PositiveIntegerField(default=0)
    payment_intent_id = models.CharField(max_length=200, null=True, blank=True, db_index=True)
    invoice_id = models.CharField(max_length=200, null=True, blank=True, unique=True)
    client_package = models.ForeignKey("credits.ClientPackage", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="purchases")
    flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="purchase_org_created")]
        constraints = [models.CheckConstraint(condition=Q(refunded_minor__lte=models.F("amount_minor")),
                                              name="purchase_refund_not_above_amount")]

    def __str__(self) -> str:
        return f"Payment #{self.pk}"

    @property
    def refundable_minor(self) -> int:
        if self.status not in (self.Status.PAID, self.Status.PARTIALLY_REFUNDED):
            return 0
        return self.amount_minor - self.refunded_minor

    @property
    def is_manual(self) -> bool:
        return self.method != self.Method.STRIPE


class WebhookEvent(models.Model):
    """A Stripe event as received. Platform-level: the business is known only once it is read.

    The unique ``stripe_id`` is what makes delivery idempotent: the row is written (and
    committed) before anything acts, and acting happens once, under a row lock.
    """

    class Result(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FLAGGED = "flagged", _("Flagged")
        DEFERRED = "deferred", _("Waiting for an earlier event")
        FAILED = "failed", _("Failed")

    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    account = models.CharField(max_length=64, blank=True)
    livemode = models.BooleanField(default=False)
    created = models.DateTimeField(null=True, blank=True)  # Stripe's event time
    payload = models.JSONField()
    business = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.RECEIVED)
    note = models.CharField(max_length=300, blank=True)
    # An event that arrived before the object it is about (a refund before its payment) waits
    # under this key and is processed again once that object exists.
    waiting_for = models.CharField(max_length=255, blank=True, db_index=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("Stripe webhook event")

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"


class BookingPayment(models.Model):
    """How one booking was settled when it was made: a credit, a card payment (a ``Purchase``
    made with the booking), or nothing; and what its cancellation did with the money.

    One row per booking (unique), written in the booking's transaction. ``status`` moves only
    under the row's lock (``booking_payments.py``), so duplicate webhooks, two tabs cancelling and
    the expiry job each act once."""

    class Status(models.TextChoices):
        NONE = "none", _("Nothing to pay")
        CREDIT_USED = "credit_used", _("Paid with a credit")
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Not paid in time")
        REFUNDED = "refunded", _("Refunded")
        CANCELLED = "cancelled", _("Cancelled")

    class Method(models.TextChoices):
        NONE = "none", _("Nothing")
        CREDIT = "credit", _("A package credit")
        CARD = "card", _("Card")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    booking = models.OneToOneField("scheduling.Booking", on_delete=models.CASCADE, related_name="payment")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="booking_payments")
    method = models.CharField(max_length=10, choices=Method.choices, default=Method.NONE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NONE, db_index=True)
    purchase = models.OneToOneField(Purchase, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="booking_payment")
    client_package = models.ForeignKey("credits.ClientPackage", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="+")
    price_minor = models.PositiveIntegerField(default=0)  # the session's price
    charged_minor = models.PositiveIntegerField(default=0)  # paid when booking (the price, or a deposit)
    currency = models.CharField(max_length=3, blank=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)  # an unpaid card booking's end
    # What the booking's cancellation did (answered by the cancel API, shown to the client).
    cancelled = models.BooleanField(default=False)
    refund_minor = models.PositiveIntegerField(default=0)
    fee_kept_minor = models.PositiveIntegerField(default=0)
    credit_released = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Booking payment #{self.pk}"
