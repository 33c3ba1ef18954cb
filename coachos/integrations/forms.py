"""The Calendars page's forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CalDAVForm(forms.Form):
    url = forms.URLField(label=_("Calendar server address"), max_length=1000, assume_scheme="https",
                         help_text=_("For example https://caldav.icloud.com/ or your Nextcloud's "
                                     "https://cloud.example.com/remote.php/dav/"))
    username = forms.CharField(label=_("User name"), max_length=200,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=_("App password"), max_length=500,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("An app-specific password made for Coach OS in your account's security "
                                           "settings (not your main password). It is stored encrypted."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False,
                           help_text=_("Optional: how this calendar is listed here."))


class ConnectionSettingsForm(forms.Form):
    busy_source = forms.BooleanField(label=_("Its busy times block my booking slots"), required=False)
    write_target = forms.BooleanField(label=_("Add my sessions to this calendar"), required=False)


class VideoForm(forms.Form):
    jitsi_base_url = forms.URLField(label=_("Jitsi Meet server"), max_length=200, assume_scheme="https",
                                    help_text=_("Rooms are made on this server. meet.jit.si is free and needs no "
                                                "account."))
    online_types = forms.MultipleChoiceField(label=_("Session types held online"), required=False,
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, type_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["online_types"].choices = type_choices  # type: ignore[attr-defined]
