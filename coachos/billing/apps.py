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
        _booking_payments()
        try:
            from coachos.comms import attachments  # type: ignore[attr-defined]
        except ImportError:  # comms without attachments yet: receipts are downloaded in the portal
            return
        from .receipts import receipt_attachment

        attachments.register("receipt", receipt_attachment)


def _booking_payments() -> None:
    """Bookings settle themselves: a credit or a card payment in the booking's transaction."""
    from django.utils.translation import gettext_lazy as _

    from coachos.books.selectors import register_booking_purchases
    from coachos.common import events
    from coachos.comms import catalog
    from coachos.scheduling import settlement

    from . import booking_payments, services

    services.PAID_HOOKS.append(booking_payments.purchase_paid)
    events.subscribe(booking_payments.settle_listener, ["booking.announced"], required=True)
    events.subscribe(booking_payments.cancelled_listener, ["booking.cancelled"], required=True)
    settlement.register(preview=booking_payments.preview, describe=booking_payments.describe,
                        cancel_outcome=booking_payments.cancel_outcome)
    register_booking_purchases(booking_payments.booking_purchase_ids)
    catalog.register(catalog.Kind(
        "booking_payment_refunded", _("Booking payment refunded"), requested=True,
        sms=_("{business_name}: your payment of {amount} arrived after the time you chose was taken, so it was "
              "refunded in full. Please book another time: {link}"),
        subject=_("Your payment to {business_name} was refunded"),
        email=_("Hi {client_first_name},\n\nYour payment of {amount} arrived after your hold on the time ended and "
                "someone else booked it, so we refunded it in full. Please book another time: {link}\n\n"
                "{business_name}")))
