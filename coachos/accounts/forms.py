from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from coachos.tenancy.forms import TimezoneField, timezone_choices

__all__ = ["ApiTokenForm", "InvitationSignupForm", "SignupForm", "TimezoneField", "timezone_choices"]


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

    field_order = ["name", "business_name", "email", "password1", "timezone"]

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
        self.fields["organization"].choices = [(m.organization.slug, m.organization.name) for m in memberships]
