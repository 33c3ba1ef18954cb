"""Messages and notifications: the outbox, inbound texts, opt-outs, templates, in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.tenancy.models import Organization


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    PUSH = "push", _("Push notification")


# What a business writes wording for and the team types messages on (push reuses the subject).
WRITTEN_CHANNELS: tuple[str, ...] = (Channel.SMS, Channel.EMAIL)


class MessageTemplate(models.Model):
    """A business's own wording for one kind of message on one channel (defaults live in catalog.py)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("message"), max_length=40)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), max_length=5000)
    enabled = models.BooleanField(_("send this message"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["kind", "channel"]
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "channel"],
                                               name="message_template_unique_kind")]

    def __str__(self) -> str:
        return f"Template {self.kind}/{self.channel}"


class OutboundMessage(models.Model):
    """One SMS or email on its way out. Written in the transaction of the event that causes it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        DEFERRED = "deferred", _("Deferred (quiet hours)")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Not sent")

    PENDING = (Status.QUEUED, Status.DEFERRED)
    DONE = (Status.SENT, Status.DELIVERED, Status.FAILED, Status.SUPPRESSED)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=5, choices=Channel.choices)
    kind = models.CharField(max_length=40, db_index=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    to = models.CharField(max_length=254, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    related_type = models.CharField(max_length=40, blank=True)
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    error_code = models.CharField(max_length=20, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    scheduled_for = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    promotional = models.BooleanField(default=False)
    quiet_hours_exempt = models.BooleanField(default=False)
    attachments = models.JSONField(default=list, blank=True)
    # Push only: the device it goes to (gone when the device turned notifications off) and the page
    # a tap on the notification opens.
    push_subscription = models.ForeignKey("comms.PushSubscription", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    url = models.CharField(max_length=500, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "dedupe_key"], condition=Q(dedupe_key__isnull=False),
                                    name="outbound_message_dedupe"),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="outbound_due",
                         condition=Q(status__in=["queued", "deferred"])),
            models.Index(fields=["organization", "client", "-scheduled_for"], name="outbound_client"),
            models.Index(fields=["related_type", "related_id"], name="outbound_related"),
        ]

    def __str__(self) -> str:
        return f"Message #{self.pk}"


class InboundMessage(models.Model):
    """A text a client sent to the business's number. Stored once per provider message id."""

    class Handling(models.TextChoices):
        STOP = "stop", _("Opted out")
        START = "start", _("Opted back in")
        HELP = "help", _("Asked for help")
        CONFIRM = "confirm", _("Confirmed a booking")
        CONFIRM_NONE = "confirm_none", _("Confirmation with nothing to confirm")
        MESSAGE = "message", _("Message")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    provider_id = models.CharField(max_length=64, unique=True)
    from_number = models.CharField(max_length=32)
    to_number = models.CharField(max_length=32)
    body = models.TextField(blank=True)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="inbound_messages")
    handled_as = models.CharField(max_length=15, choices=Handling.choices, default=Handling.MESSAGE)
    booking = models.ForeignKey("scheduling.Booking", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["organization", "client", "-received_at"], name="inbound_client")]

    def __str__(self) -> str:
        return f"Inbound message #{self.pk}"


class SmsOptOut(models.Model):
    """A phone number that texted STOP to this business's number. Every later SMS to it is suppressed."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(max_length=32)
    opted_out_at = models.DateTimeField()
    source = models.CharField(max_length=20, default="keyword")  # keyword | provider (error 21610) | coach

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-opted_out_at"]
        constraints = [models.UniqueConstraint(fields=["organization", "phone"], name="sms_opt_out_unique")]

    def __str__(self) -> str:
        return f"SMS opt-out #{self.pk}"


class Notification(models.Model):
    """An in-app notification for one user in one business (the bell)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    related_type = models.CharField(max_length=40, blank=True)
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    # The client it is about, if any: a coach the owner limits to their own clients neither sees nor
    # counts entries about other clients (``clients_visible_to``), whenever they were written.
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user", "dedupe_key"],
                                    condition=Q(dedupe_key__isnull=False), name="notification_dedupe"),
        ]
        indexes = [models.Index(fields=["user", "organization", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"Notification #{self.pk}"


class NotificationPreference(models.Model):
    """A user's choice for one event and one channel. No row means the catalog's default."""

    class Via(models.TextChoices):
        IN_APP = "in_app", _("In the app")
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        PUSH = "push", _("Push")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    via = models.CharField(max_length=6, choices=Via.choices)
    enabled = models.BooleanField(default=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user", "kind", "via"],
                                               name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"Notification preference #{self.pk}"


class PushSubscription(models.Model):
    """One device (browser) that agreed to get this person's push notifications from this business.

    The browser gives the endpoint (its push service's URL) and the keys the payload is encrypted
    with (RFC 8291). A push service that answers 404/410 has forgotten it: the row is deleted."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=1000)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=50)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "endpoint"], name="push_subscription_unique")]
        indexes = [models.Index(fields=["organization", "user"], name="push_subscription_user")]

    def __str__(self) -> str:
        return f"Push subscription #{self.pk}"
