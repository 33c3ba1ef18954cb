"""The variables a message may use, always worded in the business's time zone and language.

Whoever or whatever causes the message — a client's browser, a coach in another zone, a night
job — the times come out the same: the business's zone is the only zone (DESIGN rule 2).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation

from coachos.clients.models import Client
from coachos.tenancy.models import Organization


def absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{path}"


def _url(name: str, **kwargs: Any) -> str:
    try:
        return absolute(reverse(name, kwargs=kwargs))
    except NoReverseMatch:
        return ""


def local_date(organization: Organization, instant: datetime) -> str:
    with translation.override(organization.locale):
        return formats.date_format(timezone.localtime(instant, organization.tzinfo), "l j F")


def local_time(organization: Organization, instant: datetime) -> str:
    local = timezone.localtime(instant, organization.tzinfo)
    if organization.locale.startswith("en"):
        return formats.time_format(local, "g:i A")  # "5:30 PM"; Django's "5:30 p.m." ends sentences badly
    with translation.override(organization.locale):
        return formats.time_format(local, "TIME_FORMAT")


def local_datetime(organization: Organization, instant: datetime) -> str:
    return f"{local_date(organization, instant)}, {local_time(organization, instant)}"


def money(organization: Organization, amount_minor: int, currency: str | None = None) -> str:
    currency = (currency or organization.currency).upper()  # Stripe sends "usd"
    digits = 0 if currency in {"JPY"} else 2
    value = amount_minor / (10 ** digits)
    symbol = {"USD": "$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "EUR": "€", "GBP": "£"}.get(currency)
    text = f"{value:,.{digits}f}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


def booking_variables(booking: Any) -> dict[str, str]:
    session = booking.session
    organization = session.organization
    location = session.session_type.location or organization.address.replace("\n", ", ")
    return {
        "session_type": session.session_type.name,
        "session_date": local_date(organization, session.starts_at),
        "session_time": local_time(organization, session.starts_at),
        "coach_name": session.coach.name,
        "session_location": location or organization.name,
        "link": _url("portal_bookings:index", org_slug=organization.slug),
    }


def build(*, organization: Organization, client: Client | None = None, related: models.Model | None = None,
          extra: dict[str, Any] | None = None) -> dict[str, str]:
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
        variables.update(booking_variables(related))
    for key, value in (extra or {}).items():
        if isinstance(value, datetime):
            variables[key] = local_datetime(organization, value)
        else:
            variables[key] = "" if value is None else str(value)
    variables.setdefault("link", variables["portal_link"])
    return variables
