"""The shared format helpers: Babel, driven by the business's language, country and currency."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from coachos.common import formats

INSTANT = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)
CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize(("language", "country", "expected"), [
    ("en", "", "en_US"), ("en", "GB", "en_GB"), ("es", None, "es_ES"), ("fr", "", "fr_FR"), ("de", "", "de_DE"),
    ("en-gb", None, "en_US"), ("xx", "", "en_US"), ("", "", "en_US"),
])
def test_locale_for(language: str, country: str | None, expected: str) -> None:
    assert formats.locale_for(language, country).startswith(expected)


def test_the_country_defaults_from_the_language_when_a_business_has_none() -> None:
    business = SimpleNamespace(locale="de", currency="eur", timezone="Europe/Berlin")
    style = formats.style_of(business)
    assert (style.locale, style.currency, str(style.zone)) == ("de_DE", "EUR", "Europe/Berlin")
    assert formats.style_of(SimpleNamespace(locale="en", country="GB", timezone="Nope/Nowhere")).zone == ZoneInfo("UTC")


@pytest.mark.parametrize(("locale", "day", "clock", "twenty_four", "week_starts"), [
    ("en_US", "Tuesday, December 8", "9:00\u202fAM", False, 6),
    ("en_GB", "Tuesday, 8 December", "09:00", True, 0),
    ("es_ES", "martes, 8 de diciembre", "9:00", True, 0),
    ("fr_FR", "mardi 8 décembre", "09:00", True, 0),
    ("de_DE", "Dienstag, 8. Dezember", "09:00", True, 0),
])
def test_dates_times_and_weeks_per_locale(locale: str, day: str, clock: str, twenty_four: bool,
                                          week_starts: int) -> None:
    this_year = date(2026, 1, 1)
    assert formats.format_date(INSTANT, locale=locale, zone=CHICAGO, style="day", today=this_year) == day
    assert formats.format_time(INSTANT, locale=locale, zone=CHICAGO) == clock
    assert formats.uses_24_hour_clock(locale) is twenty_four
    assert formats.first_weekday(locale) == week_starts


def test_a_day_names_the_year_only_when_it_is_not_this_year() -> None:
    assert formats.format_date(date(2027, 1, 8), locale="en_US", style="day", today=date(2026, 12, 7)) == (
        "Friday, January 8, 2027")
    assert formats.format_date(date(2026, 12, 8), locale="en_US", style="day", today=date(2026, 12, 7)) == (
        "Tuesday, December 8")


def test_an_instant_is_shown_in_the_zone_given_not_utc() -> None:
    assert formats.format_datetime(INSTANT, locale="en_GB", zone=ZoneInfo("Europe/Madrid")) == "8 Dec 2026, 16:00"
    assert formats.format_time(time(17, 30), locale="en_US") == "5:30\u202fPM"
    assert formats.format_date(None) == "" and formats.format_time(None) == "" and formats.format_datetime(None) == ""


@pytest.mark.parametrize(("minor", "currency", "locale", "expected"), [
    (16000, "USD", "en_US", "$160.00"),
    (16000, "GBP", "en_GB", "£160.00"),
    (123456, "EUR", "de_DE", "1.234,56\xa0€"),
    (123456, "EUR", "fr_FR", "1\u202f234,56\xa0€"),
    (1600, "JPY", "en_US", "¥1,600"),  # the yen has no minor unit: 1600 minor units are ¥1,600
    (16000, "usd", "en_US", "$160.00"),  # Stripe's lowercase codes
    (-5000, "USD", "en_US", "-$50.00"),
])
def test_money_has_the_currencys_symbol_and_decimals(minor: int, currency: str, locale: str, expected: str) -> None:
    assert formats.format_money(minor, currency, locale=locale) == expected


def test_numbers() -> None:
    assert formats.format_number(1234.5, locale="de_DE", decimals=2) == "1.234,50"
    assert formats.format_number(2, locale="en_US") == "2"
    assert formats.decimals_of("JPY") == 0 and formats.decimals_of("USD") == 2


def test_an_active_business_drives_the_helpers_and_the_filters() -> None:
    business = SimpleNamespace(locale="en", country="GB", currency="GBP", timezone="Europe/London")
    template = Template("{% load formats %}{{ at|when }} · {{ at|clock }} · {{ amount|money }} · "
                        "{{ amount|money:'EUR' }} · {{ at|long_date }}")
    with translation.override("en"), formats.activate(business) as style:
        assert style.locale == "en_GB"
        text = template.render(Context({"at": INSTANT, "amount": 16000}))
    assert text == "8 Dec 2026, 15:00 · 15:00 · £160.00 · €160.00 · Tuesday, 8 December 2026"
    assert formats.current_locale() == formats.locale_for(translation.get_language())


def test_without_an_active_business_the_language_decides() -> None:
    with translation.override("de"):
        assert formats.format_money(16000, "EUR") == "160,00\xa0€"
