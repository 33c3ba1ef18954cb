from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from coachos.common.countries import (
    country_choices,
    country_for_timezone,
    currency_for_country,
    zones_for_country,
)
from coachos.tenancy.forms import TimezoneField, timezone_choices
from coachos.tenancy.models import CURRENCIES

__all__ = ["ApiTokenForm", "InvitationSignupForm", "LanguageForm", "SignupForm", "TimezoneField", "timezone_choices"]


class SignupForm(forms.Form):
    """Extra fields for a coach signing up; allauth adds email and password.

    The business itself is created by the adapter in the same transaction as the user.
    """

    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    business_name = forms.CharField(
        label=_("Business name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    timezone = TimezoneField(
        label=_("Time zone"), initial="America/Chicago",
        help_text=_("Your business's local time: availability, reminders and reports use it."),
        widget=forms.Select(attrs={"data-detect-timezone": "1"}),
    )

    country = forms.ChoiceField(
        label=_("Country"), choices=country_choices, initial="US", required=False,
        help_text=_("Sets your currency and how phone numbers without a country code are read."),
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )

    field_order = ["name", "business_name", "email", "password1", "country", "timezone"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The browser picks the time zone (app.js); the country follows it when the zone names one,
        # and a chosen country suggests its main zone: both through this map.
        zones = {zone: code for zone, _label in timezone_choices() if (code := country_for_timezone(zone))}
        main_zones = {code: found[0] for code, _name in country_choices() if (found := zones_for_country(code))}
        attrs = self.fields["country"].widget.attrs
        attrs["data-country-zones"] = json.dumps(zones, separators=(",", ":"))
        attrs["data-country-main-zone"] = json.dumps(main_zones, separators=(",", ":"))
        initial_zone = self.fields["timezone"].initial
        self.fields["country"].initial = country_for_timezone(initial_zone) or "US"

    def organization_fields(self) -> dict[str, str]:
        """What the chosen country sets on the new business: its country and its currency."""
        # A sign-up posted without a country (not from the page) takes its time zone's.
        country = self.cleaned_data.get("country") or country_for_timezone(self.cleaned_data["timezone"]) or ""
        fields = {"country": country}
        currency = currency_for_country(country, allowed={code for code, _label in CURRENCIES})
        if currency:
            fields["currency"] = currency
        return fields

    def signup(self, request: Any, user: Any) -> None:
        """Required by allauth; the adapter has already done the work."""


class InvitationSignupForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password = forms.CharField(
        label=_("Choose a password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        from .models import User

        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(email=self.email, name=self.data.get("name", "")))
        return password


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=80, help_text=_("For example “Zapier” or “my script”."))
    organization = forms.ChoiceField(label=_("Business"))

    def __init__(self, *args: Any, memberships: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(m.organization.slug, m.organization.name) for m in memberships]  # type: ignore[attr-defined]


class LanguageForm(forms.Form):
    """A person's own language (client portal, account page); blank: the business's."""

    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, organization: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        blank = (_("The language of %(business)s (%(language)s)") % {
            "business": organization.name, "language": _own_name(organization.locale)}
            if organization is not None else _("The language of each business"))
        # Each language in its own words, so a reader finds theirs whatever the page's language.
        self.fields["language"].choices = [("", blank), *((code, _own_name(code)) for code, _name in settings.LANGUAGES)]  # type: ignore[attr-defined]


def _own_name(code: str) -> str:
    name = str(get_language_info(code)["name_local"])  # "español", "Deutsch"
    return name[:1].upper() + name[1:]
