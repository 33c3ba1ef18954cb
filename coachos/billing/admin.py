"""Platform admin: plans and fees, each business's billing account, and the Stripe event log."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import ngettext

from .models import BillingAccount, ClientMembership, MembershipPlan, PlatformPlan, Purchase, WebhookEvent


@admin.register(PlatformPlan)
class PlatformPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "monthly_price_minor", "currency", "fee_percent", "grace_days", "is_default", "active")
    list_editable = ("active",)


@admin.register(BillingAccount)
class BillingAccountAdmin(admin.ModelAdmin):
    list_display = ("organization", "platform_plan", "platform_status", "past_due_since", "stripe_account_id",
                    "charges_enabled")
    list_filter = ("platform_status", "platform_plan", "charges_enabled")
    search_fields = ("organization__slug", "organization__name", "stripe_account_id")
    raw_id_fields = ("organization",)
    readonly_fields = ("stripe_account_id", "platform_customer_id", "platform_subscription_id", "updated_at")


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "status", "amount_minor", "currency", "method", "flagged", "created_at")
    list_filter = ("status", "method", "flagged")
    search_fields = ("organization__slug", "checkout_session_id", "payment_intent_id")
    raw_id_fields = ("client", "plan", "membership", "client_package", "created_by")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(MembershipPlan)
class MembershipPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "price_minor", "sessions_per_month", "active")
    raw_id_fields = ("package_plan",)


@admin.register(ClientMembership)
class ClientMembershipAdmin(admin.ModelAdmin):
    list_display = ("id", "organization", "plan", "status", "current_period_end", "past_due_since")
    list_filter = ("status",)
    raw_id_fields = ("client", "plan")


@admin.action(description="Process again (failed or waiting events)")
def process_again(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
    from .webhooks import process

    done = 0
    for event in queryset.exclude(result__in=[WebhookEvent.Result.PROCESSED, WebhookEvent.Result.IGNORED,
                                             WebhookEvent.Result.FLAGGED]):
        if event.result == WebhookEvent.Result.FAILED:
            WebhookEvent.objects.filter(pk=event.pk).update(processed_at=None)
        process(event.pk)
        done += 1
    messages.info(request, ngettext("%(n)d event processed again.", "%(n)d events processed again.", done)
                  % {"n": done})


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("stripe_id", "type", "result", "business", "received_at", "processed_at", "attempts")
    list_filter = ("result", "type")
    search_fields = ("stripe_id", "account")
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]
    actions = [process_again]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
