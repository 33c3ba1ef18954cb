from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coachos.common.phones import phone_parse, scoped_region


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel",
                                                           "placeholder": "+1 312 555 0123"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        if not value:
            return ""
        # Read in the business's country ("07700 900123" for a London business).
        return phone_parse(value, region=scoped_region())


class NameEmailForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(label=_("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def __init__(self, *args: Any, email_locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if email_locked:
            # A signed-in client books as themselves: their email is their account's.
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _("You are signed in; the booking goes to your account.")

    def clean_first_name(self) -> str:
        return self.cleaned_data["first_name"].strip()

    def clean_last_name(self) -> str:
        return self.cleaned_data["last_name"].strip()

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        local, _sep, domain = email.rpartition("@")
        return f"{local}@{domain.lower()}"


class DetailsForm(NameEmailForm):
    phone = PhoneField(label=_("Mobile phone"), required=False,
                       help_text=_("For reminders and changes by text. Include the country code."))
    note = forms.CharField(label=_("Anything your coach should know?"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


CODE_SEPARATORS = re.compile(r"[\s\-]")


class EmailCodeForm(forms.Form):
    """The 6-digit code emailed to a visitor (spaces and dashes as typed are fine)."""

    code = forms.CharField(
        label=_("Code from the email"), max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True, "size": 8}),
    )

    def clean_code(self) -> str:
        code = CODE_SEPARATORS.sub("", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise ValidationError(_("Enter the 6-digit code from the email."), code="invalid")
        return code
