"""Forms of the package pages. They parse what a person typed; the services write (and check again)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coachos.common import formats
from coachos.scheduling.models import SessionType

# Currencies without minor units (prices are stored in minor units).
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "ISK", "CLP", "VND"})
MAX_PRICE_MINOR = 100_000_000


def exponent_of(currency: str) -> int:
    return 0 if currency in ZERO_DECIMAL_CURRENCIES else 2


def price_text(minor: int, currency: str) -> str:
    """$750.00 / 750,00 € — a price from minor units, as the business writes amounts (common.formats)."""
    return formats.format_money(minor, currency)


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the client sees, e.g. “10 sessions”."))
    sessions = forms.IntegerField(label=_("Sessions"), min_value=1, max_value=1000)
    price = forms.DecimalField(label=_("Price"))  # replaced in __init__ for the business currency
    validity_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=3650, initial=90,
                                       help_text=_("Counted from the day the client gets the package."))
    session_types = forms.ModelMultipleChoiceField(
        label=_("Session types"), queryset=SessionType.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to cover every session type."),
    )
    active = forms.BooleanField(label=_("On sale"), required=False, initial=True,
                                help_text=_("Plans off sale stay on the packages already given."))

    def __init__(self, *args: Any, currency: str, plan: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exponent = exponent_of(currency)
        # Built here: a DecimalField's validator keeps the decimal places it was created with.
        self.fields["price"] = forms.DecimalField(
            label=_("Price (%(currency)s)") % {"currency": currency}, min_value=Decimal(0),
            max_digits=9 + self.exponent, decimal_places=self.exponent,
            widget=forms.NumberInput(attrs={"step": "1" if self.exponent == 0 else "0.01", "inputmode": "decimal"}),
        )
        types = self.fields["session_types"]
        assert isinstance(types, forms.ModelMultipleChoiceField)
        types.queryset = SessionType.objects.filter(active=True) | (
            plan.session_types.all() if plan is not None else SessionType.objects.none())
        types.queryset = types.queryset.distinct().order_by("name")
        if plan is not None:
            self.initial.update({
                "name": plan.name, "sessions": plan.sessions, "validity_days": plan.validity_days,
                "price": self.price_of(plan.price_minor), "active": plan.active,
                "session_types": list(plan.session_types.all()),
            })

    def price_of(self, minor: int) -> Decimal:
        return (Decimal(minor) / (10 ** self.exponent)).quantize(Decimal(1).scaleb(-self.exponent))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        price = data.get("price")
        if price is not None:
            minor = int(price * (10 ** self.exponent))
            if minor > MAX_PRICE_MINOR:
                self.add_error("price", _("That price is too high."))
            data["price_minor"] = minor
        return data

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "sessions": data["sessions"], "price_minor": data["price_minor"],
                "validity_days": data["validity_days"], "session_types": list(data["session_types"]),
                "active": data["active"]}
