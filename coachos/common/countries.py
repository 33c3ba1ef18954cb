"""Countries: the sign-up select, and what a country implies (currency, time zones, phone region).

Names and currencies come from Babel's CLDR data when Babel is installed; otherwise a small table
covers the countries most of our businesses are in. No Django models here."""

from __future__ import annotations

import phonenumbers
from django.utils import timezone
from django.utils.translation import get_language

try:  # Babel is optional: CLDR names and currencies when present.
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global
    from babel.numbers import get_territory_currencies
except ImportError:  # pragma: no cover - exercised only without Babel
    Locale = None  # type: ignore[assignment,misc]

# Used when Babel is missing (and as the answer for these countries either way).
CURRENCY_BY_COUNTRY: dict[str, str] = {
    "US": "USD", "GB": "GBP", "ES": "EUR", "DE": "EUR", "FR": "EUR", "IE": "EUR", "CA": "CAD",
    "AU": "AUD", "NZ": "NZD", "JP": "JPY", "MX": "MXN",
}
COUNTRY_NAMES: dict[str, str] = {
    "US": "United States", "GB": "United Kingdom", "ES": "Spain", "DE": "Germany", "FR": "France",
    "IE": "Ireland", "CA": "Canada", "AU": "Australia", "NZ": "New Zealand", "JP": "Japan", "MX": "Mexico",
}
COUNTRY_BY_ZONE: dict[str, str] = {
    "America/New_York": "US", "America/Chicago": "US", "America/Denver": "US", "America/Phoenix": "US",
    "America/Los_Angeles": "US", "America/Anchorage": "US", "Pacific/Honolulu": "US", "Europe/London": "GB",
    "Europe/Madrid": "ES", "Europe/Berlin": "DE", "Europe/Paris": "FR", "Europe/Dublin": "IE",
    "America/Toronto": "CA", "America/Vancouver": "CA", "Australia/Sydney": "AU", "Australia/Melbourne": "AU",
    "Pacific/Auckland": "NZ", "Asia/Tokyo": "JP", "America/Mexico_City": "MX",
}


def _locale() -> Locale | None:
    if Locale is None:
        return None
    try:
        return Locale.parse((get_language() or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def country_choices() -> list[tuple[str, str]]:
    """Every country a phone number can belong to, by name in the current language."""
    locale = _locale()
    names = locale.territories if locale is not None else {}
    choices = [(code, names.get(code) or COUNTRY_NAMES.get(code) or code)
               for code in phonenumbers.SUPPORTED_REGIONS if code != "001"]
    return sorted(choices, key=lambda choice: choice[1])


def currency_for_country(country: str, *, allowed: set[str] | None = None) -> str | None:
    """The currency a business in ``country`` is paid in, if it is one of ``allowed``."""
    currency = CURRENCY_BY_COUNTRY.get(country)
    if currency is None and Locale is not None:
        currencies = get_territory_currencies(country, timezone.now().date())
        currency = currencies[0] if currencies else None
    if currency is None or (allowed is not None and currency not in allowed):
        return None
    return currency


def country_for_timezone(zone: str) -> str | None:
    """The country of an IANA zone when it belongs to exactly one ("Europe/London" → "GB")."""
    if zone in COUNTRY_BY_ZONE:
        return COUNTRY_BY_ZONE[zone]
    if Locale is not None:
        territory = get_global("zone_territories").get(zone)
        return str(territory) if territory and territory != "001" else None
    return None


def zones_for_country(country: str) -> list[str]:
    """The IANA zones of a country, its most common first when Babel knows it."""
    zones = [zone for zone, code in COUNTRY_BY_ZONE.items() if code == country]
    if Locale is not None:
        zones += [zone for zone in get_global("territory_zones").get(country, ()) if zone not in zones]
    return zones
