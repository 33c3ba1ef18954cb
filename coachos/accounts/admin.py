from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from coachos.tenancy.models import Membership

from .models import ApiToken, Invitation, User


class UserMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("organization", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("organization",)


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class UserChange(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChange
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "name", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_active")
    search_fields = ("email", "name")
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        ("Platform", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),)
    inlines = [UserMembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "email", "role", "status", "created_at", "expires_at")
    list_filter = ("status", "role")
    search_fields = ("email", "organization__slug")
    exclude = ("nonce",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    search_fields = ("organization__slug", "user__email", "prefix")
    readonly_fields = ("organization", "user", "name", "prefix", "token_hash", "created_at", "last_used_at")
    exclude = ()

    def has_add_permission(self, request: object) -> bool:
        return False
