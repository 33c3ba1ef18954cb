"""Demo session types that settle themselves at booking (#19). Idempotent (found by name).

"Drop-in session" is paid by card when booking (the local test checkout in ``make run``), "Coached
session" takes a credit or the card (the client chooses) with a $20 deposit, and "Intro session"
is an intro offer for new clients only.
"""

from __future__ import annotations

from django_scopes import scope

from coachos.scheduling.models import PaymentMode, SessionType
from coachos.tenancy.models import Organization

TYPES = [
    # name, minutes, price, mode, deposit, new clients only
    ("Drop-in session", 60, 8500, PaymentMode.PAY, 0, False),
    ("Coached session", 60, 8500, PaymentMode.EITHER, 2000, False),
    ("Intro session", 30, 2500, PaymentMode.PAY, 0, True),
]


def seed_booking_payments(organization: Organization) -> None:
    with scope(organization=organization):
        for name, minutes, price, mode, deposit, new_only in TYPES:
            if SessionType.objects.filter(name=name).exists():
                continue
            SessionType.objects.create(organization=organization, name=name, duration_minutes=minutes,
                                       price_minor=price, payment_mode=mode, deposit_minor=deposit,
                                       new_clients_only=new_only, color="#6a4bc4")
