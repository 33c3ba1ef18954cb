"""The variables a message may use, worded in the business's language and country (common.formats).

Whoever or whatever causes the message — a client's browser, a coach in another zone, a night
job — the wording is the same. Times are in the zone of the person who reads them (DESIGN rule 11):
a client's email in the client's own zone, labelled ("5:30 PM London time") when it is not the
business's; a text keeps the business's zone (what the coach says on the phone) and says so when the
client lives elsewhere; the team reads the business's zone. The words follow the reader too: a client
(or team member) who chose a language for their account reads it, with the business's country.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import date, datetime, time, tzinfo
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common import formats
from coachos.tenancy.middleware import language_of
from coachos.tenancy.models import Organization

# Variables that hold a day, a time of day, or both; given as datetimes, they are worded here.
DATE_KEYS = frozenset({"session_date", "old_session_date"})
TIME_KEYS = frozenset({"session_time", "old_session_time"})


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def _url(name: str, **kwargs: Any) -> str:
    try:
        return absolute(reverse(name, kwargs=kwargs))
    except NoReverseMatch:
        return ""


def _plain(text: str) -> str:
    """Babel's narrow and no-break spaces as plain spaces: a text stays GSM-7 (160 characters a
    part, not 70), and an email reads the same in any client."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def client_zone(client: Client | None) -> tzinfo | None:
    """The client's own display zone, if they have one."""
    name = getattr(client, "timezone", "") if client is not None else ""
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def reader_language(organization: Organization, *, client: Client | None = None, user: Any = None) -> str:
    """The language a message to this reader is written in: the one they chose for their account (the
    recipient ``user``, or the client's portal login), else the business's."""
    if user is not None and (language := language_of(user)):
        return language
    if client is not None and client.user_id is not None and (language := language_of(client.user)):
        return language
    return organization.locale


def _today(organization: Organization, zone: tzinfo | None) -> date:
    return timezone.localtime(timezone.now(), zone or organization.tzinfo).date()


def local_date(organization: Organization, instant: datetime | date | None, zone: tzinfo | None = None, *,
               locale: str | None = None) -> str:
    """Tuesday, December 8 (en-US) / Tuesday 8 December (en-GB); the year when it is not this year.
    ``locale``: the reader's (``formats.style_of(organization, language)``); the business's by default."""
    if instant is None:
        return ""
    style = formats.style_of(organization)
    return _plain(formats.format_date(instant, locale=locale or style.locale, zone=zone or style.zone, style="day",
                                      today=_today(organization, zone)))


def local_time(organization: Organization, instant: datetime | time, zone: tzinfo | None = None, *,
               locale: str | None = None) -> str:
    """5:30 PM (en-US) / 17:30 (en-GB, es, fr, de); a wall-clock ``time`` is already the business's."""
    style = formats.style_of(organization)
    return _plain(formats.format_time(instant, locale=locale or style.locale, zone=zone or style.zone))


def local_datetime(organization: Organization, instant: datetime, zone: tzinfo | None = None, *,
                   locale: str | None = None) -> str:
    """Tuesday, December 8, 5:30 PM: the same day and time wording as the two above, joined the
    locale's way."""
    locale = locale or formats.style_of(organization).locale
    return formats.join_date_time(local_date(organization, instant, zone, locale=locale),
                                  local_time(organization, instant, zone, locale=locale), locale=locale)


def money(organization: Organization, amount_minor: int, currency: str | None = None, *,
          locale: str | None = None) -> str:
    """$160.00 / 160,00 € / ¥1,600 in the business's locale (or the reader's ``locale``)."""
    style = formats.style_of(organization)
    return _plain(formats.format_money(amount_minor, currency or style.currency, locale=locale or style.locale))


