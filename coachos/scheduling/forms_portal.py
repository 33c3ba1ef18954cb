from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Coach, SessionType, Weekday


class CoachChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Coach) -> str:
        return obj.name


class RecurringRequestForm(forms.Form):
    """ "Every Tuesday at 10:00": a one-to-one session type, a coach, a weekday and a local time."""

    session_type = forms.ModelChoiceField(label=_("Session"), queryset=SessionType.objects.none(),
                                          empty_label=None)
    coach = CoachChoiceField(label=_("Coach"), queryset=Coach.objects.none(), empty_label=None)
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time", "step": 300},
                                                                          format="%H:%M"))
    every_weeks = forms.TypedChoiceField(
        label=_("How often"), coerce=int, initial=1, widget=forms.RadioSelect,
        choices=[(1, _("Every week")), (2, _("Every two weeks"))],
    )
    start_date = forms.DateField(label=_("Starting from"), widget=forms.DateInput(attrs={"type": "date"},
                                                                                 format="%Y-%m-%d"))
    end_date = forms.DateField(label=_("Until"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               help_text=_("Leave empty to keep going."))

    def __init__(self, *args: Any, types: Any, coaches: Any, today: date, zone_name: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["session_type"].queryset = types
        self.fields["coach"].queryset = coaches
        if coaches.count() == 1:
            self.fields["coach"].widget = forms.HiddenInput()
            self.fields["coach"].initial = coaches.first().pk
        self.fields["start_time"].help_text = _("In the business's time zone (%(zone)s).") % {"zone": zone_name}
        self.fields["start_date"].initial = today

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and start < self.today:
            self.add_error("start_date", _("Choose today or a later date."))
        if start and end and end < start:
            self.add_error("end_date", _("The last date must be on or after the first date."))
        return data
