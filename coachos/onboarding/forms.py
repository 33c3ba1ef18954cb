from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from coachos.clients.models import Client
from coachos.credits.models import PackagePlan

from .models import IntakeForm, IntakeQuestion, OnboardingSettings, WaiverTemplate
from .services import profile_fields


class PlanChoices(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        from coachos.books.money import grouped

        currency = obj.organization.currency
        return f"{obj.name} · {grouped(obj.price_minor, currency)} {currency} · " + str(
            ngettext("%(n)d session", "%(n)d sessions", obj.sessions) % {"n": obj.sessions})


class SettingsForm(forms.ModelForm):
    """Onboarding settings. Only packages on sale (with a price) of this business can be offered:
    another business's package, or one off sale, is not a valid choice."""

    package_plans = PlanChoices(
        label=_("Packages offered"), queryset=PackagePlan.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only packages on sale are listed. Clients choose one and pay online; credits arrive once "
                    "the payment is confirmed."))

    class Meta:
        model = OnboardingSettings
        fields = ["enabled", "require_waiver", "package_step", "package_plans"]
        widgets = {"package_step": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .packages import offerable_plans

        super().__init__(*args, **kwargs)
        self.fields["package_step"].required = False  # not sent: left as it is
        self.fields["package_plans"].queryset = offerable_plans().select_related("organization")  # type: ignore[attr-defined]
        if self.instance.pk is not None and not self.is_bound:
            self.initial["package_plans"] = list(self.instance.package_plans.values_list("pk", flat=True))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        step = data.get("package_step")
        if step and step != OnboardingSettings.PackageStep.OFF and not data.get("package_plans") \
                and "package_plans" not in self.errors:
            self.add_error("package_plans", _("Choose at least one package to offer."))
        return data


class PackagePaymentForm(forms.Form):
    """The coach records that the client paid for a package outside the app."""

    plan = forms.ModelChoiceField(label=_("Package"), queryset=PackagePlan.objects.none())
    method = forms.ChoiceField(label=_("Paid by"))
    amount = forms.DecimalField(label=_("Amount"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, organization: Any, plans: Any, **kwargs: Any) -> None:
        from coachos.billing.forms import money_field
        from coachos.billing.services import MANUAL_METHODS

        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        self.fields["method"].choices = [(m.value, m.label) for m in MANUAL_METHODS]  # type: ignore[attr-defined]
        self.fields["amount"] = money_field(str(_("Amount")), organization.currency, required=False,
                                            help_text=str(_("Leave empty for the package's price.")))
        self.order_fields(["plan", "method", "amount", "note"])

    def clean(self) -> dict[str, Any]:
        from coachos.billing.forms import to_minor

        data = super().clean() or {}
        plan, amount = data.get("plan"), data.get("amount")
        if plan is not None:
            data["amount_minor"] = plan.price_minor if amount is None else to_minor(amount, self.organization.currency)
            if data["amount_minor"] <= 0:
                self.add_error("amount", _("Enter an amount above zero."))
        return data


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
        if "phone" in self.fields:
            self.fields["phone"].help_text = _("For example (312) 555-0123 or +44 20 7946 0958.")
        if "sms_consent" in self.fields:
            self.fields["sms_consent"].label = _("I agree to receive text messages (SMS) about my sessions")
        if "email_consent" in self.fields:
            self.fields["email_consent"].label = _("I agree to receive emails about my sessions")

    def _phone(self, name: str) -> str:
        from coachos.common.phones import phone_parse, scoped_region

        return phone_parse(self.cleaned_data.get(name) or "", region=scoped_region())

    def clean_phone(self) -> str:
        return self._phone("phone")

    def clean_emergency_contact_phone(self) -> str:
        return self._phone("emergency_contact_phone")

    def clean_birthday(self) -> date | None:
        birthday: date | None = self.cleaned_data.get("birthday")
        if birthday is not None and not date(1900, 1, 1) <= birthday <= timezone.localdate():
            raise forms.ValidationError(_("Enter a birthday between 1900 and today."))
        return birthday


def profile_form_class() -> type[ProfileForm]:
    return forms.modelform_factory(Client, form=ProfileForm, fields=profile_fields())  # type: ignore[return-value]


class SignForm(forms.Form):
    """The typed full name, and a drawn signature (the canvas's PNG) or, for people who cannot
    draw, the choice to adopt the typed name as the signature (``cannot_draw``)."""

    full_name = forms.CharField(label=_("Your full name"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "name"}))
    signature = forms.CharField(required=False, widget=forms.HiddenInput)  # data:image/png;base64,…
    cannot_draw = forms.BooleanField(
        label=_("I can't draw a signature (keyboard or screen reader)"), required=False,
        widget=forms.CheckboxInput(attrs={"aria-describedby": "cannot-draw-help", "data-signature-adopt": ""}),
        help_text=_("Your typed full name is then adopted as your signature."))
    agree = forms.BooleanField(label=_("I have read this waiver and I agree to it."), required=True,
                               error_messages={"required": _("Tick “I agree” to sign.")})
