from django.contrib import admin

from .models import Client


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "first_name", "last_name", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("first_name", "last_name", "email", "organization__slug")
    raw_id_fields = ("user",)
