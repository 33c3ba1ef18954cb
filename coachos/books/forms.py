"""Forms of the books pages. They parse what a person typed; the services write (and check again)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import money
from .models import Expense, MoneyEvent
from .services import expense_date_error

MAX_AMOUNT_MINOR = 100_000_000
MAX_RECEIPT_BYTES = 10 * 1024 * 1024
RECEIPT_TYPES = {
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
    "webp": "image/webp", "heic": "image/heic",
}


def receipt_content_type(name: str) -> str:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return RECEIPT_TYPES.get(extension, "application/octet-stream")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ExpenseForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount"))  # replaced in __init__ for the business currency
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Expense.Category.choices])
    vendor = forms.CharField(label=_("Paid to"), max_length=120, required=False,
                             help_text=_("The shop, landlord or service, e.g. “City Rentals”."))
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    receipt = forms.FileField(label=_("Receipt"), required=False,
                              help_text=_("Optional: a PDF or photo (PDF, PNG, JPG, WEBP or HEIC; up to 10 MB)."),
                              widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp,.heic"}))

    def __init__(self, *args: Any, currency: str, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        exponent = money.exponent_of(currency)
        self.fields["amount"] = forms.DecimalField(
            label=_("Amount (%(currency)s)") % {"currency": currency}, min_value=Decimal(1).scaleb(-exponent),
            max_digits=9 + exponent, decimal_places=exponent,
            widget=forms.NumberInput(attrs={"step": "1" if exponent == 0 else "0.01", "inputmode": "decimal"}),
        )
        self.today = today
        if today is not None:
            self.initial.setdefault("date", today)

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        problem = expense_date_error(day, self.today or timezone.now().date())
        if problem:
            raise forms.ValidationError(problem)
        return day

    def clean_amount(self) -> int:
        minor = money.parse_major(self.cleaned_data["amount"], self.currency)
        if minor > MAX_AMOUNT_MINOR:
            raise forms.ValidationError(_("That amount is too high."))
        return minor

    def clean_receipt(self) -> UploadedFile | None:
        receipt = self.cleaned_data.get("receipt")
        if not receipt:
            return None
        if receipt.size is not None and receipt.size > MAX_RECEIPT_BYTES:
            raise forms.ValidationError(_("The receipt is too large (10 MB at most)."))
        if receipt_content_type(receipt.name or "") == "application/octet-stream":
            raise forms.ValidationError(_("Upload a PDF or a photo (PDF, PNG, JPG, WEBP or HEIC)."))
        return receipt  # type: ignore[no-any-return]


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Why void it?"), max_length=200, required=False)


class LedgerFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *MoneyEvent.Kind.choices])
    month = forms.CharField(label=_("Month"), required=False,
                            widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}))
    client = forms.TypedChoiceField(label=_("Client"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, clients: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.TypedChoiceField)
        client_field.choices = [("", _("All clients")), *clients]

    def clean_month(self) -> tuple[int, int] | None:
        value = (self.cleaned_data.get("month") or "").strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None
        return (year, month)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(label=_("To"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end must not be before the start."))
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 3700:
            self.add_error("start", _("Choose a period of at most ten years."))
        return data
