"""The platform admin's view of notes and journals (platform staff only; scopes are off in /admin/).

A client's journal entry is theirs until they share it (DESIGN rule 10): the admin shows an entry's
title, text, mood and tags only when ``selectors.journal.shared_with_team`` says the team may read
it; otherwise it shows that the entry exists, whose it is and when, and nothing of what it says.
No search over journal text, and nothing is edited here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import JournalEntry, Note, NoteTemplate, NoteVersion, SessionRating
from .selectors.journal import shared_with_team

PRIVATE = _("(private: not shared by the client)")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class NoteVersionInline(admin.TabularInline):
    model = NoteVersion
    fields = ("version", "reason", "author", "created_at", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Note)
class NoteAdmin(ReadOnly):
    list_display = ("id", "organization", "client", "session", "author", "shared", "version", "created_at")
    list_filter = ("shared",)
    list_select_related = ("organization", "client", "session", "author")
    fields = ("organization", "client", "session", "author", "title", "body_html", "shared", "shared_at",
              "template", "version", "legacy_source", "legacy_id", "created_at", "updated_at")
    readonly_fields = fields
    inlines = [NoteVersionInline]


@admin.register(NoteTemplate)
class NoteTemplateAdmin(ReadOnly):
    list_display = ("id", "organization", "kind", "name", "builtin_key", "active")
    list_filter = ("kind", "active")
    readonly_fields = ("organization", "kind", "name", "sections", "builtin_key", "position", "active")


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnly):
    list_display = ("id", "organization", "client", "shown_title", "shared", "draft", "created_at")
    list_filter = ("shared", "draft")
    list_select_related = ("organization", "client")
    readonly_fields = ("organization", "client", "shown_title", "shown_body", "shown_mood", "shared", "shared_at",
                       "draft", "session", "created_at", "updated_at")
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[JournalEntry]:
        # The one rule, as a column: the list and the change page read it instead of the entry's flags.
        return super().get_queryset(request).annotate(team_may_read=Case(
            When(shared_with_team(), then=Value(True)), default=Value(False), output_field=BooleanField()))

    @staticmethod
    def _readable(entry: JournalEntry) -> bool:
        return bool(getattr(entry, "team_may_read", False))

    @admin.display(description=_("title"))
    def shown_title(self, entry: JournalEntry) -> str:
        return entry.title if self._readable(entry) else str(PRIVATE)

    @admin.display(description=_("entry"))
    def shown_body(self, entry: JournalEntry) -> str:
        return entry.body_text if self._readable(entry) else str(PRIVATE)

    @admin.display(description=_("mood"))
    def shown_mood(self, entry: JournalEntry) -> str:
        if not self._readable(entry):
            return str(PRIVATE)
        return entry.get_mood_display() if entry.mood else ""


@admin.register(SessionRating)
class SessionRatingAdmin(ReadOnly):
    list_display = ("id", "organization", "coach", "client", "stars", "created_at")
    list_select_related = ("organization", "coach", "client")
    readonly_fields = ("organization", "client", "booking", "session", "coach", "stars", "comment", "created_at",
                       "updated_at")
