"""Platform admin: automations and their runs (read and switch off), the job schedule and job
runs (read-only: the scheduler writes them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Automation, AutomationRun, JobRun, JobSchedule, Todo


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Automation)
class AutomationAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "trigger_type", "enabled", "next_run_at", "updated_at")
    list_filter = ("enabled", "trigger_type")
    search_fields = ("name", "organization__slug")
    readonly_fields = ("next_run_at", "created_at", "updated_at", "created_by")
    raw_id_fields = ("organization",)
    filter_horizontal = ("tags",)


@admin.register(AutomationRun)
class AutomationRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "automation", "trigger", "status", "due_at", "started_at", "finished_at",
                    "clients_reached")
    list_filter = ("status", "trigger")
    search_fields = ("organization__slug", "automation__name")
    date_hierarchy = "started_at"


@admin.register(Todo)
class TodoAdmin(ReadOnlyAdmin):
    list_display = ("id", "organization", "due", "done", "automation")
    list_filter = ("done",)


@admin.register(JobSchedule)
class JobScheduleAdmin(ReadOnlyAdmin):
    list_display = ("name", "next_run_at", "last_status", "last_started", "last_duration_ms")

    def _last(self, obj: JobSchedule) -> JobRun | None:
        return JobRun.objects.filter(name=obj.name).exclude(status=JobRun.Status.RUNNING).order_by(
            "-started_at").first()

    @admin.display(description="last status")
    def last_status(self, obj: JobSchedule) -> str:
        last = self._last(obj)
        return last.status if last else "—"

    @admin.display(description="last run")
    def last_started(self, obj: JobSchedule) -> Any:
        last = self._last(obj)
        return last.started_at if last else None

    @admin.display(description="last duration (ms)")
    def last_duration_ms(self, obj: JobSchedule) -> Any:
        last = self._last(obj)
        return last.duration_ms if last else None


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "status", "due_at", "started_at", "duration_ms", "error")
    list_filter = ("status", "name")
    date_hierarchy = "started_at"
