"""The receipt PDF writes amounts and the payment time with the shared helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from coachos.billing.receipts import amount_text, paid_on_text


def test_receipt_amounts_as_the_business_writes_them() -> None:
    berlin = SimpleNamespace(locale="de", currency="EUR", timezone="Europe/Berlin")
    assert amount_text(123456, "EUR", berlin) == "1.234,56 €"  # plain spaces: the PDF font has no U+00A0
    assert amount_text(16000, "USD", SimpleNamespace(locale="en", currency="USD", timezone="UTC")) == "$160.00"
    assert amount_text(1600, "JPY", SimpleNamespace(locale="en", currency="JPY", timezone="UTC")) == "¥1,600"


def test_receipt_time_in_the_business_zone_named() -> None:
    organization = SimpleNamespace(locale="en", currency="USD", timezone="America/Chicago")
    purchase = SimpleNamespace(organization=organization, paid_at=datetime(2026, 12, 8, 15, 0, tzinfo=UTC),
                               created_at=None)
    assert paid_on_text(purchase) == "Dec 8, 2026, 9:00 AM (Chicago)"
