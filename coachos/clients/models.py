from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.tenancy.models import Membership, Organization, phone_validator, validate_timezone


class Tag(models.Model):
    """A label a business puts on clients ("VIP", "Marathon 2025")."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="client_tags")
    name = models.CharField(_("name"), max_length=40)
    colour = models.CharField(_("colour"), max_length=7, blank=True,
                              validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f7a4d."))])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="client_tag_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def css_class(self) -> str:
        """The class that colours the tag's badge (the pages style only the palette's colours)."""
        return f"tag-c-{self.colour[1:].lower()}" if self.colour else ""


class Client(models.Model):
    """A person a business coaches. May have a portal login (``user``) or not."""

    class Status(models.TextChoices):
        LEAD = "lead", _("Lead")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        ARCHIVED = "archived", _("Archived")

    class Source(models.TextChoices):
        REFERRAL = "referral", _("Referral")
        WEBSITE = "website", _("Website")
        SOCIAL = "social", _("Social media")
        WALK_IN = "walk-in", _("Walk-in")
        OTHER = "other", _("Other")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="clients")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="client_records"
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    tags = models.ManyToManyField(Tag, blank=True, related_name="clients", verbose_name=_("tags"))
    source = models.CharField(_("how they found you"), max_length=10, choices=Source.choices, blank=True)
    source_detail = models.CharField(_("source details"), max_length=120, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    address = models.TextField(_("address"), blank=True)
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=120, blank=True)
    emergency_contact_phone = models.CharField(_("emergency contact phone"), max_length=20, blank=True,
                                               validators=[phone_validator])
    sms_consent = models.BooleanField(_("agreed to texts"), default=False)
    sms_consent_at = models.DateTimeField(null=True, blank=True)
    email_consent = models.BooleanField(_("agreed to emails"), default=False)
    email_consent_at = models.DateTimeField(null=True, blank=True)
    # The zone the client reads times in (portal, emails); blank: the business's. Remembered when
    # they pick a zone on the booking pages.
    timezone = models.CharField(_("time zone"), max_length=64, blank=True, validators=[validate_timezone])
    # The client's own coach (a team membership): a coach the owner limits to their own clients sees
    # only these. Set when a coach adds the client; editable on the client's form.
    coach_membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="coached_clients",
        verbose_name=_("coach"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"], condition=~models.Q(email=""), name="client_unique_email"
            )
        ]

    def __str__(self) -> str:
        return f"Client #{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ClientNote(models.Model):
    """A private note the team keeps on a client."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    body = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Client note #{self.pk}"
