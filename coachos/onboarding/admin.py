from django.contrib import admin

from .models import (
    IntakeForm,
    IntakeQuestion,
    IntakeResponse,
    OnboardingProgress,
    OnboardingSettings,
    WaiverSignature,
    WaiverTemplate,
    WaiverVersion,
)


@admin.register(OnboardingSettings)
class OnboardingSettingsAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "enabled", "require_waiver")


class WaiverVersionInline(admin.TabularInline):
    model = WaiverVersion
    extra = 0
    fields = ("number", "text_sha256", "created_at")
    readonly_fields = fields
    can_delete = False


@admin.register(WaiverTemplate)
class WaiverTemplateAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "title", "active", "required")
    inlines = [WaiverVersionInline]


@admin.register(WaiverSignature)
class WaiverSignatureAdmin(admin.ModelAdmin):
    """Read only: a signature is a record."""

    list_display = ("id", "organization", "version", "method", "signed_at")
    raw_id_fields = ("client", "version", "signed_by")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class IntakeQuestionInline(admin.TabularInline):
    model = IntakeQuestion
    extra = 0


@admin.register(IntakeForm)
class IntakeFormAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "title", "active", "onboarding")
    inlines = [IntakeQuestionInline]


@admin.register(IntakeResponse)
class IntakeResponseAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "form", "submitted_at")
    raw_id_fields = ("client", "form", "submitted_by")


@admin.register(OnboardingProgress)
class OnboardingProgressAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "profile_done_at", "forms_done_at", "waiver_done_at", "booking_done_at")
    raw_id_fields = ("client",)
