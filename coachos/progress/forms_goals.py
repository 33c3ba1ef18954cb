"""Goal and milestone forms of the progress pages (the team's and the client's). A goal is measurable
(a kind, a target value and its unit), an attendance goal (a number of completed sessions), or has no
measurable target (it moves with its milestones). ``services.goal_create`` / ``goal_update`` check
everything again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import VALUE_ERRORS, DateInput, KindSelect, bind_kinds, kind_choices, number_input, unit_choices
from .kinds import KindInfo
from .models import Goal
from .models.goals import TITLE_MAX, WHY_MAX
from .services.goals import MAX_SESSIONS
from .units import System


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=TITLE_MAX,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. Run 5 km without stopping")}))
    why = forms.CharField(label=_("Why it matters (optional)"), max_length=WHY_MAX, required=False,
                          widget=forms.Textarea(attrs={"rows": 2}))
    target_type = forms.ChoiceField(label=_("Target"), choices=Goal.Target.choices, initial=Goal.Target.NONE,
                                    widget=forms.RadioSelect(attrs={"data-goal-target": ""}))
    measurement_kind = forms.ChoiceField(label=_("Measurement"), required=False, widget=KindSelect(
        attrs={"data-progress-kind": ""}))
    target_value = forms.DecimalField(label=_("Target value"), required=False, max_digits=12, decimal_places=2,
                                      localize=True, widget=number_input(), error_messages=VALUE_ERRORS)
    target_unit = forms.ChoiceField(label=_("Unit"), required=False)
    start_value = forms.DecimalField(label=_("Starting value (optional)"), required=False, max_digits=12,
                                     decimal_places=2, localize=True, widget=number_input(),
                                     error_messages=VALUE_ERRORS,
                                     help_text=_("Left empty: the latest measurement."))
    sessions = forms.IntegerField(label=_("Completed sessions"), required=False, min_value=1, max_value=MAX_SESSIONS,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DateInput())
    target_date = forms.DateField(label=_("Target date (optional)"), required=False, widget=DateInput())

    # Fields shown only for one kind of target (the page's script hides the others).
    MEASUREMENT_FIELDS = ("measurement_kind", "target_value", "target_unit", "start_value")
    ATTENDANCE_FIELDS = ("sessions",)

    def __init__(self, *args: Any, kinds: list[KindInfo], system: System, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["measurement_kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = kind_choices(kinds)
        bind_kinds(kind_field, kinds, system)
        unit_field = self.fields["target_unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = unit_choices(kinds, blank=str(_("The usual unit")))
        if not self.is_bound:
            weight = next((k for k in kinds if k.key == "weight"), None)
            self.initial.setdefault("measurement_kind", "weight")
            self.initial.setdefault("target_unit", weight.unit_for(system) if weight else "")
            self.initial.setdefault("start_date", today)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        target = data.get("target_type")
        if target == Goal.Target.MEASUREMENT and data.get("target_value") is None and "target_value" not in self.errors:
            self.add_error("target_value", _("Enter the target value."))
        if target == Goal.Target.ATTENDANCE and data.get("sessions") is None and "sessions" not in self.errors:
            self.add_error("sessions", _("Enter how many sessions."))
        return data

    def service_fields(self) -> dict[str, str]:
        """The services' field names → this form's (an attendance goal's number is the service's target)."""
        target = self.cleaned_data.get("target_type") if hasattr(self, "cleaned_data") else None
        return {"target_value": "sessions"} if target == Goal.Target.ATTENDANCE else {}

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        target = data["target_type"]
        arguments: dict[str, Any] = {"title": data["title"], "why": data["why"], "target_type": target,
                                     "start_date": data.get("start_date"), "target_date": data.get("target_date")}
        if target == Goal.Target.MEASUREMENT:
            arguments.update(measurement_kind=data["measurement_kind"], target_value=data["target_value"],
                             target_unit=data["target_unit"], start_value=data.get("start_value"))
        elif target == Goal.Target.ATTENDANCE:
            arguments["target_value"] = Decimal(data["sessions"])
        return arguments


class GoalEditForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=TITLE_MAX)
    why = forms.CharField(label=_("Why it matters (optional)"), max_length=WHY_MAX, required=False,
                          widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)
    target_value = forms.DecimalField(label=_("Target value"), required=False, max_digits=12, decimal_places=2,
                                      localize=True, widget=number_input(), error_messages=VALUE_ERRORS)
    target_unit = forms.ChoiceField(label=_("Unit"), required=False)
    sessions = forms.IntegerField(label=_("Completed sessions"), required=False, min_value=1, max_value=MAX_SESSIONS)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    target_date = forms.DateField(label=_("Target date (optional)"), required=False, widget=DateInput())

    def __init__(self, *args: Any, goal: Goal, kind: KindInfo | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goal = goal
        if goal.target_type != Goal.Target.MEASUREMENT or kind is None:
            del self.fields["target_value"], self.fields["target_unit"]
        else:
            unit_field = self.fields["target_unit"]
            assert isinstance(unit_field, forms.ChoiceField)
            unit_field.choices = [(unit, unit) for unit in kind.units]
            unit_field.required = True
        if goal.target_type != Goal.Target.ATTENDANCE:
            del self.fields["sessions"]
        if not self.is_bound:
            self.initial.update(title=goal.title, why=goal.why, status=goal.status, start_date=goal.start_date,
                                target_date=goal.target_date, target_value=goal.target_value,
                                target_unit=goal.target_unit, sessions=goal.target_sessions)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "sessions" in self.fields and data.get("sessions") is None and "sessions" not in self.errors:
            self.add_error("sessions", _("Enter how many sessions."))
        return data

    def service_fields(self) -> dict[str, str]:
        return {"target_value": "sessions"} if self.goal.target_type == Goal.Target.ATTENDANCE else {}

    def changes(self) -> dict[str, Any]:
        """Only what differs from the goal (a status left as it was must not stop the goal moving by
        itself; an unchanged target is not a change)."""
        data, goal = self.cleaned_data, self.goal
        changes: dict[str, Any] = {}
        for name in ("title", "why", "status", "start_date", "target_date"):
            if data.get(name) != getattr(goal, name):
                changes[name] = data.get(name)
        if "target_value" in self.fields:
            if data.get("target_value") is None:
                changes["target_value"] = None  # the service says a target needs a value
            elif data["target_value"] != goal.target_value or data.get("target_unit") != goal.target_unit:
                changes.update(target_value=data["target_value"], target_unit=data.get("target_unit", ""))
        if "sessions" in self.fields and data.get("sessions") is not None and data["sessions"] != goal.target_sessions:
            changes["target_value"] = Decimal(data["sessions"])
        return changes


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=TITLE_MAX,
                            widget=forms.TextInput(attrs={"placeholder": _("e.g. Run 2 km")}))
    target_date = forms.DateField(label=_("By (optional)"), required=False, widget=DateInput())
