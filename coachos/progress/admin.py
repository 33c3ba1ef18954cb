"""Progress in the platform admin: read-only, by id and status. Body measurements, photos and the
words of goals and tasks belong to the client and their business: the admin never shows them."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Goal, MeasurementKind, MonthlyReport, ProgressDefaults, ProgressPhoto, ProgressSettings, Task


class ReadOnlyAdmin(admin.ModelAdmin):
    list_select_related = ("organization",)
    search_fields = ("organization__slug",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MeasurementKind)
class MeasurementKindAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "key", "name", "unit", "better", "created_at")
    fields = ("organization", "key", "name", "unit", "better", "min_value", "max_value", "created_at")


@admin.register(Goal)
class GoalAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "client_id", "status", "target_type", "created_at", "achieved_at")
    list_filter = ("status", "target_type")
    fields = ("organization", "client", "status", "target_type", "measurement_kind", "start_date", "target_date",
              "created_at", "achieved_at")


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "client_id", "repeat", "active", "start_date", "due_date")
    list_filter = ("repeat", "active")
    fields = ("organization", "client", "repeat", "active", "start_date", "due_date", "ended_on", "created_at")


@admin.register(ProgressPhoto)
class ProgressPhotoAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "client_id", "pose", "taken_on", "size", "created_at")
    fields = ("organization", "client", "pose", "taken_on", "width", "height", "size", "created_at")


@admin.register(ProgressSettings)
class ProgressSettingsAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "client_id", "unit_system", "monthly_report", "updated_at")
    fields = ("organization", "client", "unit_system", "monthly_report", "updated_at")


@admin.register(ProgressDefaults)
class ProgressDefaultsAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "monthly_report", "updated_at")
    fields = ("organization", "monthly_report", "updated_at")


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "client_id", "month", "status", "message_id", "created_at")
    list_filter = ("status",)
    fields = ("organization", "client", "month", "status", "message_id", "created_at")
