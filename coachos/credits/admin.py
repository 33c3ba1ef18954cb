from django.contrib import admin

from .models import ClientPackage, CreditEntry, PackagePlan


@admin.register(PackagePlan)
class PackagePlanAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "sessions", "price_minor", "validity_days", "active")
    search_fields = ("name", "organization__slug")


class CreditEntryInline(admin.TabularInline):
    model = CreditEntry
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "amount", "booking", "reason", "actor")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ClientPackage)
class ClientPackageAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "client", "name", "remaining", "total", "expires_at", "status")
    list_filter = ("status", "source")
    search_fields = ("organization__slug", "name")
    readonly_fields = ("remaining", "total")
    raw_id_fields = ("client", "plan", "created_by")
    inlines = [CreditEntryInline]
