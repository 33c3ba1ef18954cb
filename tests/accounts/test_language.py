"""A person's own language (issue #12): chosen in the portal (clients) or on the account page (the team);
pages then speak it, with the business's country for dates and money. Blank: the business's language."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django_scopes import scope

from coachos.accounts.services import AccountError, user_language_set
from coachos.common import formats
from coachos.comms.models import NotificationPreference
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role
from tests.conftest import login_as
from tests.factories import BookingFactory, ClientFactory, TrainingSessionFactory, member

pytestmark = pytest.mark.django_db

STARTS = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)  # a Tuesday
TODAY = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
# Django's own Spanish for a choice that is not offered: a translation nobody in this project writes.
SPANISH_INVALID_CHOICE = "Escoja una opción válida."


def settings_url(org: Organization) -> str:
    return f"/portal/{org.slug}/notifications/settings/"


@pytest.fixture
def english_business(org: Organization) -> Organization:
    Organization.objects.filter(pk=org.pk).update(locale="en", country="US")
    org.refresh_from_db()
    return org


def portal_client(org: Organization, *, language: str = "", email: str = "ana@example.com") -> Any:
    user = member(org, Role.CLIENT, email=email, name="Ana Ruiz", language=language)
    with scope(organization=org):
        client = ClientFactory(organization=org, user=user, email=email, first_name="Ana")
        BookingFactory(client=client, session=TrainingSessionFactory(coach__organization=org, starts_at=STARTS))
    return user


# --- the person's choice ------------------------------------------------------------------------

def test_the_language_is_one_of_the_offered_or_blank(org: Organization) -> None:
    user = member(org, Role.CLIENT)
    assert user.language == ""
    assert user_language_set(user=user, language="es").language == "es"
    user.refresh_from_db()
    assert user.language == "es"
    with pytest.raises(AccountError):
        user_language_set(user=user, language="xx")
    user.refresh_from_db()
    assert user.language == "es"
    user_language_set(user=user, language="")
    user.refresh_from_db()
    assert user.language == ""


def test_a_client_chooses_their_language_on_the_portal_settings_page(english_business: Organization,
                                                                     time_machine: Any) -> None:
    time_machine.move_to(TODAY, tick=False)
    user = portal_client(english_business)
    browser = login_as(user)
    home = browser.get(f"/portal/{english_business.slug}/").content.decode()
    assert f'href="{settings_url(english_business)}"' in home  # the portal's navigation leads there
    page = browser.get(settings_url(english_business)).content.decode()
    assert 'name="language"' in page and '<option value="es">Español</option>' in page
    assert "The language of Northside Strength (English)" in page

    response = browser.post(settings_url(english_business), {"language": "es"})

    assert response.status_code == 302 and response["Location"] == settings_url(english_business)
    user.refresh_from_db()
    assert user.language == "es"
    with scope(organization=english_business):  # the notification settings on the same page are untouched
        assert not NotificationPreference.objects.filter(user=user).exists()


def test_the_team_chooses_their_language_on_the_account_page(org: Organization, owner: Any) -> None:
    browser = login_as(owner)
    page = browser.get("/account/").content.decode()
    assert 'name="language"' in page and '<option value="de">Deutsch</option>' in page

    response = browser.post("/account/", {"language": "de"})

    assert response.status_code == 302 and response["Location"] == "/account/"
    owner.refresh_from_db()
    assert owner.language == "de"


# --- pages in the person's language, with the business's country --------------------------------

def test_a_spanish_speaking_client_of_an_english_business_reads_the_portal_in_spanish(
        english_business: Organization, time_machine: Any) -> None:
    time_machine.move_to(TODAY, tick=False)
    spanish = login_as(portal_client(english_business, language="es"))
    english = login_as(portal_client(english_business, email="bo@example.com"))

    response = spanish.get(f"/portal/{english_business.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="es"' in html and response["Content-Language"] == "es"
    assert "martes, 8 de diciembre" in html  # the next session's date, as Spanish writes it

    html = english.get(f"/portal/{english_business.slug}/").content.decode()
    assert '<html lang="en"' in html and "Tuesday, December 8" in html

    # A form error Django itself words: in Spanish for her, on the page where she chose the language.
    page = spanish.post(settings_url(english_business), {"language": "xx"})
    assert page.status_code == 200 and SPANISH_INVALID_CHOICE in page.content.decode()
    assert SPANISH_INVALID_CHOICE not in english.post(settings_url(english_business),
                                                      {"language": "xx"}).content.decode()


def test_the_persons_language_keeps_the_business_country_for_dates_and_money() -> None:
    british = type("Business", (), {"locale": "en", "country": "GB", "currency": "GBP", "timezone": "Europe/London"})
    with formats.activate(british, "es") as style:
        assert style.locale == "es_ES"  # CLDR has no es_GB: the language's own, never English
        assert formats.format_money(16000) == "160,00\xa0GBP"  # Spanish writing, the business's pounds
    american = type("Business", (), {"locale": "en", "country": "US", "currency": "USD", "timezone": "America/Chicago"})
    with formats.activate(american, "es") as style:
        assert style.locale == "es_US"
    with formats.activate(american) as style:
        assert style.locale == "en_US"


def test_staff_read_the_back_office_and_their_account_page_in_their_own_language(org: Organization) -> None:
    coach = member(org, Role.COACH, email="claire@example.com", language="fr")
    browser = login_as(coach)
    response = browser.get(f"/o/{org.slug}/")
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode() and response["Content-Language"] == "fr"
    account = browser.get("/account/")
    assert '<html lang="fr"' in account.content.decode() and account["Content-Language"] == "fr"
    # Someone who chose nothing reads the business's language in it, and the browser's elsewhere.
    other = login_as(member(org, Role.COACH, email="dan@example.com"))
    assert '<html lang="en"' in other.get(f"/o/{org.slug}/").content.decode()
    assert '<html lang="de"' in other.get("/account/", HTTP_ACCEPT_LANGUAGE="de").content.decode()


def test_the_account_page_shows_a_django_error_in_the_persons_language(org: Organization) -> None:
    browser = login_as(member(org, Role.COACH, email="eva@example.com", language="es"))
    page = browser.post("/account/", {"language": "xx"})
    assert page.status_code == 200 and SPANISH_INVALID_CHOICE in page.content.decode()


def test_the_public_booking_page_speaks_the_business_language(english_business: Organization) -> None:
    spanish = login_as(portal_client(english_business, language="es"))
    response = spanish.get(f"/book/{english_business.slug}/")
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode() and response["Content-Language"] == "en"


# --- another business --------------------------------------------------------------------------

def test_another_business_portal_is_still_a_404_and_its_settings_change_nothing(
        english_business: Organization, other_org: Organization) -> None:
    user = portal_client(english_business, language="es")
    browser = login_as(user)
    assert browser.get(f"/portal/{other_org.slug}/").status_code == 404
    assert browser.get(settings_url(other_org)).status_code == 404
    assert browser.post(settings_url(other_org), {"language": "de"}).status_code == 404
    user.refresh_from_db()
    assert user.language == "es"