class Wording:
    """Dates and times for one reader: in ``zone``, labelled with the zone's city when it is not
    the zone the client lives in (SMS) or not the business's (email)."""

    def __init__(self, organization: Organization, client: Client | None, channel: str | None,
                 language: str | None = None) -> None:
        self.organization = organization
        self.language = language or organization.locale
        self.locale = formats.style_of(organization, self.language).locale
        business = organization.tzinfo
        own = client_zone(client)
        self.zone: tzinfo = business
        self.label_zone: tzinfo | None = None
        if own is not None:
            if channel == "sms":
                self.label_zone = business  # the text keeps the business's zone, and says which
            else:
                self.zone = own
                self.label_zone = own
        self._own = own

    def _labelled(self, text: str, instant: datetime) -> str:
        if self.label_zone is None or self._own is None or not formats.zones_differ(
                self._own, self.organization.tzinfo, instant):
            return text
        with translation.override(self.language):
            return _("%(time)s %(city)s time") % {
                "time": text, "city": formats.zone_name(self.label_zone, locale=self.locale)}

    def date(self, value: datetime | date | None) -> str:
        return local_date(self.organization, value, self.zone, locale=self.locale)

    def time(self, instant: datetime) -> str:
        return self._labelled(local_time(self.organization, instant, self.zone, locale=self.locale), instant)

    def datetime(self, instant: datetime) -> str:
        return self._labelled(local_datetime(self.organization, instant, self.zone, locale=self.locale), instant)


# Booking variables that apps above comms add or override (integrations: an online session's
# meeting link as its ``session_location``), registered in their AppConfig.ready (floors).
_booking_variable_providers: list[Callable[[Any], dict[str, str]]] = []


def register_booking_variables(provider: Callable[[Any], dict[str, str]]) -> None:
    """Add a function of a booking returning variables for its messages; registering twice is a no-op."""
    if not any(existing is provider for existing in _booking_variable_providers):
        _booking_variable_providers.append(provider)


def booking_variables(booking: Any, wording: Wording | None = None) -> dict[str, str]:
    session = booking.session
    organization = session.organization
    wording = wording or Wording(organization, None, None)
    location = session.session_type.location or organization.address.replace("\n", ", ")
    variables = {
        "session_type": session.session_type.name,
        "session_date": wording.date(session.starts_at),
        "session_time": wording.time(session.starts_at),
        "coach_name": session.coach.name,
        "session_location": location or organization.name,
        "link": _url("portal_bookings:index", org_slug=organization.slug),
    }
    for provider in _booking_variable_providers:
        variables.update(provider(booking))
    return variables


def build(*, organization: Organization, client: Client | None = None, related: models.Model | None = None,
          extra: dict[str, Any] | None = None, channel: str | None = None, user: Any = None,
          language: str | None = None) -> dict[str, str]:
    """Every variable for one message. ``client``: the reader is this client (their zone applies);
    ``channel``: "sms" keeps the business's zone. Dates and datetimes in ``extra`` are worded here: as a
    day (``session_date``…, or any ``date``), a time (``session_time``…) or both (``expires_on`` of an offer).
    ``language``: the reader's (``reader_language``; worked out from ``client`` and ``user`` when not given)."""
    language = language or reader_language(organization, client=client, user=user)
    wording = Wording(organization, client, channel, language)
    variables: dict[str, str] = {
        "business_name": organization.name,
        "business_phone": organization.phone,
        "booking_link": _url("booking:index", org_slug=organization.slug),
        "portal_link": _url("portal:home", org_slug=organization.slug),
    }
    if client is not None:
        variables["client_first_name"] = client.first_name
        variables["client_name"] = client.full_name
    if related is not None and related._meta.model_name == "booking":
        variables.update(booking_variables(related, wording))
    for key, value in (extra or {}).items():
        if isinstance(value, datetime):
            if key in DATE_KEYS:
                variables[key] = wording.date(value)
            elif key in TIME_KEYS:
                variables[key] = wording.time(value)
            else:
                variables[key] = wording.datetime(value)
        elif isinstance(value, date):
            variables[key] = wording.date(value)
        else:
            variables[key] = "" if value is None else str(value)
    variables.setdefault("link", variables["portal_link"])
    return variables
