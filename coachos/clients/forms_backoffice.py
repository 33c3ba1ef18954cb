"""Forms of the back-office client pages. They parse input; the services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachos.common.phones import phone_parse, scoped_region

from . import services
from .models import Client, Tag


class ClientForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=25, required=False,
                            help_text=_("For example (312) 555-0123 or +44 20 7946 0958."))
    status = forms.ChoiceField(label=_("Status"), choices=Client.Status.choices, initial=Client.Status.ACTIVE)
    source = forms.ChoiceField(label=_("How they found you"), choices=[("", "—"), *Client.Source.choices],
                               required=False)
    source_detail = forms.CharField(label=_("Source details"), max_length=120, required=False,
                                    help_text=_("Who referred them, which campaign…"))
    birthday = forms.DateField(label=_("Birthday"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    address = forms.CharField(label=_("Address"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    emergency_contact_name = forms.CharField(label=_("Emergency contact"), max_length=120, required=False)
    emergency_contact_phone = forms.CharField(label=_("Emergency contact phone"), max_length=25, required=False)
    sms_consent = forms.BooleanField(label=_("Agreed to receive texts"), required=False)
    email_consent = forms.BooleanField(label=_("Agreed to receive emails"), required=False)

    def _phone(self, name: str) -> str:
        # Read in the business's country: "07700 900123" for a London business is +447700900123.
        return phone_parse(self.cleaned_data.get(name, ""), region=scoped_region())

    def clean_phone(self) -> str:
        return self._phone("phone")

    def clean_emergency_contact_phone(self) -> str:
        return self._phone("emergency_contact_phone")

    @classmethod
    def initial_for(cls, client: Client) -> dict[str, Any]:
        return {name: getattr(client, name) for name in services.EDITABLE_FIELDS}


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Client.Status.choices)


class TagForm(forms.Form):
    name = forms.CharField(label=_("Tag"), max_length=40)


class TagEditForm(forms.Form):
    """Name and colour of a tag (the tag management page)."""

    name = forms.CharField(label=_("Name"), max_length=40)
    colour = forms.ChoiceField(label=_("Colour"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args: Any, current_colour: str = "", **kwargs: Any) -> None:
        from .services_tags import TAG_COLOURS

        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [("", _("None")), *TAG_COLOURS]
        if current_colour and current_colour not in dict(choices):
            choices.append((current_colour, _("Current colour")))
        self.fields["colour"].choices = choices  # type: ignore[attr-defined]


class TagMergeForm(forms.Form):
    into: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Merge into"), queryset=Tag.objects.none(),
                                  empty_label=_("Choose a tag…"),
                                  error_messages={"invalid_choice": _("Choose one of the other tags.")})

    def __init__(self, *args: Any, source: Tag, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Tag.objects.exclude(pk=source.pk).order_by("name")  # type: ignore[attr-defined]


BULK_ACTIONS = [("add", _("Add tag")), ("remove", _("Remove tag"))]


class BulkTagForm(forms.Form):
    """Tag (or untag) the clients ticked on the list."""

    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    name = forms.CharField(label=_("Tag"), max_length=40, widget=forms.TextInput(
        attrs={"list": "tag-names", "placeholder": _("Tag name"), "autocomplete": "off"}))
    client = forms.TypedMultipleChoiceField(coerce=int, required=True,
                                            error_messages={"required": _("Select at least one client.")})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any ids may be posted; the view keeps only this business's clients.
        posted = self.data.getlist("client") if hasattr(self.data, "getlist") else []
        self.fields["client"].choices = [(v, v) for v in posted if str(v).isdigit() and len(str(v)) < 12]  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    body = forms.CharField(label=_("New note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, at most 2 MB. The first line names the columns."))


FILTER_CREDITS = [("", _("Any credits")), ("has", _("Has credits")), ("low", _("Low on credits")),
                  ("expiring", _("Package expiring in 14 days")), ("none", _("No credits"))]
SORT_CHOICES = [("name", _("Name")), ("newest", _("Newest")), ("last_booking", _("Last booking"))]


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, email or phone")}))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")),
                                                                            *Client.Status.choices])
    tag = forms.TypedChoiceField(label=_("Tag"), required=False, coerce=int, empty_value=None)
    credits = forms.ChoiceField(label=_("Credits"), required=False, choices=FILTER_CREDITS)
    inactive = forms.IntegerField(label=_("No booking in (days)"), required=False, min_value=1, max_value=3650,
                                  widget=forms.NumberInput(attrs={"placeholder": _("No booking in … days")}))
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, tags: list[Tag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("Any tag")), *((str(t.pk), t.name) for t in tags)]  # type: ignore[attr-defined]
