from __future__ import annotations

import functools
import zoneinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachos.common.countries import country_choices
from coachos.common.phones import phone_parse, phone_region

from .models import Organization, validate_timezone
from .roles import Role


@functools.cache
def _timezone_choices() -> tuple[tuple[str, str], ...]:
    # available_timezones() walks the zone files on disk: once per process, not once per page.
    names = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return (("UTC", "UTC"), *[(z, z.replace("_", " ")) for z in names])


def timezone_choices() -> list[tuple[str, str]]:
    return list(_timezone_choices())


class TimezoneField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", timezone_choices)
        kwargs.setdefault("validators", [validate_timezone])
        super().__init__(**kwargs)


def _country_choices() -> list[tuple[str, str]]:
    return [("", "—"), *country_choices()]


class OrganizationSettingsForm(forms.ModelForm):
    timezone = TimezoneField(label=_("Time zone"))
    country = forms.ChoiceField(
        label=_("Country"), choices=_country_choices, required=False,
        help_text=_("Phone numbers typed without a country code are read as this country's."),
    )

    class Meta:
        model = Organization
        fields = [
            "name", "slug", "timezone", "currency", "country", "locale", "phone", "sms_number", "address", "logo",
            "quiet_hours_start", "quiet_hours_end", "quiet_hours_exempt_requested", "late_cancellation_allowed",
    "late_cancellation_forfeits_credit", "no_show_forfeits_credit", "auto_complete_after_hours",
        ]
        # The model calls both the URL slug and the postal address "address"; on one page
        # that reads as two identical fields, and "<address>" in the help text is eaten as HTML.
        labels = {"slug": _("Web address"), "address": _("Postal address")}
        help_texts = {"slug": _("Used in your links, e.g. /o/your-business/. Lowercase letters, numbers and hyphens."),
                      "quiet_hours_end": _("Both times are in your business's time zone. A start later than the end "
                                           "(21:00 to 08:00) runs overnight, past midnight.")}
        widgets = {
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "address": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+13125550123"}),
            "sms_number": forms.TextInput(attrs={"type": "tel", "placeholder": "+13125550123"}),
        }

    def _phone(self, name: str) -> str:
        # In the country being saved: "020 7946 0958" with United Kingdom is +442079460958.
        country = self.cleaned_data.get("country") or ""
        region = phone_region(Organization(country=country, timezone=self.cleaned_data.get("timezone") or ""))
        return phone_parse(self.cleaned_data.get(name) or "", region=region)

    def clean_phone(self) -> str:
        return self._phone("phone")

    def clean_sms_number(self) -> str:
        return self._phone("sms_number")

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The logo must be 2 MB or smaller."))
        return logo


class NewOrganizationForm(forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=120)
    timezone = TimezoneField(label=_("Time zone"), widget=forms.Select(attrs={"data-detect-timezone": "1"}))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    name = forms.CharField(label=_("Name (optional)"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, roles: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=[(r.value, r.label) for r in Role if r != Role.CLIENT])


class CoachAccessForm(forms.Form):
    """What an owner lets one coach see and do (Team page)."""

    sees_all_clients = forms.BooleanField(label=_("Sees all clients (off: only their own)"), required=False)
    sees_money = forms.BooleanField(label=_("Sees money"), required=False)
    edits_prices = forms.BooleanField(label=_("Can edit packages and prices"), required=False)
