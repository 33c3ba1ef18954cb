"""The client's journal: entries (private until the client shares one), prompts the coach sends,
the client's own tags, and an optional weekly goal with a gentle reminder.

Who may read an entry is decided in one place: ``selectors.journal.journal_entries_readable``."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from coachos.clients.models import Client
from coachos.scheduling.models import TrainingSession
from coachos.tenancy.models import Organization

from .notes import NoteTemplate


class Mood(models.IntegerChoices):
    AWFUL = 1, _("Awful")
    LOW = 2, _("Low")
    OKAY = 3, _("Okay")
    GOOD = 4, _("Good")
    GREAT = 5, _("Great")


class JournalTag(models.Model):
    """A client's own label on their entries (theirs alone: another client never sees it)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=40)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(Lower("name"), "client", name="notes_journal_tag_unique")]

    def __str__(self) -> str:
        return self.name


class JournalPrompt(models.Model):
    """A question the coach sends ("What went well this week?") to one client or several."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    text = models.CharField(_("prompt"), max_length=500)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Journal prompt #{self.pk}"


class JournalEntry(models.Model):
    """A client's reflection. ``shared`` (with ``shared_at``) is the client's choice per entry; a
    ``draft`` (autosaved, not yet saved by the client) is never shown to the team, shared or not."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="journal_entries")
    title = models.CharField(_("title"), max_length=200, blank=True)
    body_html = models.TextField(_("entry"), blank=True)
    body_text = models.TextField(blank=True, editable=False)
    mood = models.PositiveSmallIntegerField(_("mood"), choices=Mood.choices, null=True, blank=True,
                                            validators=[MinValueValidator(1), MaxValueValidator(5)])
    tags = models.ManyToManyField(JournalTag, blank=True, related_name="entries", verbose_name=_("tags"))
    session = models.ForeignKey(TrainingSession, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="journal_entries")
    prompt = models.ForeignKey(JournalPrompt, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="entries")
    template = models.ForeignKey(NoteTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    shared = models.BooleanField(_("shared with my coach"), default=False)
    shared_at = models.DateTimeField(null=True, blank=True)
    draft = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(mood__isnull=True) | Q(mood__gte=1, mood__lte=5),
                                   name="notes_journal_mood_range"),
        ]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="notes_journal_client"),
            models.Index(fields=["organization", "shared", "-created_at"], name="notes_journal_shared"),
        ]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"Journal entry #{self.pk}"


class JournalPromptRecipient(models.Model):
    """A prompt sent to one client, and the entry that answers it (once the client writes one)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    prompt = models.ForeignKey(JournalPrompt, on_delete=models.CASCADE, related_name="recipients")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="journal_prompts")
    entry = models.ForeignKey(JournalEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["prompt", "client"], name="notes_prompt_once_per_client")]

    def __str__(self) -> str:
        return f"Journal prompt recipient #{self.pk}"


class JournalGoal(models.Model):
    """A client's own goal ("3 entries a week"), with a gentle reminder late in the week when behind."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="journal_goal")
    entries_per_week = models.PositiveSmallIntegerField(_("entries a week"),
                                                        validators=[MinValueValidator(1), MaxValueValidator(14)])
    remind = models.BooleanField(_("remind me when I am behind"), default=True)
    # The ISO week ("2025-W07") the last reminder was for: claimed with one conditional UPDATE, so two
    # workers remind a client at most once a week.
    reminded_for = models.CharField(max_length=10, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(entries_per_week__gte=1, entries_per_week__lte=14),
                                   name="notes_journal_goal_range"),
        ]

    def __str__(self) -> str:
        return f"Journal goal #{self.pk}"
