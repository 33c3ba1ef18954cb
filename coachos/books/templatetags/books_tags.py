"""Amounts on the books pages."""

from __future__ import annotations

from django import template

from coachos.books import money
from coachos.common import formats

register = template.Library()


@register.filter
def amount(minor: int | None, currency: str) -> str:
    """1,234.56 / 1.234,56 in the business's locale, the currency's decimals (zero included: a P&L
    shows 0.00, not a blank). The currency is named once, in the column heading."""
    return formats.format_number(money.to_decimal(minor or 0, currency), decimals=money.exponent_of(currency))
