"""Waivers (versioned, signed versions frozen), intake forms and each client's onboarding progress."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.common.storage import private_storage
from coachos.tenancy.models import Organization


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FrozenError(Exception):
    """A signed waiver version (or a signature) cannot change."""


class OnboardingSettings(models.Model):
    """One per business: how onboarding and waivers work there."""

    class PackageStep(models.TextChoices):
        OFF = "off", _("Don't ask clients to buy a package")
        OFFER = "offer", _("Offer a package (clients may skip this step)")
        REQUIRE = "require", _("Require a package")

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="onboarding_settings")
    enabled = models.BooleanField(
        _("guide new clients through onboarding"), default=True,
        help_text=_("Invited clients see their onboarding steps: profile, forms, waiver, first booking."))
    require_waiver = models.BooleanField(
        _("require a current signed waiver before booking"), default=False,
        help_text=_("Clients must sign the latest version of every required waiver before booking online. "
                    "Bookings you make on your calendar are not affected."))
    package_step = models.CharField(
        _("buying a package during onboarding"), max_length=8, choices=PackageStep.choices, default=PackageStep.OFF,
        help_text=_("After the waiver, clients choose one of the packages below and pay online."))
    # Only packages on sale (with a price) can be chosen; the services check it.
    package_plans = models.ManyToManyField("credits.PackagePlan", blank=True, related_name="+",
                                           verbose_name=_("packages offered"))

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("onboarding settings")
        verbose_name_plural = _("onboarding settings")

    def __str__(self) -> str:
        return f"Onboarding settings #{self.pk}"


class WaiverTemplate(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    required = models.BooleanField(_("required"), default=True,
                                   help_text=_("Every client must sign it (onboarding, and booking if required)."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return f"Waiver #{self.pk}"

    def current_version(self) -> WaiverVersion | None:
        return self.versions.order_by("-number").first()


class WaiverVersion(models.Model):
    """One wording of a waiver. Editing a waiver adds a version; a signed version never changes."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(WaiverTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(_("text"))
    text_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="waiver_version_unique_number")]

    def __str__(self) -> str:
        return f"Waiver version #{self.pk}"

    def has_signatures(self) -> bool:
        return self.pk is not None and WaiverSignature.objects.filter(version_id=self.pk).exists()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.has_signatures():
            raise FrozenError("A signed waiver version cannot change; edit the waiver to add a version.")
        self.text_sha256 = sha256_text(self.text)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.has_signatures():
            raise FrozenError("A signed waiver version cannot be deleted.")
        return super().delete(*args, **kwargs)


def signature_path(instance: WaiverSignature, filename: str) -> str:
    # A random name: the path never carries the client's name or id.
    return f"waivers/{instance.organization_id}/{uuid.uuid4().hex}.png"


class WaiverSignature(models.Model):
    """A client's signature of one waiver version, with the exact text they saw."""

    class Method(models.TextChoices):
        DRAWN = "drawn", _("Typed name and drawn signature")
        # The accessible alternative: a person who cannot draw (keyboard, screen reader) adopts
        # their typed full name as their signature.
        TYPED_ADOPTED = "typed_adopted", _("Signed by typed name (accessible alternative)")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="waiver_signatures")
    version = models.ForeignKey(WaiverVersion, on_delete=models.PROTECT, related_name="signatures")
    full_name = models.CharField(_("full name"), max_length=150)
    method = models.CharField(max_length=16, choices=Method.choices)
    signature = models.FileField(upload_to=signature_path, blank=True, storage=private_storage)
    signed_text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"Waiver signature #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and WaiverSignature.objects.filter(pk=self.pk).exists():
            raise FrozenError("A signature is a record; it cannot change.")
        super().save(*args, **kwargs)


class IntakeForm(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("introduction"), blank=True, max_length=2000)
    active = models.BooleanField(_("active"), default=True)
    onboarding = models.BooleanField(_("part of onboarding"), default=True,
                                     help_text=_("New clients fill it in during onboarding."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return f"Intake form #{self.pk}"


class IntakeQuestion(models.Model):
    class Kind(models.TextChoices):
        SHORT = "short", _("Short text")
        LONG = "long", _("Long text")
        CHOICE = "choice", _("Choice (one)")
        MULTI = "multi", _("Multiple choice")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        YESNO = "yesno", _("Yes / no")

    CHOICE_KINDS = (Kind.CHOICE, Kind.MULTI)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    form = models.ForeignKey(IntakeForm, on_delete=models.CASCADE, related_name="questions")
    label = models.CharField(_("question"), max_length=200)
    help_text = models.CharField(_("hint"), max_length=200, blank=True)
    kind = models.CharField(_("kind of answer"), max_length=6, choices=Kind.choices, default=Kind.SHORT)
    required = models.BooleanField(_("required"), default=False)
    options = models.JSONField(_("options"), default=list, blank=True)
    order = models.PositiveIntegerField(default=0)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["form", "order", "id"]

    def __str__(self) -> str:
        return f"Intake question #{self.pk}"


class IntakeResponse(models.Model):
    """A client's answers. Each answer keeps the question's label as asked, so a later edit of
    the form does not change what the client answered."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="intake_responses")
    form = models.ForeignKey(IntakeForm, on_delete=models.CASCADE, related_name="responses")
    answers = models.JSONField(default=list)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"Intake response #{self.pk}"


class OnboardingProgress(models.Model):
    """When each onboarding step was completed. Saved after every step, so a client resumes."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="onboarding_progress")
    started_at = models.DateTimeField(auto_now_add=True)
    profile_done_at = models.DateTimeField(null=True, blank=True)
    forms_done_at = models.DateTimeField(null=True, blank=True)
    waiver_done_at = models.DateTimeField(null=True, blank=True)
    # The package step: done once a purchase of the client is paid (confirmed by the webhook, or
    # recorded by the coach); skipped only where the business offers rather than requires it.
    package_done_at = models.DateTimeField(null=True, blank=True)
    package_skipped_at = models.DateTimeField(null=True, blank=True)
    package_purchase = models.ForeignKey("billing.Purchase", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    booking_done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    def __str__(self) -> str:
        return f"Onboarding progress #{self.pk}"
