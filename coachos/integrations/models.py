"""Connected calendars (Google, CalDAV) and video meetings for sessions.

A ``CalendarConnection`` is one calendar of one coach: read for busy times (``busy_source``) and/or
written with the coach's sessions (``write_target``, at most one per coach). Its secret (a CalDAV
app password, a Google refresh token) is stored encrypted (``crypto``). ``BusyBlock`` is the cached
copy of its busy times: the slot engine reads only these rows, so a failing calendar keeps blocking
with what it last said. ``RemoteEvent`` maps a session to the event written for it (written once,
then updated or deleted); ``CalendarWrite`` is the due-driven queue of sessions to write.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.scheduling.models import Coach, SessionType, TrainingSession
from coachos.tenancy.models import Organization


class CalendarConnection(models.Model):
    class Provider(models.TextChoices):
        GOOGLE = "google", _("Google Calendar")
        CALDAV = "caldav", _("CalDAV (iCloud, Fastmail, Nextcloud…)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Connected")
        FAILING = "failing", _("Not reachable")
        REVOKED = "revoked", _("Access revoked")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="calendar_connections")
    provider = models.CharField(max_length=10, choices=Provider.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    url = models.URLField(_("calendar address"), max_length=1000, blank=True)
    username = models.CharField(_("user name"), max_length=200, blank=True)
    secret = models.TextField(blank=True)  # encrypted (crypto.seal); emptied on disconnect
    calendar_id = models.CharField(max_length=1000, blank=True)  # CalDAV: the calendar's URL; Google: its id
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_detail = models.CharField(max_length=500, blank=True)  # the server's last error, for the coach
    busy_source = models.BooleanField(default=True)
    write_target = models.BooleanField(default=False)
    sync_state = models.CharField(max_length=1000, blank=True)  # CalDAV ctag / Google sync token
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # Google push notifications: the watch channel and when it expires (renewed before).
    channel_id = models.CharField(max_length=100, blank=True, db_index=True)
    channel_token = models.CharField(max_length=100, blank=True)
    channel_resource_id = models.CharField(max_length=200, blank=True)
    channel_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["coach"], condition=Q(write_target=True), name="one_write_target_per_coach"),
        ]

    def __str__(self) -> str:
        return f"CalendarConnection #{self.pk}"


class BusyBlock(models.Model):
    """A busy time in a connected calendar (the cached copy the slot engine reads)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="busy_blocks")
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    source = models.CharField(max_length=1000, blank=True)  # the remote object (href / event id)
    etag = models.CharField(max_length=200, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["starts_at"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="busy_end_after_start")]
        indexes = [models.Index(fields=["coach", "starts_at", "ends_at"])]


class RemoteEvent(models.Model):
    """The event written for a session in a connection's calendar: at most one per pair."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    connection = models.ForeignKey(CalendarConnection, on_delete=models.CASCADE, related_name="remote_events")
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="+")
    remote_id = models.CharField(max_length=1000)  # CalDAV: the object's URL; Google: the event id
    fingerprint = models.CharField(max_length=64, blank=True)  # what was written last
    deleted = models.BooleanField(default=False)
    written_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "session"], name="one_remote_event_per_session")]


class CalendarWrite(models.Model):
    """A session whose event is to be written (created, updated or removed), due from ``due_at``."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.OneToOneField(TrainingSession, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    objects = ScopedManager(organization="organization")


class VideoSettings(models.Model):
    """The business's video settings: which Jitsi Meet server its rooms are on."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="+")
    jitsi_base_url = models.URLField(_("Jitsi Meet server"), default="https://meet.jit.si")

    objects = ScopedManager(organization="organization")


class OnlineSessionType(models.Model):
    """A session type held online: each of its sessions gets a meeting link."""

    class Provider(models.TextChoices):
        JITSI = "jitsi", _("Jitsi Meet")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session_type = models.OneToOneField(SessionType, on_delete=models.CASCADE, related_name="+")
    online = models.BooleanField(default=True)
    provider = models.CharField(max_length=10, choices=Provider.choices, default=Provider.JITSI)

    objects = ScopedManager(organization="organization")


class MeetingLink(models.Model):
    """The meeting room of one session (every booking of a group session meets in the same room)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.OneToOneField(TrainingSession, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=10, default=OnlineSessionType.Provider.JITSI)
    url = models.URLField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")
