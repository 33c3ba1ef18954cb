"""Coach notes: a note on a client (optionally on one of their sessions), its versions, its action
items, the business's tags and templates. A note is the team's alone until it is shared with the
client (``shared``). Every row carries ``organization`` and a scoped manager (django-scopes)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.scheduling.models import TrainingSession
from coachos.tenancy.models import Membership, Organization


class NoteTag(models.Model):
    """A label on notes ("injury", "nutrition"); one per name per business, case aside."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(Lower("name"), "organization", name="notes_tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class NoteTemplate(models.Model):
    """Sections a note (or a client's journal entry) starts from: ordered headings with a hint each.
    The business's built-in templates (SOAP, initial assessment, session review; reflections for the
    journal) carry ``builtin_key`` and are made on first use."""

    class Kind(models.TextChoices):
        NOTE = "note", _("Coach note")
        JOURNAL = "journal", _("Journal entry")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.NOTE)
    name = models.CharField(_("name"), max_length=120)
    # [{"heading": str, "hint": str}, ...] in order (checked by services.templates.clean_sections).
    sections = models.JSONField(_("sections"), default=list, blank=True)
    builtin_key = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["kind", "position", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "builtin_key"], condition=~Q(builtin_key=""),
                                    name="notes_template_builtin_once"),
        ]

    def __str__(self) -> str:
        return f"Note template #{self.pk}"


class Note(models.Model):
    """A coach's note. ``client`` may be empty only for a note on a session as a whole (an old session
    note of a class); such a note is never shared. ``version`` grows by one with every change: a save
    names the version it started from, and a different one is a conflict (two tabs), never an overwrite."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="coach_notes")
    session = models.ForeignKey(TrainingSession, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="coach_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    title = models.CharField(_("title"), max_length=200, blank=True)
    body_html = models.TextField(_("note"), blank=True)
    # The text of ``body_html`` (search, previews); written with it, never by hand.
    body_text = models.TextField(blank=True, editable=False)
    tags = models.ManyToManyField(NoteTag, blank=True, related_name="notes", verbose_name=_("tags"))
    shared = models.BooleanField(_("shared with the client"), default=False)
    shared_at = models.DateTimeField(null=True, blank=True)
    template = models.ForeignKey(NoteTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)
    # Where an imported note came from ("client_note" / "session_note" and that row's id): the
    # import runs once per row however often it is started.
    legacy_source = models.CharField(max_length=20, blank=True, editable=False)
    legacy_id = models.BigIntegerField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(client__isnull=False) | Q(session__isnull=False),
                                   name="notes_note_client_or_session"),
            models.CheckConstraint(condition=Q(shared=False) | Q(client__isnull=False),
                                   name="notes_note_shared_needs_client"),
            models.UniqueConstraint(fields=["organization", "legacy_source", "legacy_id"],
                                    condition=Q(legacy_id__isnull=False), name="notes_note_imported_once"),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="notes_note_recent"),
            models.Index(fields=["client", "-created_at"], name="notes_note_client"),
        ]

    def __str__(self) -> str:
        return f"Note #{self.pk}"


class NoteVersion(models.Model):
    """The note as it was after a save. Autosaves by one author within a few minutes share one row
    (``services.notes.AUTOSAVE_EVERY``); an explicit save or a restore always makes a new one."""

    class Reason(models.TextChoices):
        SAVE = "save", _("Saved")
        AUTOSAVE = "autosave", _("Autosaved")
        RESTORE = "restore", _("Restored")
        IMPORT = "import", _("Imported")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200, blank=True)
    body_html = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    reason = models.CharField(max_length=8, choices=Reason.choices, default=Reason.SAVE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["note", "-id"], name="notes_version_note")]

    def __str__(self) -> str:
        return f"Note version #{self.pk}"


class NoteActionItem(models.Model):
    """A line of a note marked as something to do: a task for the client or a to-do for the coach.
    Made when the note is saved; a line taken out of the note is marked ``removed_at`` (kept, so a
    task another app made from it still has its origin)."""

    class Assignee(models.TextChoices):
        CLIENT = "client", _("Client")
        COACH = "coach", _("Coach")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="action_items")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.CharField(_("action item"), max_length=300)
    key = models.CharField(max_length=400)
    assignee = models.CharField(max_length=6, choices=Assignee.choices)
    # For a coach's to-do: whose (the note's author when they coach).
    coach_membership = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["note", "key"], name="notes_action_item_once")]
        indexes = [models.Index(fields=["organization", "assignee", "done"], name="notes_action_open")]

    def __str__(self) -> str:
        return f"Action item #{self.pk}"
