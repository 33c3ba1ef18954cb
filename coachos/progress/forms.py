"""The progress pages' forms: a measurement, a task, a photo, the client's units. They read what a person
typed; the services check it again and refuse what no body has (700 kg) with a sentence that goes on the
field at fault (``pages.form_error``). Goals and milestones: ``forms_goals``."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import KindInfo
from .models import ProgressPhoto, Task
from .models.tasks import NOTES_MAX, TITLE_MAX
from .pages import local_instant
from .units import UNITS, System

VALUE_ERRORS = {"invalid": _("Enter a number, e.g. 72.5."),
                "max_decimal_places": _("Enter the value with at most 2 decimals."),
                "max_digits": _("This number is too long."), "max_whole_digits": _("This number is too long.")}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")  # what <input type=date> reads, whatever the locale


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def number_input() -> forms.TextInput:
    # Text, not type=number: a comma is the decimal separator in many languages, and a number input
    # throws away what it cannot read instead of letting the form say what is wrong.
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8})


class KindSelect(forms.Select):
    """The kinds of measurement; each option carries its units and the reader's unit, so that the page's
    script can offer only the units of the kind chosen (without script every unit stays offered)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds: dict[str, tuple[str, str]] = {}

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        if str(value) in self.kinds:
            units, unit = self.kinds[str(value)]
            option["attrs"] = {**option["attrs"], "data-units": units, "data-unit": unit}
        return option


def kind_choices(kinds: list[KindInfo]) -> list[tuple[str, str]]:
    return [(kind.key, str(kind.name)) for kind in kinds]


def unit_choices(kinds: list[KindInfo], *, blank: str) -> list[tuple[str, str]]:
    """Every unit a value may be typed in (the built-ins', then the business's own), the usual one first."""
    seen: dict[str, str] = {}
    for code in UNITS:
        seen.setdefault(code, code)
    for kind in kinds:
        for unit in kind.units:
            seen.setdefault(unit, unit)
    return [("", blank), *seen.items()]


def bind_kinds(field: forms.Field, kinds: list[KindInfo], system: System) -> None:
    widget = field.widget
    if isinstance(widget, KindSelect):
        widget.kinds = {kind.key: (" ".join(kind.units), kind.unit_for(system)) for kind in kinds}


class MeasurementForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measurement"), widget=KindSelect(attrs={"data-progress-kind": ""}))
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2, localize=True,
                               widget=number_input(), error_messages=VALUE_ERRORS)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    measured_on = forms.DateField(label=_("Date"), widget=DateInput(), help_text=_("An earlier day is fine."))
    measured_time = forms.TimeField(label=_("Time (optional)"), required=False, widget=TimeInput())
    note = forms.CharField(label=_("Note (optional)"), max_length=500, required=False)

    # The services' field names → this form's.
    SERVICE_FIELDS = {"measured_at": "measured_on"}

    def __init__(self, *args: Any, kinds: list[KindInfo], system: System, zone: tzinfo, today: date,
                 kind: str = "weight", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = kind_choices(kinds)
        bind_kinds(kind_field, kinds, system)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = unit_choices(kinds, blank=str(_("My usual unit")))
        if not self.is_bound:
            chosen = next((k for k in kinds if k.key == kind), kinds[0] if kinds else None)
            self.initial.setdefault("kind", chosen.key if chosen else "")
            self.initial.setdefault("unit", chosen.unit_for(system) if chosen else "")
            self.initial.setdefault("measured_on", today)

    def measured_at(self) -> datetime:
        data = self.cleaned_data
        return local_instant(data["measured_on"], data.get("measured_time"), zone=self.zone)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=TITLE_MAX,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. Stretch for 10 minutes")}))
    repeat = forms.ChoiceField(label=_("Repeat"), choices=Task.RepeatChoice.choices, initial=Task.RepeatChoice.NONE)
    due_date = forms.DateField(label=_("Due date (optional)"), required=False, widget=DateInput(),
                               help_text=_("A repeating task runs until this day."))
    notes = forms.CharField(label=_("Notes (optional)"), max_length=NOTES_MAX, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("Photo"), help_text=_("JPEG, PNG or WebP, at most 15 MB. Where it was taken is "
                                                         "removed from the file."),
                           widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
    pose = forms.ChoiceField(label=_("Pose"), choices=ProgressPhoto.Pose.choices, widget=forms.RadioSelect,
                             initial=ProgressPhoto.Pose.FRONT)
    taken_on = forms.DateField(label=_("Taken on"), widget=DateInput())

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("taken_on", today)


class UnitsForm(forms.Form):
    unit_system = forms.ChoiceField(label=_("Units"), required=False, choices=[
        ("", _("The business's default")), (System.METRIC.value, _("Metric (kg, cm)")),
        (System.IMPERIAL.value, _("Imperial (lb, in)"))])
    # The client's own choice of the monthly progress report by email ("": as the business decides).
    monthly_report = forms.ChoiceField(label=_("Monthly progress report by email"), required=False, choices=[
        ("", _("As my coach set it")), ("on", _("Yes, email it to me")), ("off", _("No, thank you"))])

    @staticmethod
    def monthly_choice(value: bool | None) -> str:
        return "" if value is None else ("on" if value else "off")

    def monthly_value(self) -> bool | None:
        return {"on": True, "off": False}.get(self.cleaned_data.get("monthly_report") or "")


class TeamUnitsForm(UnitsForm):
    """The same choices, set by the team for a client (worded for the team)."""

    unit_system = forms.ChoiceField(label=_("Show this client's measurements in"), required=False, choices=[
        ("", _("The business's default")), (System.METRIC.value, _("Metric (kg, cm)")),
        (System.IMPERIAL.value, _("Imperial (lb, in)"))])
    monthly_report = forms.ChoiceField(label=_("Monthly progress report by email"), required=False, choices=[
        ("", _("The business's default")), ("on", _("Yes, email it to them")), ("off", _("No"))])


class ProgressDefaultsForm(forms.Form):
    """The business's default for clients who did not choose (the owner)."""

    monthly_report = forms.ChoiceField(
        label=_("Monthly progress report for clients who did not choose"), widget=forms.RadioSelect,
        choices=[("on", _("Email it to them")), ("off", _("Do not email it"))])

    def value(self) -> bool:
        return self.cleaned_data["monthly_report"] == "on"


class SessionMeasurementForm(MeasurementForm):
    """A measurement taken at a session (the calendar's panel): whose, when the session has several clients."""

    client = forms.TypedChoiceField(label=_("Client"), coerce=int,
                                    error_messages={"invalid_choice": _("Choose a client of this session.")})

    field_order = ["client", "kind", "value", "unit", "measured_on", "measured_time", "note"]

    def __init__(self, *args: Any, clients: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client_field = self.fields["client"]
        assert isinstance(client_field, forms.TypedChoiceField)
        client_field.choices = clients
        if len(clients) == 1:
            client_field.widget = forms.HiddenInput()
            self.initial.setdefault("client", clients[0][0])
