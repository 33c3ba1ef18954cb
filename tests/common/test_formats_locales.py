"""One page per app, for a business in each of the five locales the platform speaks: every date, time and
amount on it is written the way that locale writes it (Babel's patterns, spelled out here by hand), and
none of the other locales' ways shows up.

The session is at 9:00 on Tuesday 8 December 2026 in each business's own zone; 160.00 in its currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Model
from django.test import Client as DjangoClient
from django_scopes import scope, scopes_disabled

from coachos.comms import notify
from coachos.comms.models import OutboundMessage
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import (
    BookingFactory,
    ClientFactory,
    ClientPackageFactory,
    CoachFactory,
    CreditEntryFactory,
    MoneyEventFactory,
    OrganizationFactory,
    PurchaseFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
    member,
)

pytestmark = pytest.mark.django_db

TODAY = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # the same year: a day without the year in messages


@dataclass(frozen=True)
class Way:
    """How one business writes things, typed out from Babel's patterns for its locale."""

    language: str
    country: str
    currency: str
    zone: str
    short: str  # a date: "medium" (short_date, and the date of ``when``)
    long: str  # a date in full (long_date, longday)
    day: str  # a day of this year, as messages write it
    clock: str  # 9:00 in the morning
    money: str  # 160.00 in the business's currency


WAYS = {
    "en-US": Way("en", "US", "USD", "America/Chicago", "Dec 8, 2026", "Tuesday, December 8, 2026",
                 "Tuesday, December 8", "9:00 AM", "$160.00"),
    "en-GB": Way("en", "GB", "GBP", "Europe/London", "8 Dec 2026", "Tuesday, 8 December 2026",
                 "Tuesday, 8 December", "09:00", "£160.00"),
    "es": Way("es", "ES", "EUR", "Europe/Madrid", "8 dic 2026", "martes, 8 de diciembre de 2026",
              "martes, 8 de diciembre", "9:00", "160,00 €"),
    "fr": Way("fr", "FR", "EUR", "Europe/Paris", "8 déc. 2026", "mardi 8 décembre 2026",
              "mardi 8 décembre", "09:00", "160,00 €"),
    "de": Way("de", "DE", "EUR", "Europe/Berlin", "08.12.2026", "Dienstag, 8. Dezember 2026",
              "Dienstag, 8. Dezember", "09:00", "160,00 €"),
}
# What a page must never show, whatever the locale: amounts and dates written by hand or by Django's
# own formats instead of Babel's.
NEVER = ["160.00 USD", "160.00 GBP", "160.00 EUR", "160,00 EUR", "Dec. 8, 2026", "2026-12-08 ", "9 a.m."]


def _plain(text: str) -> str:
    """Babel's narrow and no-break spaces as plain ones (messages and PDFs use plain ones)."""
    return text.replace("\u202f", " ").replace("\xa0", " ").replace("&nbsp;", " ")


def _text(page: str) -> str:
    """What people read: the page without its tags (attributes hold machine formats: datetime="…T09:00")."""
    return _plain(re.sub(r"<[^>]*>", " ", page))


def shows(page: str, text: str) -> bool:
    """``text`` on the page, not as part of a longer number ("9:00" is not in "09:00")."""
    return re.search(r"(?<![\d.,])" + re.escape(_plain(text)) + r"(?![\d])", _text(page)) is not None


def check(page: str, key: str, kinds: tuple[str, ...]) -> None:
    """Each kind of value as this locale writes it, and no other locale's way of writing it."""
    way = WAYS[key]
    for kind in kinds:
        expected = getattr(way, kind)
        assert shows(page, expected), f"{key}: {kind} {expected!r} missing"
        for other_key, other in WAYS.items():
            foreign = getattr(other, kind)
            if other_key == key or _plain(foreign) in _plain(expected):
                continue  # the same text, or bound to appear inside it ("9:00" in "9:00 AM")
            assert not shows(page, foreign), f"{key}: {other_key}'s {kind} {foreign!r} shown"
    for text in NEVER:
        assert text not in _text(page), f"{key}: {text!r} shown"


