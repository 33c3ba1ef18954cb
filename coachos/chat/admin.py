"""Chat in the platform admin: settings per business, and conversations and reports by id only.

Message text is private to the business and its clients: the admin never shows it."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import ChatSettings, Conversation, MessageReport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ChatSettings)
class ChatSettingsAdmin(admin.ModelAdmin):
    list_display = ("organization", "unread_text_after_minutes", "updated_at")
    list_select_related = ("organization",)
    search_fields = ("organization__slug",)


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "kind", "client_id", "last_activity_at")
    list_filter = ("kind",)
    list_select_related = ("organization",)
    search_fields = ("organization__slug",)
    fields = ("organization", "kind", "client", "created_at", "last_activity_at")


@admin.register(MessageReport)
class MessageReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "message_id", "created_at", "resolved_at")
    list_select_related = ("organization",)
    fields = ("organization", "message", "reported_by", "created_at", "resolved_at")
