"""Emails and texts to a client follow the language the client chose for their portal account (issue #12);
a client who chose none, or has no login, reads the business's."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django_scopes import scope

from coachos.comms import emails, notify
from coachos.comms.models import OutboundMessage
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role
from tests.factories import BookingFactory, ClientFactory, TrainingSessionFactory, UserFactory, member

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)  # Tuesday 8 December, 9:00 in Chicago
TODAY = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def business(sms_org: Organization) -> Organization:
    """An English-speaking business in the United States."""
    Organization.objects.filter(pk=sms_org.pk).update(locale="en", country="US")
    sms_org.refresh_from_db()
    return sms_org


def booked(org: Organization, *, language: str | None, email: str) -> tuple[Any, Any]:
    """A client (with a portal login in ``language``; None: no login) and their booking."""
    user = member(org, Role.CLIENT, email=email, language=language) if language is not None else None
    with scope(organization=org):
        client = ClientFactory(organization=org, user=user, email=email, phone="+13125550142",
                               sms_consent=True, email_consent=True)
        booking = BookingFactory(client=client, session=TrainingSessionFactory(coach__organization=org,
                                                                               starts_at=STARTS))
    return client, booking


def confirmation(org: Organization, client: Any, booking: Any) -> dict[str, OutboundMessage]:
    with scope(organization=org):
        notify.client(organization=org, kind="booking_confirmation", client=client, related=booking)
        return {m.channel: m for m in OutboundMessage.objects.filter(kind="booking_confirmation", client=client)}


def test_a_spanish_speaking_client_gets_emails_and_texts_in_spanish(business: Organization,
                                                                    time_machine: Any) -> None:
    time_machine.move_to(TODAY, tick=False)
    client, booking = booked(business, language="es", email="ana@example.com")

    sent = confirmation(business, client, booking)

    # The business's country stays (es_US: a 12-hour clock); the words are Spanish.
    assert "martes, 8 de diciembre" in sent["email"].body and "December" not in sent["email"].body
    assert "martes, 8 de diciembre" in sent["sms"].body
    with scope(organization=business):
        email = emails.build(sent["email"])
    assert email.extra_headers["Content-Language"] == "es"


def test_a_client_who_chose_no_language_or_has_no_login_reads_the_business_language(
        business: Organization, time_machine: Any) -> None:
    time_machine.move_to(TODAY, tick=False)
    for language, address in (("", "bo@example.com"), (None, "cy@example.com")):
        client, booking = booked(business, language=language, email=address)
        sent = confirmation(business, client, booking)
        assert "Tuesday, December 8" in sent["email"].body and "9:00 AM" in sent["sms"].body
        with scope(organization=business):
            assert emails.build(sent["email"]).extra_headers["Content-Language"] == "en"


def test_a_spanish_business_writes_to_a_german_speaking_client_in_german(sms_org: Organization,
                                                                         time_machine: Any) -> None:
    time_machine.move_to(TODAY, tick=False)
    Organization.objects.filter(pk=sms_org.pk).update(locale="es", country="ES", timezone="Europe/Madrid")
    sms_org.refresh_from_db()
    client, booking = booked(sms_org, language="de", email="dora@example.com")
    spanish, other = booked(sms_org, language="", email="eli@example.com")

    assert "Dienstag, 8. Dezember" in confirmation(sms_org, client, booking)["email"].body
    assert "martes, 8 de diciembre" in confirmation(sms_org, spanish, other)["email"].body


def test_a_language_on_another_account_does_not_leak_into_the_message(business: Organization,
                                                                      time_machine: Any) -> None:
    """Only the client's own login counts: a person of the same email elsewhere changes nothing."""
    time_machine.move_to(TODAY, tick=False)
    UserFactory(email="fay@example.org", language="fr")
    client, booking = booked(business, language=None, email="fay@example.org")
    assert "Tuesday, December 8" in confirmation(business, client, booking)["email"].body
