from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "coachos.billing"
    label = "billing"
    verbose_name = "Payments and platform billing"

    def ready(self) -> None:
        from coachos.books.selectors import register_billing_sources

        from .models import Purchase
        from .selectors import unpaid_purchases, upcoming_renewals

        register_billing_sources(owed=unpaid_purchases, renewals=upcoming_renewals,
                                 purchases=Purchase.objects.all)
        try:
            from coachos.comms import attachments  # type: ignore[attr-defined]
        except ImportError:  # comms without attachments yet: receipts are downloaded in the portal
            return
        from .receipts import receipt_attachment

        attachments.register("receipt", receipt_attachment)
