"""One way to show dates, times, numbers and money: Babel, driven by the business's locale.

A business's locale is its language plus its country (en + GB → en_GB: "Tuesday 8 December", 24 h).
Pages get the locale of the business being shown (``activate``, entered by the tenancy middleware);
emails, texts and PDFs pass the business explicitly (``style_of``). Instants are shown in the zone
given, the business's by default (DESIGN rule 2); a client's own zone is labelled when it differs
(rule 11).

Files for machines (CSV) do not use these: ISO dates and plain decimal amounts with a currency column.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import DateTimePattern, get_timezone_location, parse_pattern
from babel.numbers import format_currency as babel_currency
from babel.numbers import format_decimal as babel_decimal
from babel.numbers import get_currency_precision
from django.utils import timezone, translation

# The country a language means when the business has not said (the languages the platform speaks).
DEFAULT_COUNTRY = {"en": "US", "es": "ES", "fr": "FR", "de": "DE"}
FALLBACK_LOCALE = "en_US"


@dataclass(frozen=True)
class Style:
    """How one business writes things: Babel locale (``en_GB``), currency and time zone."""

    locale: str = FALLBACK_LOCALE
    currency: str = "USD"
    zone: tzinfo = zoneinfo.ZoneInfo("UTC")


def locale_for(language: str | None, country: str | None = None) -> str:
    """("en", "GB") → "en_GB"; ("de", None) → "de_DE"; ("es", "GB") → "es_ES"; nonsense → "en_US"."""
    language = (language or "en").replace("-", "_").split("_")[0].lower() or "en"
    country = (country or DEFAULT_COUNTRY.get(language, "")).upper()
    name = f"{language}_{country}" if country else language
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        # No such pairing (a Spanish speaker's dates at a British business): the language's own
        # country, rather than English.
        if country and country != DEFAULT_COUNTRY.get(language, ""):
            return locale_for(language)
        return FALLBACK_LOCALE
    return name


def style_of(organization: Any, language: str | None = None) -> Style:
    """The style of a business (an Organization, or anything with its attributes). ``language``: the
    reader's own language, when it is not the business's (the business's country and money stay)."""
    zone_name = getattr(organization, "timezone", "") or "UTC"
    try:
        zone: tzinfo = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return Style(
        locale=locale_for(language or getattr(organization, "locale", "en"),
                          getattr(organization, "country", "") or None),
        currency=(getattr(organization, "currency", "") or "USD").upper(),
        zone=zone,
    )


_current: ContextVar[Style | None] = ContextVar("coachos_format_style", default=None)


@contextmanager
def activate(organization: Any, language: str | None = None) -> Iterator[Style]:
    """Format as this business does until the block ends (a request, a job); in ``language`` when
    the reader has their own."""
    style = style_of(organization, language)
    token = _current.set(style)
    try:
        yield style
    finally:
        _current.reset(token)


def current_locale() -> str:
    """The active business's locale; else the active language with its default country."""
    style = _current.get()
    if style is not None:
        return style.locale
    return locale_for(translation.get_language())


def _locale(locale: str | None) -> str:
    return locale or current_locale()


def _zone(zone: tzinfo | None) -> tzinfo:
    return zone if zone is not None else timezone.get_current_timezone()


def _local(value: datetime, zone: tzinfo | None) -> datetime:
    if timezone.is_naive(value):
        return value
    return value.astimezone(_zone(zone))


# Babel parses the locale and the pattern on every call; a page with a hundred dates paid for that a
# hundred times. The parsed locale and patterns are kept (they never change while the process runs).

@lru_cache(maxsize=64)
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


@lru_cache(maxsize=256)
def _date_pattern(locale: str, style: str) -> DateTimePattern:
    """A date style ("medium", "full", …) or a pattern ("EEEE, MMMM d"), parsed once."""
    if style in ("full", "long", "medium", "short"):
        return _babel_locale(locale).date_formats[style]  # type: ignore[no-any-return]
    return parse_pattern(style)


@lru_cache(maxsize=64)
def _time_pattern(locale: str) -> DateTimePattern:
    return _babel_locale(locale).time_formats["short"]  # type: ignore[no-any-return]


@lru_cache(maxsize=64)
def _joiner(locale: str) -> str:
    return str(_babel_locale(locale).datetime_formats.get("medium", "{1}, {0}")).replace("'", "")


# Memoised: a page of booking times formats the same few days and times again and again, and each
# Babel pattern application costs ~0.1 ms (bench: scripts/load.py, the booking page).
@lru_cache(maxsize=4096)
def babel_date(day: date, style: str, *, locale: str) -> str:
    return str(_date_pattern(locale, style).apply(day, _babel_locale(locale)))


@lru_cache(maxsize=4096)
def babel_time(value: time | datetime, style: str, *, locale: str) -> str:
    return str(_time_pattern(locale).apply(value, _babel_locale(locale)))


@lru_cache(maxsize=64)
def _date_without_year(locale: str) -> str:
    """The locale's full date pattern without the year: "EEEE, MMMM d" (en_US), "EEEE d MMMM" (fr)."""
    pattern = _babel_locale(locale).date_formats["full"].pattern
    stripped = re.sub(r",?\s*(?:'[^']*'\s*)?y+\.?", "", pattern).strip(" ,")
    return stripped if "d" in stripped else pattern


# --- dates and times ---------------------------------------------------------------------------

def format_date(value: date | datetime | None, *, locale: str | None = None, zone: tzinfo | None = None,
                style: str = "medium", today: date | None = None) -> str:
    """A date. ``style``: "medium" ("Dec 8, 2026"), "long", "full" ("Tuesday, December 8, 2026"),
    "short", or "day" (the full date, without the year when it is ``today``'s year)."""
    if value is None:
        return ""
    loc = _locale(locale)
    if isinstance(value, datetime):
        value = _local(value, zone)
    day = value.date() if isinstance(value, datetime) else value
    if style == "day":
        this_year = (today or timezone.localdate(timezone=_zone(zone))).year
        if day.year == this_year:
            return babel_date(day, _date_without_year(loc), locale=loc)
        style = "full"
    return babel_date(day, style, locale=loc)


def format_time(value: datetime | time | None, *, locale: str | None = None, zone: tzinfo | None = None) -> str:
    """A time of day as the locale writes it: "9:00 AM" (en_US), "09:00" (en_GB, fr, de), "9:00" (es)."""
    if value is None:
        return ""
    loc = _locale(locale)
    if isinstance(value, datetime):
        value = _local(value, zone).replace(tzinfo=None)
    return babel_time(value, "short", locale=loc)


def format_datetime(value: datetime | None, *, locale: str | None = None, zone: tzinfo | None = None,
                    style: str = "medium", today: date | None = None) -> str:
    """Date and time joined the locale's way: "Dec 8, 2026, 9:00 AM" / "8 Dec 2026, 09:00"."""
    if value is None:
        return ""
    loc = _locale(locale)
    day = format_date(value, locale=loc, zone=zone, style=style, today=today)
    return join_date_time(day, format_time(value, locale=loc, zone=zone), locale=loc)


def join_date_time(day: str, clock: str, *, locale: str | None = None) -> str:
    """A worded date and time joined the locale's way ("{date}, {time}" in the locales we speak)."""
    return _joiner(_locale(locale)).format(clock, day)


def zone_name(zone: tzinfo, *, locale: str | None = None) -> str:
    """A zone's city for people: "London", "Chicago", "Londres" (labels say "London time")."""
    try:
        return str(get_timezone_location(zone, locale=_locale(locale), return_city=True))
    except (LookupError, ValueError):  # pragma: no cover - any IANA zone has a location
        return str(zone)


def zones_differ(a: tzinfo, b: tzinfo, at: datetime | None = None) -> bool:
    """True when two zones show a different wall-clock time (at that instant: DST may differ)."""
    when = at or timezone.now()
    return when.astimezone(a).utcoffset() != when.astimezone(b).utcoffset()


def first_weekday(locale: str | None = None) -> int:
    """0 = Monday … 6 = Sunday, as the locale's calendars start the week (en_US: Sunday)."""
    return int(Locale.parse(_locale(locale)).first_week_day)


def uses_24_hour_clock(locale: str | None = None) -> bool:
    return "H" in Locale.parse(_locale(locale)).time_formats["short"].pattern


# --- numbers and money -------------------------------------------------------------------------

def decimals_of(currency: str) -> int:
    """Minor-unit digits of a currency (USD 2, JPY 0)."""
    return int(get_currency_precision(currency.upper()))


def minor_to_major(minor: int, currency: str) -> Decimal:
    return Decimal(int(minor)).scaleb(-decimals_of(currency))


def format_money(minor: int | None, currency: str | None = None, *, locale: str | None = None) -> str:
    """Integer minor units → "$160.00", "160,00 €", "¥1,600" (the currency's own decimals)."""
    if minor is None:
        return ""
    style = _current.get()
    code = (currency or (style.currency if style is not None else "USD")).upper()  # Stripe sends "usd"
    return str(babel_currency(minor_to_major(minor, code), code, locale=_locale(locale)))


def format_number(value: int | float | Decimal | None, *, locale: str | None = None,
                  decimals: int | None = None) -> str:
    """1234.5 → "1,234.5" / "1.234,5"; ``decimals`` fixes the digits after the separator."""
    if value is None:
        return ""
    if decimals is None:
        return str(babel_decimal(value, locale=_locale(locale)))
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(babel_decimal(value, format=pattern, locale=_locale(locale), decimal_quantization=True))
