from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import AuditEntry, Membership, Organization, SecurityEvent


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "timezone", "currency", "plan", "member_count", "created_at")
    list_filter = ("plan", "currency")
    search_fields = ("name", "slug")
    readonly_fields = ("created_at", "updated_at")
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return super().get_queryset(request).annotate(_members=Count("memberships"))

    @admin.display(description="members", ordering="_members")
    def member_count(self, obj: Organization) -> int:
        return obj._members  # type: ignore[attr-defined]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "user", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("organization__name", "organization__slug", "user__email")
    autocomplete_fields = ("user", "organization")


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "actor", "action", "object_type", "object_id")
    list_filter = ("action",)
    search_fields = ("organization__slug", "action", "object_id")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The platform staff's view of the security log: flagged events first via the "flag" filter."""

    list_display = ("created_at", "kind", "user", "actor", "business", "ip", "country", "flag")
    list_filter = ("flag", "kind", "country")
    search_fields = ("user__email", "ip")
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]
    list_select_related = ("user", "actor", "business")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
