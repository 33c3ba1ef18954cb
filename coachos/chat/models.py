"""Conversations between a business and its clients: in-app messages, texts and emails in one thread.

One direct conversation per client (a unique constraint), plus group conversations (a class, a
cohort) whose members are clients and team members. What each person has read, archived or muted is
theirs alone (``ConversationState``, one row per user). A message is never hard-deleted: a deletion
blanks it and leaves "message deleted" in the thread. Every row carries ``organization`` and a
scoped manager (django-scopes): a query outside the business's scope raises.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.common.storage import private_storage
from coachos.common.uploads import StoredUpload
from coachos.tenancy.models import Membership, Organization

DEFAULT_UNREAD_TEXT_MINUTES = 30


class ChatSettings(models.Model):
    """One per business (made on first save; ``selectors.chat_settings_for`` gives the defaults before)."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="chat_settings")
    unread_text_after_minutes = models.PositiveSmallIntegerField(
        _("text an unread message after (minutes)"), default=DEFAULT_UNREAD_TEXT_MINUTES,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text=_("A message a client has not read in the app by then is sent to them by text once, with a "
                    "link to read it, if they agreed to texts."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("chat settings")
        verbose_name_plural = _("chat settings")

    def __str__(self) -> str:
        return f"Chat settings #{self.pk}"


class Conversation(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("Client")
        GROUP = "group", _("Group")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=6, choices=Kind.choices, default=Kind.DIRECT)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="conversations")
    title = models.CharField(_("title"), max_length=120, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The list's order ("most recent first"): the last message's time, or the creation time.
    last_activity_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        constraints = [
            # One conversation per client: two first messages at the same moment still make one.
            models.UniqueConstraint(fields=["organization", "client"], condition=Q(kind="direct"),
                                    name="chat_one_conversation_per_client"),
            models.CheckConstraint(condition=Q(kind="group") | Q(client__isnull=False),
                                   name="chat_direct_has_client"),
        ]
        indexes = [models.Index(fields=["organization", "-last_activity_at", "-id"], name="chat_conv_recent")]

    def __str__(self) -> str:
        return f"Conversation #{self.pk}"

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP


class GroupMember(models.Model):
    """A client or a team member in a group conversation."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="members")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(client__isnull=True) ^ Q(membership__isnull=True),
                                   name="chat_member_is_client_or_team"),
            models.UniqueConstraint(fields=["conversation", "client"], name="chat_member_unique_client"),
            models.UniqueConstraint(fields=["conversation", "membership"], name="chat_member_unique_team"),
        ]

    def __str__(self) -> str:
        return f"Group member #{self.pk}"


class ConversationState(models.Model):
    """One person's own view of a conversation: read up to, delivered up to, archived, muted."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField(default=0)
    last_delivered_id = models.BigIntegerField(default=0)
    archived_at = models.DateTimeField(null=True, blank=True)
    muted = models.BooleanField(default=False)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["conversation", "user"], name="chat_state_unique_user")]
        indexes = [models.Index(fields=["user", "organization"], name="chat_state_user")]

    def __str__(self) -> str:
        return f"Conversation state #{self.pk}"


class Message(models.Model):
    class Kind(models.TextChoices):
        IN_APP = "in_app", _("Message")
        SMS_IN = "sms_in", _("Text from the client")
        SMS_OUT = "sms_out", _("Text to the client")
        EMAIL_OUT = "email_out", _("Email to the client")
        SYSTEM = "system", _("Note")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=9, choices=Kind.choices, default=Kind.IN_APP)
    # Who wrote it: a user (team member or the client's portal login), and for a client the record;
    # a text from the client has no user.
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    sender_client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(blank=True)
    # Made by the sender's app for each message it sends: a retry with the same key is the same message.
    client_key = models.CharField(max_length=64, null=True, blank=True)
    outbound = models.ForeignKey("comms.OutboundMessage", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    inbound = models.OneToOneField("comms.InboundMessage", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "sender", "client_key"],
                                    condition=Q(client_key__isnull=False), name="chat_message_client_key"),
        ]
        # The thread reads by id ("after=ID", "before=ID") within one conversation.
        indexes = [models.Index(fields=["conversation", "id"], name="chat_message_thread")]

    def __str__(self) -> str:
        return f"Message #{self.pk}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class MessageEdit(models.Model):
    """A message's text before an edit (the history of an edited message)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="edits")
    body = models.TextField()
    edited_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Message edit #{self.pk}"


class Reaction(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["message", "user", "emoji"], name="chat_reaction_unique")]

    def __str__(self) -> str:
        return f"Reaction #{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is random: the person's file name is kept in ``name`` and only ever sent back
    # in a Content-Disposition header.
    return f"chat/{instance.organization_id}/{instance.key}{instance.extension}"


def thumbnail_path(instance: Attachment, filename: str) -> str:
    return f"chat/{instance.organization_id}/{instance.key}.thumb.jpg"


class Attachment(StoredUpload):
    """A file uploaded for a message: first on its own (``message`` empty), then attached when sent."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    file = models.FileField(upload_to=attachment_path, storage=private_storage, max_length=200)
    thumbnail = models.FileField(upload_to=thumbnail_path, storage=private_storage, max_length=200, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["uploaded_by", "created_at"], name="chat_attachment_uploader")]

    def __str__(self) -> str:
        return f"Attachment #{self.pk}"


class MessageReport(models.Model):
    """A message reported to the business's owners (by a client, usually), with its text as it was."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reason = models.TextField(blank=True, max_length=1000)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["message", "reported_by"], name="chat_report_once")]

    def __str__(self) -> str:
        return f"Message report #{self.pk}"


class UnreadNotice(models.Model):
    """Someone a message is for, to be told by text or email if it is still unread when ``due_at`` comes.

    ``client`` set: the client of a direct conversation (a text if they agreed to texts, else an
    email); otherwise ``user`` is told by one email grouping what they have not read. The job claims
    due rows (``done_at``) so that two workers never send the same news twice."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)  # read | texted | emailed | covered | skipped

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | Q(client__isnull=False),
                                   name="chat_notice_has_recipient"),
            models.UniqueConstraint(fields=["message", "user"], condition=Q(client__isnull=True),
                                    name="chat_notice_once_per_user"),
            models.UniqueConstraint(fields=["message", "client"], condition=Q(client__isnull=False),
                                    name="chat_notice_once_per_client"),
        ]
        indexes = [models.Index(fields=["due_at"], condition=Q(done_at__isnull=True), name="chat_notice_due")]

    def __str__(self) -> str:
        return f"Unread notice #{self.pk}"
