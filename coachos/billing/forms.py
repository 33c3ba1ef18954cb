"""Forms of the payments pages. They parse what a person typed; the services write (and check again)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachos.clients.models import Client
from coachos.credits.forms import exponent_of
from coachos.credits.models import PackagePlan

from .models import MembershipPlan, Purchase
from .services import MANUAL_METHODS, MAX_AMOUNT_MINOR


def money_field(label: str, currency: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    exponent = exponent_of(currency)
    return forms.DecimalField(
        label=f"{label} ({currency})", required=required, min_value=Decimal(0), max_digits=9 + exponent,
        decimal_places=exponent, help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "1" if exponent == 0 else "0.01", "inputmode": "decimal"}),
    )


def to_minor(value: Decimal, currency: str) -> int:
    return int(value.scaleb(exponent_of(currency)))


def client_choices() -> Any:
    return Client.objects.exclude(status="archived").order_by("first_name", "last_name")


class ClientChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.email else obj.full_name


class ManualPaymentForm(forms.Form):
    client = ClientChoiceField(label=_("Client"), queryset=Client.objects.none())
    method = forms.ChoiceField(label=_("Paid by"), choices=[(m.value, m.label) for m in MANUAL_METHODS])
    plan = forms.ModelChoiceField(label=_("Package it pays for"), queryset=PackagePlan.objects.none(), required=False,
                                  help_text=_("Optional: the client gets this package's credits now."))
    amount = forms.DecimalField(label=_("Amount"))  # replaced in __init__ for the business currency
    paid_on = forms.DateField(label=_("Paid on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("Leave empty for today."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, organization: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.fields["client"].queryset = client_choices()  # type: ignore[attr-defined]
        self.fields["plan"].queryset = PackagePlan.objects.filter(price_minor__gt=0).order_by("name")  # type: ignore[attr-defined]
        self.fields["amount"] = money_field(str(_("Amount")), organization.currency,
                                            help_text=str(_("Filled from the package's price if you leave it empty.")),
                                            required=False)
        self.order_fields(["client", "method", "plan", "amount", "paid_on", "note"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount, plan = data.get("amount"), data.get("plan")
        currency = self.organization.currency
        if amount is None and plan is not None:
            data["amount_minor"] = plan.price_minor
        elif amount is not None:
            data["amount_minor"] = to_minor(amount, currency)
        elif not self.errors.get("amount"):
            self.add_error("amount", _("Enter the amount, or choose a package."))
        if data.get("amount_minor") is not None and not 0 < data["amount_minor"] <= MAX_AMOUNT_MINOR:
            self.add_error("amount", _("Enter an amount above zero."))
        paid_on = data.get("paid_on")
        if paid_on is not None:
            if paid_on > timezone.localdate():
                self.add_error("paid_on", _("A payment cannot be in the future."))
            data["paid_at"] = datetime.combine(paid_on, time(12, 0), tzinfo=self.organization.tzinfo) \
                if paid_on != timezone.localdate() else None
        return data


class RefundForm(forms.Form):
    """Two steps: the amount (and reason), then "what will happen" with the credits to remove
    (prefilled with the proportional default, 0 to the unused ones) and Confirm."""

    amount = forms.DecimalField(label=_("Amount"))
    credits_to_remove = forms.IntegerField(
        label=_("Credits to remove"), required=False, min_value=0,
        help_text=_("Unused sessions of the package to take away with this refund."))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, purchase: Purchase, confirming: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.purchase = purchase
        self.fields["amount"] = money_field(
            str(_("Amount to refund")), purchase.currency, required=False,
            help_text=str(_("Leave empty to refund everything still refundable.")))
        self.order_fields(["amount", "credits_to_remove", "reason", "confirm"])
        if confirming:  # the amount and reason were chosen; only the credits may still change
            self.fields["amount"].widget = forms.HiddenInput()
            self.fields["reason"].widget = forms.HiddenInput()
        else:
            self.fields["credits_to_remove"].widget = forms.HiddenInput()
        if purchase.client_package_id is None:
            del self.fields["credits_to_remove"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        amount = data.get("amount")
        data["amount_minor"] = to_minor(amount, self.purchase.currency) if amount is not None else None
        if data["amount_minor"] is not None and data["amount_minor"] <= 0:
            self.add_error("amount", _("Enter an amount above zero."))
        elif data["amount_minor"] is not None and data["amount_minor"] > self.purchase.refundable_minor:
            self.add_error("amount", _("That is more than what is left to refund."))
        return data


class PaymentLinkForm(forms.Form):
    client = ClientChoiceField(label=_("Client"), queryset=Client.objects.none())
    product = forms.ChoiceField(label=_("What they pay for"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = client_choices()  # type: ignore[attr-defined]
        packages = [(f"p:{p.pk}", str(p.name)) for p in PackagePlan.objects.filter(active=True, price_minor__gt=0)]
        memberships = [(f"m:{m.pk}", str(m.name)) for m in MembershipPlan.objects.filter(active=True)]
        choices: list[Any] = [("", "—")]
        if packages:
            choices.append((str(_("Packages")), packages))
        if memberships:
            choices.append((str(_("Memberships (monthly)")), memberships))
        self.fields["product"].choices = choices  # type: ignore[attr-defined]

    def clean_product(self) -> tuple[PackagePlan | None, MembershipPlan | None]:
        value = self.cleaned_data["product"]
        kind, _sep, pk = value.partition(":")
        if kind == "p" and pk.isdigit():
            plan = PackagePlan.objects.filter(pk=int(pk)).first()
            if plan is not None:
                return plan, None
        if kind == "m" and pk.isdigit():
            membership_plan = MembershipPlan.objects.filter(pk=int(pk)).first()
            if membership_plan is not None:
                return None, membership_plan
        raise forms.ValidationError(_("Choose a package or a membership."))


class MembershipPlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. “Monthly 8 sessions”."))
    price = forms.DecimalField(label=_("Monthly price"))
    sessions_per_month = forms.IntegerField(label=_("Sessions a month"), min_value=1, max_value=100, required=False,
                                            help_text=_("Leave empty for unlimited sessions."))

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["price"] = money_field(str(_("Monthly price")), currency)
        self.order_fields(["name", "price", "sessions_per_month"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("price") is not None:
            data["price_minor"] = to_minor(data["price"], self.currency)
            if data["price_minor"] <= 0 or data["price_minor"] > MAX_AMOUNT_MINOR:
                self.add_error("price", _("Enter a monthly price above zero."))
        return data


class PaymentFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status"))] + list(Purchase.Status.choices))
    method = forms.ChoiceField(label=_("Method"), required=False,
                               choices=[("", _("Any method"))] + list(Purchase.Method.choices))
    q = forms.CharField(label=_("Client"), required=False, max_length=100)
    flagged = forms.BooleanField(label=_("Needs checking"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
