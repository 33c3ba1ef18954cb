from __future__ import annotations

import zoneinfo
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.common import moments

from .roles import Perm, Role, role_has

RESERVED_SLUGS = frozenset(
    {"admin", "api", "accounts", "account", "app", "portal", "book", "static", "media", "webhooks", "invitations",
     "o", "p", "new", "settings", "help", "www", "healthz"}
)

phone_validator = RegexValidator(
    r"^\+[1-9]\d{6,14}$", _("Enter the number in international format, for example +13125550123.")
)


def validate_timezone(value: str) -> None:
    if not moments.is_zone(value):  # an IANA name: not "localtime" (the server's own zone), nor "Factory"
        raise ValidationError(
            _("“%(value)s” is not a time zone. Use an IANA name such as America/Chicago."),
            params={"value": value},
            code="invalid_timezone",
        )


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(value)s” is reserved. Choose another address."), params={"value": value})


CURRENCIES = [
    ("USD", "USD — US dollar"), ("CAD", "CAD — Canadian dollar"), ("EUR", "EUR — Euro"),
    ("GBP", "GBP — British pound"), ("AUD", "AUD — Australian dollar"), ("NZD", "NZD — New Zealand dollar"),
    ("CHF", "CHF — Swiss franc"), ("SEK", "SEK — Swedish krona"), ("NOK", "NOK — Norwegian krone"),
    ("DKK", "DKK — Danish krone"), ("MXN", "MXN — Mexican peso"), ("BRL", "BRL — Brazilian real"),
    ("ZAR", "ZAR — South African rand"), ("SGD", "SGD — Singapore dollar"), ("JPY", "JPY — Japanese yen"),
    ("INR", "INR — Indian rupee"),
]


class Organization(models.Model):
    """A coach's business: the tenant. Every tenant-owned row points here."""

    name = models.CharField(_("business name"), max_length=120)
    slug = models.SlugField(
        _("address"), max_length=50, unique=True, validators=[validate_slug_not_reserved],
        help_text=_("Used in your links, e.g. /o/<address>/. Lowercase letters, numbers and hyphens."),
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC", validators=[validate_timezone])
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="USD")
    country = models.CharField(
        _("country"), max_length=2, blank=True, default="",
        help_text=_("ISO 3166 code; phone numbers typed without a country code are read as this country's."),
    )
    locale = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    sms_number = models.CharField(
        _("SMS number"), max_length=20, blank=True, validators=[phone_validator],
        help_text=_("The number your clients receive texts from."),
    )
    address = models.TextField(_("address"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    quiet_hours_start = models.TimeField(_("quiet hours start"), default=time(21, 0))
    quiet_hours_end = models.TimeField(_("quiet hours end"), default=time(8, 0))
    quiet_hours_exempt_requested = models.BooleanField(
        _("send what clients just asked for during quiet hours"), default=True,
        help_text=_("A client who books at 22:00 gets their booking confirmation and replies at once. "
                    "Reminders and everything else wait until quiet hours end."),
    )
    late_cancellation_allowed = models.BooleanField(
        _("allow late cancellations"), default=False,
        help_text=_("Let clients cancel inside the cancellation window; such cancellations are marked late."),
    )
    late_cancellation_forfeits_credit = models.BooleanField(
        _("a late cancellation uses a credit"), default=True,
        help_text=_("If off, the client gets the session's credit back even when cancelling late."),
    )
    no_show_forfeits_credit = models.BooleanField(_("a no-show uses a credit"), default=True)
    auto_complete_after_hours = models.PositiveIntegerField(
        _("complete sessions automatically after (hours)"), default=2,
        help_text=_("Sessions still open this long after they end are marked completed and use a credit."),
    )
    plan = models.CharField(_("plan"), max_length=30, default="starter")
    # A business created at sign-up waits for its owner to confirm their email: until then its booking
    # page is not published and nothing is sent to its clients (coachos/tenancy/verification.py).
    owner_verified = models.BooleanField(_("owner's email confirmed"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Inbound texts find their business by the number they were sent to.
            models.UniqueConstraint(fields=["sms_number"], condition=~models.Q(sms_number=""),
                                    name="organization_unique_sms_number"),
        ]
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Membership(models.Model):
    """A user's role in one business. A user may hold memberships in several businesses."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    # What an owner chose for one coach on the Team page; owners and front desk ignore these.
    sees_all_clients = models.BooleanField(
        _("sees all clients"), default=True,
        help_text=_("If off, the coach sees only the clients they coach."),
    )
    sees_money = models.BooleanField(_("sees money"), default=True)
    edits_prices = models.BooleanField(_("can edit packages and prices"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user")]
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.pk}"

    def has(self, perm: str) -> bool:
        if self.role == Role.COACH:
            if perm == Perm.MONEY and not self.sees_money:
                return False
            if perm == Perm.EDIT_PRICES and not self.edits_prices:
                return False
        return role_has(self.role, perm)

    @property
    def own_clients_only(self) -> bool:
        """A coach the owner limited to the clients they coach (``Client.coach_membership``)."""
        return self.role == Role.COACH and not self.sees_all_clients

    @property
    def is_team(self) -> bool:
        return self.role != Role.CLIENT


class AuditEntry(models.Model):
    """Append-only record of who did what, when, to which object. Written by services."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["organization", "-created_at"], name="audit_org_created")]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:  # type: ignore[override]
        raise ValueError("Audit entries are append-only.")


class SecurityEvent(models.Model):
    """The security audit log, beside the business audit log: what happened to one person's account
    (sign-ins, failures, two-factor and password changes, tokens, exports, role changes), with the
    time, address, browser and country it came from. Written by ``coachos.tenancy.security``.

    Account-wide, not a business's: its business link is named ``business`` (not ``organization``)
    and read only by the person (their "Recent activity") and by platform staff (admin)."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        MFA_ADDED = "mfa_added", _("Two-factor method added")
        MFA_REMOVED = "mfa_removed", _("Two-factor method removed")
        MFA_CODES = "mfa_codes", _("Recovery codes regenerated")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset by email")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        EXPORT = "export", _("Data exported")
        ROLE_CHANGED = "role_changed", _("Role changed")

    class Flag(models.TextChoices):
        NONE = "", _("None")
        MANY_FAILURES = "many_failures", _("Many failed sign-ins")
        NEW_COUNTRY = "new_country", _("Sign-in from a new country")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="security_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    business = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    country = models.CharField(max_length=2, blank=True)
    flag = models.CharField(max_length=20, choices=Flag.choices, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="security_user_created"),
            models.Index(fields=["ip", "kind", "-created_at"], name="security_ip_kind"),
            models.Index(fields=["flag", "-created_at"], name="security_flagged", condition=~models.Q(flag="")),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"