@pytest.fixture(params=list(WAYS), ids=list(WAYS))
def key(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def business(key: str, time_machine: Any) -> Organization:
    time_machine.move_to(TODAY, tick=False)
    way = WAYS[key]
    return OrganizationFactory(locale=way.language, country=way.country, currency=way.currency, timezone=way.zone)


@pytest.fixture
def starts(business: Organization) -> datetime:
    return datetime(2026, 12, 8, 9, 0, tzinfo=ZoneInfo(business.timezone))


@pytest.fixture
def owner_web(business: Organization) -> DjangoClient:
    return login_as(member(business, Role.OWNER))


@pytest.fixture
def booking(business: Organization, starts: datetime) -> Any:
    session_type = SessionTypeFactory(organization=business, price_minor=16000)
    session = TrainingSessionFactory(coach=CoachFactory(organization=business), session_type=session_type,
                                     starts_at=starts, ends_at=starts + timedelta(hours=1))
    client = ClientFactory(organization=business, email="zoe@example.com")
    return BookingFactory(session=session, client=client)


def _stamp(obj: Model, **values: Any) -> None:
    """Set auto_now_add fields (created_at) to a known instant."""
    with scopes_disabled():
        type(obj).objects.filter(pk=obj.pk).update(**values)


def _page(web: DjangoClient, url: str) -> str:
    response = web.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- scheduling --------------------------------------------------------------------------------

def test_the_calendar_session_panel(key: str, business: Organization, owner_web: DjangoClient, booking: Any) -> None:
    page = _page(owner_web, f"/o/{business.slug}/calendar/sessions/{booking.session.pk}/")
    check(page, key, ("long", "clock"))


def test_the_bookings_on_the_client_page(key: str, business: Organization, owner_web: DjangoClient,
                                         booking: Any) -> None:
    page = _page(owner_web, f"/o/{business.slug}/clients/{booking.client.pk}/sections/bookings/")
    check(page, key, ("short", "clock"))


# --- billing -----------------------------------------------------------------------------------

def test_the_payments_table(key: str, business: Organization, owner_web: DjangoClient, starts: datetime) -> None:
    purchase = PurchaseFactory(client=ClientFactory(organization=business), amount_minor=16000,
                               currency=business.currency, paid_at=starts)
    _stamp(purchase, created_at=starts)
    page = _page(owner_web, f"/o/{business.slug}/payments/list/")
    check(page, key, ("short", "clock", "money"))


# --- books -------------------------------------------------------------------------------------

def test_a_ledger_entry(key: str, business: Organization, owner_web: DjangoClient, starts: datetime) -> None:
    event = MoneyEventFactory(organization=business, amount_minor=16000, occurred_at=starts)  # recorded on 1 Dec
    page = _page(owner_web, f"/o/{business.slug}/books/ledger/{event.pk}/")
    check(page, key, ("long", "clock", "money"))


def test_the_revenue_page(key: str, business: Organization, owner_web: DjangoClient, starts: datetime) -> None:
    MoneyEventFactory(organization=business, amount_minor=16000, occurred_at=starts)
    page = _page(owner_web, f"/o/{business.slug}/books/revenue/?start=2026-12-08&end=2026-12-08")
    check(page, key, ("long", "money"))


# --- credits -----------------------------------------------------------------------------------

def test_the_packages_on_the_client_page(key: str, business: Organization, owner_web: DjangoClient,
                                         starts: datetime) -> None:
    package = ClientPackageFactory(client=ClientFactory(organization=business), expires_at=starts)
    entry = CreditEntryFactory(package=package)
    _stamp(entry, created_at=starts)
    page = _page(owner_web, f"/o/{business.slug}/clients/{package.client.pk}/sections/packages/")
    check(page, key, ("short", "clock"))


# --- the client's portal -----------------------------------------------------------------------

def test_the_portal_home(key: str, business: Organization, booking: Any) -> None:
    user = member(business, Role.CLIENT)
    _stamp(booking.client, user=user)
    page = _page(login_as(user), f"/portal/{business.slug}/")
    check(page, key, ("long", "clock"))


# --- comms -------------------------------------------------------------------------------------

def test_a_booking_email_in_the_outbox(key: str, business: Organization, owner_web: DjangoClient,
                                       booking: Any) -> None:
    with scope(organization=business):
        notify.client(organization=business, kind="booking_confirmation", client=booking.client, related=booking)
        email = OutboundMessage.objects.get(kind="booking_confirmation", channel="email")
    page = _page(owner_web, f"/o/{business.slug}/messages/{email.pk}/")
    assert shows(page, booking.session.session_type.name)
    check(page, key, ("day", "clock"))


def test_a_booking_text(key: str, business: Organization, booking: Any) -> None:
    """SMS: the day and time as the business writes them (the business's zone, which it is here)."""
    _stamp(booking.client, sms_consent=True, sms_consent_at=TODAY)
    _stamp(business, sms_number="+13125550199")
    booking.client.refresh_from_db()
    business.refresh_from_db()
    with scope(organization=business):
        notify.client(organization=business, kind="booking_confirmation", client=booking.client, related=booking)
        text = OutboundMessage.objects.get(kind="booking_confirmation", channel="sms").body
    check(text, key, ("day", "clock"))


# --- billing: the receipt PDF --------------------------------------------------------------------

def _pdf_text(body: bytes) -> str:
    """The text a ReportLab PDF draws (streams ASCII85 + Flate; its fonts' encoding is cp1252, which
    PDF strings may also write as octal escapes)."""
    import base64
    import zlib

    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", body, re.S):
        try:
            chunks.append(zlib.decompress(base64.a85decode(stream.strip(), adobe=True)))
        except (ValueError, zlib.error):
            continue
    raw = b"\n".join(chunks)
    raw = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]), raw)
    return raw.decode("cp1252", errors="replace").replace("\\(", "(").replace("\\)", ")")


def test_a_receipt(key: str, business: Organization, starts: datetime) -> None:
    from coachos.billing.receipts import receipt_pdf

    purchase = PurchaseFactory(client=ClientFactory(organization=business), amount_minor=16000,
                               currency=business.currency, paid_at=starts)
    with scope(organization=business):
        text = _pdf_text(receipt_pdf(purchase))
    check(text, key, ("short", "clock", "money"))
