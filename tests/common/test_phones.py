"""Phone numbers are read with ``phonenumbers`` in the business's country, everywhere one is typed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as DjangoClient
from django_scopes import scope

from coachos.clients.models import Client
from coachos.common.phones import PhoneError, phone_format, phone_parse, phone_region, scoped_region
from coachos.onboarding.forms import ProfileForm
from coachos.scheduling.forms_public import PhoneField
from coachos.tenancy.forms import OrganizationSettingsForm
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role
from tests.factories import OrganizationFactory, member


@pytest.mark.parametrize(("raw", "region", "expected"), [
    ("07700 900123", "GB", "+447700900123"),
    ("020 7946 0958", "GB", "+442079460958"),
    ("(312) 555-0123", "US", "+13125550123"),
    ("312.555.0123", "US", "+13125550123"),
    ("612 34 56 78", "ES", "+34612345678"),
    ("0151 12345678", "DE", "+4915112345678"),
    ("+44 7700 900123", "US", "+447700900123"),  # a country code wins over the region
    ("0044 7700 900123", "US", "+447700900123"),
    ("", "GB", ""),
])
def test_parse_reads_the_number_in_the_region(raw: str, region: str, expected: str) -> None:
    assert phone_parse(raw, region=region) == expected


@pytest.mark.parametrize("raw", ["12345", "hello", "077009001234567", "+999 123"])
def test_an_impossible_number_is_an_error(raw: str) -> None:
    with pytest.raises(PhoneError):
        phone_parse(raw, region="GB")


def test_format_is_national_at_home_and_international_abroad() -> None:
    assert phone_format("+447700900123", region="GB") == "07700 900123"
    assert phone_format("+447700900123", region="US") == "+44 7700 900123"
    assert phone_format("", region="GB") == ""


def test_region_is_the_country_else_the_time_zones_country_else_us() -> None:
    assert phone_region(Organization(country="GB", timezone="America/Chicago")) == "GB"
    assert phone_region(Organization(country="", timezone="Europe/Madrid")) == "ES"
    assert phone_region(Organization(country="", timezone="UTC")) == "US"


@pytest.fixture
def london(db: None) -> Organization:
    organization: Organization = OrganizationFactory.create(name="London Lifts", slug="london-lifts",
                                                            timezone="Europe/London", country="GB")
    return organization


def test_scoped_region_is_the_business_of_the_scope(london: Organization) -> None:
    with scope(organization=london):
        assert scoped_region() == "GB"
    assert scoped_region() == "US"


def test_new_client_page_reads_a_uk_number_for_a_london_business(london: Organization) -> None:
    web = DjangoClient()
    web.force_login(member(london, Role.OWNER, email="owner@london.example"))
    response = web.post(f"/o/{london.slug}/clients/new/", {"first_name": "Zoe", "phone": "07700 900123",
                                                           "emergency_contact_phone": "020 7946 0958",
                                                           "status": "active"})
    assert response.status_code == 302
    with scope(organization=london):
        client = Client.objects.get()
    assert client.phone == "+447700900123"
    assert client.emergency_contact_phone == "+442079460958"


def test_new_client_page_refuses_an_invalid_number_and_writes_nothing(london: Organization) -> None:
    web = DjangoClient()
    web.force_login(member(london, Role.OWNER, email="owner@london.example"))
    response = web.post(f"/o/{london.slug}/clients/new/", {"first_name": "Zoe", "phone": "12345",
                                                           "status": "active"})
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    with scope(organization=london):
        assert not Client.objects.exists()


def test_public_booking_phone_field_reads_in_the_business_country(london: Organization) -> None:
    field = PhoneField(required=False)
    with scope(organization=london):
        assert field.clean("07700 900123") == "+447700900123"
        with pytest.raises(PhoneError):
            field.clean("12345")


def test_onboarding_profile_reads_in_the_business_country(london: Organization) -> None:
    form_class: Any = type("PhoneProfileForm", (ProfileForm,),
                           {"Meta": type("Meta", (), {"model": Client, "fields": ["phone"]})})
    with scope(organization=london):
        good = form_class(data={"phone": "07700 900123"})
        assert good.is_valid(), good.errors
        assert good.cleaned_data["phone"] == "+447700900123"
        bad = form_class(data={"phone": "12345"})
        assert not bad.is_valid()
        assert "phone" in bad.errors


def test_business_settings_read_phones_in_the_chosen_country(london: Organization) -> None:
    data = {"name": london.name, "slug": london.slug, "timezone": "Europe/London", "currency": "GBP",
            "country": "GB", "locale": "en", "phone": "020 7946 0958", "sms_number": "07700 900123",
            "quiet_hours_start": "21:00", "quiet_hours_end": "08:00", "auto_complete_after_hours": "2"}
    form = OrganizationSettingsForm(data=data, instance=london)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+442079460958"
    assert form.cleaned_data["sms_number"] == "+447700900123"
    bad = OrganizationSettingsForm(data={**data, "sms_number": "12345"}, instance=london)
    assert not bad.is_valid()
    assert "sms_number" in bad.errors


def test_csv_import_reads_numbers_in_the_business_country(london: Organization) -> None:
    from coachos.clients.csv_io import validate

    with scope(organization=london):
        report = validate(organization=london, rows=[
            {"first_name": "Zoe", "email": "zoe@example.com", "phone": "07700 900123"},
            {"first_name": "Sam", "email": "sam@example.com", "phone": "12345"},
        ])
    good, bad = report.rows
    assert good.values["phone"] == "+447700900123" and not good.errors
    assert bad.errors and bad.errors[0].startswith("phone: ")


@pytest.mark.django_db
def test_the_phone_filter_reads_nationally_at_home_and_internationally_abroad() -> None:
    from django.template import Context, Template
    from django_scopes import scope

    from tests.factories import OrganizationFactory

    template = Template("{% load phone from formats %}{{ a|phone }} / {{ b|phone }}")
    with scope(organization=OrganizationFactory(country="GB")):
        rendered = template.render(Context({"a": "+447700900123", "b": "+13125550123"}))
    assert rendered == "07700 900123 / +1 312-555-0123"
