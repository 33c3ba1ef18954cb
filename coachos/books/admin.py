"""The books in the platform admin: read-only. Money moves only through the services."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Expense, MoneyEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MoneyEvent)
class MoneyEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "organization", "kind", "amount_minor", "currency", "related_type", "related_id",
                    "external_id")
    list_filter = ("kind",)
    search_fields = ("organization__slug", "external_id")
    list_select_related = ("organization",)


@admin.register(Expense)
class ExpenseAdmin(ReadOnlyAdmin):
    list_display = ("date", "organization", "category", "amount_minor", "currency", "voided_at")
    list_filter = ("category",)
    search_fields = ("organization__slug",)
    list_select_related = ("organization",)
