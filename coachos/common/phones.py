"""Phone numbers as people type them, read in the business's country with ``phonenumbers``.

``phone_parse("07700 900123", region="GB")`` → "+447700900123"; a number that cannot be a real
one raises ``PhoneError`` with a message for the form. Stored numbers are always E.164."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "US"


class PhoneError(ValidationError):
    """A phone number that is not one; its message is for the person who typed it."""


def phone_region(organization: Any) -> str:
    """The region numbers without a country code belong to: the business's country, else the
    country of its time zone, else the United States (where the first businesses were)."""
    from coachos.common.countries import country_for_timezone

    country = getattr(organization, "country", "") or ""
    if country:
        return country.upper()
    zone = getattr(organization, "timezone", "") or ""
    return country_for_timezone(zone) or DEFAULT_REGION


def phone_parse(raw: str, *, region: str | None) -> str:
    """The number in E.164, or "" for an empty one. Raises ``PhoneError`` when it is not valid."""
    value = (raw or "").strip()
    if not value:
        return ""
    if value.startswith("00"):
        value = "+" + value[2:]
    try:
        number = phonenumbers.parse(value, (region or DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException:
        raise PhoneError(_("Enter a phone number, for example %(example)s.") % {"example": phone_example(region)},
                         code="invalid") from None
    # Ranges set aside for drama and examples ("07700 900123", "312 555 0123") are not "valid" to
    # libphonenumber but are real-looking numbers people type in demos and tests: a number of a
    # possible length for its country is accepted; a too short, too long or local-only one is not.
    possible = phonenumbers.is_possible_number_with_reason(number) == phonenumbers.ValidationResult.IS_POSSIBLE
    if not (phonenumbers.is_valid_number(number) or possible):
        raise PhoneError(_("This is not a valid phone number. Check it or add the country code, for example "
                           "%(example)s.") % {"example": phone_example(region)}, code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_format(e164: str, *, region: str | None) -> str:
    """How a stored number reads: national style at home ("07700 900123"), international abroad."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    home = number.country_code == phonenumbers.country_code_for_region((region or DEFAULT_REGION).upper())
    style = phonenumbers.PhoneNumberFormat.NATIONAL if home else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def phone_example(region: str | None) -> str:
    """An example mobile number of the region, as a person there would type it."""
    example = phonenumbers.example_number_for_type((region or DEFAULT_REGION).upper(),
                                                   phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return "+13125550123"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)


def scoped_region() -> str:
    """The phone region of the business whose request (or task) is running: forms use it so that
    "07700 900123" typed for a London business is read as British."""
    from django_scopes import get_scope

    organization = get_scope().get("organization")
    if organization is None or isinstance(organization, (int, str, list, tuple)):
        return DEFAULT_REGION
    return phone_region(organization)


class PhoneNumberField(forms.CharField):
    """A phone number typed the way people do; cleaned to E.164 in ``region`` (the business's
    region when not given)."""

    def __init__(self, *, region: str | None = None, **kwargs: Any) -> None:
        self.region = region
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return phone_parse(value, region=self.region or scoped_region())
