"""Amounts for people and for files: minor units → text, with the currency's decimals. No Django."""

from __future__ import annotations

from decimal import Decimal

ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "ISK", "CLP", "VND"})


def exponent_of(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL_CURRENCIES else 2


def plain(minor: int, currency: str) -> str:
    """-1234.56 — exact, no grouping (CSV, JSON-like uses)."""
    exponent = exponent_of(currency)
    if exponent == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 10 ** exponent)
    return f"{sign}{whole}.{cents:0{exponent}d}"


def grouped(minor: int, currency: str) -> str:
    """−1,234.56 — for pages (a real minus sign)."""
    exponent = exponent_of(currency)
    sign = "−" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 10 ** exponent) if exponent else (abs(minor), 0)
    return f"{sign}{whole:,}" + (f".{cents:0{exponent}d}" if exponent else "")


def to_decimal(minor: int, currency: str) -> Decimal:
    """1250 → Decimal("12.50"): exact, for formatting."""
    return Decimal(minor).scaleb(-exponent_of(currency))


def to_major(minor: int, currency: str) -> float:
    """For charts only: never for sums."""
    return float(Decimal(minor).scaleb(-exponent_of(currency)))


def parse_major(text: Decimal, currency: str) -> int:
    """12.50 → 1250 (the caller has validated the decimals)."""
    return int(text.scaleb(exponent_of(currency)))
