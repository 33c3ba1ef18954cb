"""Amounts on the books pages."""

from __future__ import annotations

from django import template

from coachos.books import money

register = template.Library()


@register.filter
def amount(minor: int | None, currency: str) -> str:
    """1,234.56 (zero included: a P&L shows 0.00, not a blank)."""
    return money.grouped(minor or 0, currency)
