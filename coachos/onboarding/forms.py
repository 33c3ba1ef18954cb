from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachos.clients.models import Client

from .models import IntakeForm, IntakeQuestion, OnboardingSettings, WaiverTemplate
from .services import profile_fields


class SettingsForm(forms.ModelForm):
    class Meta:
        model = OnboardingSettings
        fields = ["enabled", "require_waiver"]


class WaiverForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 14}), max_length=50000,
                           strip=False, help_text=_("Changing the text creates a new version; "
                                                    "signed versions are kept exactly as signed."))
    required = forms.BooleanField(label=WaiverTemplate._meta.get_field("required").verbose_name, required=False,
                                  initial=True)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].replace("\r\n", "\n")
        if not text.strip():
            raise forms.ValidationError(_("A waiver needs its text."))
        return text


class IntakeFormForm(forms.ModelForm):
    class Meta:
        model = IntakeForm
        fields = ["title", "description", "active", "onboarding"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(forms.Form):
    label = forms.CharField(label=_("Question"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=IntakeQuestion.Kind.choices)
    options = forms.CharField(label=_("Options (one per line, for choice questions)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    help_text = forms.CharField(label=_("Hint"), max_length=200, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        options = [o.strip() for o in (data.get("options") or "").splitlines() if o.strip()]
        if data.get("kind") in IntakeQuestion.CHOICE_KINDS and len(set(options)) < 2:
            self.add_error("options", _("A choice question needs at least two options, one per line."))
        data["option_list"] = options
        return data


class IntakeFillForm(forms.Form):
    """A form built from the questions: one field ``q_<id>`` per question, validated by kind."""

    def __init__(self, *args: Any, questions: list[IntakeQuestion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q_{question.pk}"] = self._field(question)

    @staticmethod
    def _field(q: IntakeQuestion) -> forms.Field:
        common: dict[str, Any] = {"label": q.label, "required": q.required, "help_text": q.help_text}
        kind = IntakeQuestion.Kind
        if q.kind == kind.LONG:
            return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common)
        if q.kind == kind.CHOICE:
            return forms.ChoiceField(choices=[(o, o) for o in q.options], widget=forms.RadioSelect, **common)
        if q.kind == kind.MULTI:
            return forms.MultipleChoiceField(choices=[(o, o) for o in q.options],
                                             widget=forms.CheckboxSelectMultiple, **common)
        if q.kind == kind.NUMBER:
            return forms.DecimalField(max_digits=12, decimal_places=3,
                                      widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                                      **common)
        if q.kind == kind.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if q.kind == kind.YESNO:
            choices = [("yes", _("Yes")), ("no", _("No"))]
            return forms.TypedChoiceField(choices=choices, widget=forms.RadioSelect,
                                          coerce=lambda v: v == "yes", empty_value=None, **common)
        return forms.CharField(max_length=300, **common)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Client
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "birthday" in self.fields:
            self.fields["birthday"].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        for name in ("phone", "emergency_contact_phone"):
            if name in self.fields:
                self.fields[name].widget.attrs.update({"type": "tel", "autocomplete": "tel" if name == "phone" else "off"})
        if "first_name" in self.fields:
            self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        if "last_name" in self.fields:
            self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"


def profile_form_class() -> type[ProfileForm]:
    return forms.modelform_factory(Client, form=ProfileForm, fields=profile_fields())  # type: ignore[return-value]


class SignForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    agree = forms.BooleanField(label=_("I have read this waiver and I agree to it."), required=True,
                               error_messages={"required": _("Tick “I agree” to sign.")})
    signature = forms.CharField(required=False, widget=forms.HiddenInput)  # data:image/png;base64,…
