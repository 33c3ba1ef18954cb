"""Sign-up asks for the country: it sets the business's country (phone region) and currency."""

from __future__ import annotations

import json

import pytest
from django.test import Client as DjangoClient
from django_scopes import scopes_disabled

from coachos.accounts.forms import SignupForm
from coachos.accounts.models import User
from coachos.common.countries import currency_for_country
from coachos.tenancy.models import Organization

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"


def signup_data(**overrides: str) -> dict[str, str]:
    data = {"name": "Ana Rivera", "business_name": "Rivera Strength Lab", "email": "ana@rivera.example",
            "password1": "violet-Kettle-4817", "timezone": "Europe/Madrid", "country": "ES"}
    data.update(overrides)
    return data


@pytest.mark.parametrize(("country", "zone", "currency"), [
    ("GB", "Europe/London", "GBP"),
    ("ES", "Europe/Madrid", "EUR"),
    ("DE", "Europe/Berlin", "EUR"),
    ("US", "America/Chicago", "USD"),
    ("JP", "Asia/Tokyo", "JPY"),
    ("CA", "America/Toronto", "CAD"),
])
def test_signup_stores_the_country_and_its_currency(client: DjangoClient, country: str, zone: str,
                                                     currency: str) -> None:
    response = client.post(SIGNUP_URL, signup_data(country=country, timezone=zone))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    organization = Organization.objects.get(name="Rivera Strength Lab")
    assert organization.country == country
    assert organization.currency == currency
    assert organization.timezone == zone


def test_a_currency_the_app_does_not_offer_keeps_the_default(client: DjangoClient) -> None:
    # Argentina pays in ARS, which is not one of the business currencies: stay on the default.
    response = client.post(SIGNUP_URL, signup_data(country="AR", timezone="America/Argentina/Buenos_Aires"))
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.country == "AR"
    assert organization.currency == "USD"


def test_without_a_country_the_time_zones_country_is_taken(client: DjangoClient) -> None:
    data = signup_data(timezone="Europe/London")
    del data["country"]
    assert client.post(SIGNUP_URL, data).status_code == 302
    organization = Organization.objects.get()
    assert (organization.country, organization.currency) == ("GB", "GBP")


def test_an_unknown_country_is_a_form_error_and_creates_nothing(client: DjangoClient) -> None:
    response = client.post(SIGNUP_URL, signup_data(country="XX"))
    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    with scopes_disabled():
        assert not User.objects.exists()
        assert not Organization.objects.exists()


def test_the_page_offers_a_country_select_following_the_time_zone(client: DjangoClient) -> None:
    html = client.get(SIGNUP_URL).content.decode()
    assert 'name="country"' in html
    assert '<option value="GB">United Kingdom</option>' in html
    form = SignupForm()
    assert form.fields["country"].initial == "US"  # the form's default zone is America/Chicago
    zones = json.loads(form.fields["country"].widget.attrs["data-country-zones"])
    assert zones["Europe/London"] == "GB" and zones["Europe/Madrid"] == "ES"
    main_zone = json.loads(form.fields["country"].widget.attrs["data-country-main-zone"])
    assert main_zone["US"] == "America/New_York" and main_zone["GB"] == "Europe/London"


@pytest.mark.parametrize(("country", "currency"), [
    ("US", "USD"), ("GB", "GBP"), ("ES", "EUR"), ("DE", "EUR"), ("FR", "EUR"), ("IE", "EUR"), ("CA", "CAD"),
    ("AU", "AUD"), ("NZ", "NZD"), ("JP", "JPY"), ("MX", "MXN"),
])
def test_currency_of_the_common_countries(country: str, currency: str) -> None:
    assert currency_for_country(country) == currency
