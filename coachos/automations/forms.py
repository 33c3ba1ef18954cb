"""The automation form: it parses what a person typed; ``services.automation_clean`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from coachos.clients.models import Client, Tag

from . import actions as A
from .models import EVENT_CHOICES, WEEKDAY_CHOICES, Automation

BLANK = [("", "—")]


class AutomationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("For you, e.g. “Win-back after 30 days”."))
    trigger_type = forms.ChoiceField(label=_("Runs"), choices=Automation.Trigger.choices, widget=forms.RadioSelect)
    event = forms.ChoiceField(label=_("Event"), choices=BLANK + EVENT_CHOICES, required=False)
    session_number = forms.IntegerField(
        label=_("Only after the client's session number"), required=False, min_value=1, max_value=1000,
        help_text=_("For “a session is completed”. E.g. 5: after each client's 5th completed session. "
                    "Empty: after every session."))
    credits_threshold = forms.IntegerField(
        label=_("Credits left (at most)"), required=False, min_value=0, max_value=10,
        help_text=_("For “low on credits”: runs when a package has this many credits or fewer left."))
    frequency = forms.ChoiceField(label=_("How often"), choices=BLANK + Automation.Frequency.choices, required=False)
    weekdays = forms.TypedMultipleChoiceField(label=_("On these days"), choices=WEEKDAY_CHOICES, coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    day_of_month = forms.IntegerField(label=_("Day of the month"), required=False, min_value=1, max_value=31,
                                      help_text=_("The 31st means the last day of shorter months."))
    time_of_day = forms.TimeField(label=_("At"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                  help_text=_("In your business's time zone. Conditions are checked daily at this "
                                              "time."))
    condition = forms.ChoiceField(label=_("Condition"), choices=BLANK + Automation.Condition.choices, required=False)
    condition_days = forms.IntegerField(label=_("N days"), required=False, min_value=0, max_value=365,
                                        help_text=_("For “no booking in N days” and “a package expires within N "
                                                    "days”."))
    tags = forms.ModelMultipleChoiceField(label=_("Only clients tagged (any of)"), queryset=Tag.objects.none(),
                                          required=False, widget=forms.CheckboxSelectMultiple,
                                          help_text=_("None ticked: clients with any tags or none."))
    statuses = forms.MultipleChoiceField(label=_("Only clients who are"), choices=Client.Status.choices,
                                         required=False, widget=forms.CheckboxSelectMultiple,
                                         help_text=_("None ticked: any status."))
    enabled = forms.BooleanField(label=_("Switched on"), required=False,
                                 help_text=_("Leave off until the dry run shows whom it reaches."))

    def __init__(self, *args: Any, automation: Automation | None = None, initial_data: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tags = self.fields["tags"]
        assert isinstance(tags, forms.ModelMultipleChoiceField)
        tags.queryset = Tag.objects.order_by("name")
        if automation is not None:
            self.initial.update({field: getattr(automation, field) for field in (
                "name", "trigger_type", "event", "session_number", "credits_threshold", "frequency", "weekdays",
                "day_of_month", "time_of_day", "condition", "condition_days", "statuses", "enabled")})
            self.initial["tags"] = list(automation.tags.all())
        elif initial_data:
            self.initial.update(initial_data)
        else:
            self.initial.update({"trigger_type": Automation.Trigger.CONDITION, "statuses": ["active"],
                                 "time_of_day": "09:00"})

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("tags", None)
        return data


class ActionForm(forms.Form):
    type = forms.ChoiceField(label=_("Do"), choices=BLANK + list(A.TYPES.items()), required=False)
    message_kind = forms.ChoiceField(label=_("Message"), choices=list(A.MESSAGE_KINDS.items()), required=False)
    subject = forms.CharField(label=_("Email subject"), max_length=A.SUBJECT_MAX, required=False,
                              help_text=_("Empty: “A message from” your business."))
    text = forms.CharField(label=_("Text"), required=False, max_length=A.EMAIL_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Placeholders: {client_first_name}, {client_name}, {business_name}, "
                                       "{booking_link}, {portal_link}, {credits_left}, {package_name}."))
    tag = forms.CharField(label=_("Tag"), max_length=A.TAG_MAX, required=False)
    title = forms.CharField(label=_("To-do"), max_length=A.TITLE_MAX, required=False,
                            help_text=_("E.g. “Call {client_name}”."))
    due_in_days = forms.IntegerField(label=_("Due in (days)"), min_value=0, max_value=365, required=False)

    def action(self) -> dict[str, Any] | None:
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get("type") or data.get("DELETE"):
            return None
        return {key: value for key, value in data.items() if key != "DELETE" and value not in (None, "")}


ActionFormSet = formset_factory(ActionForm, extra=2, can_delete=True, max_num=A.MAX_ACTIONS, absolute_max=20)


def action_initial(automation_actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [dict(action) for action in automation_actions]


def collect_actions(formset: Any) -> list[dict[str, Any]]:
    return [a for a in (form.action() for form in formset.forms) if a is not None]


def apply_errors(form: AutomationForm, error: ValidationError) -> list[str]:
    """Put the service's errors on the form's fields; return those about the actions."""
    action_errors: list[str] = []
    for field, messages in error.message_dict.items():
        if field == "actions":
            action_errors.extend(messages)
        elif field in form.fields:
            for message in messages:
                form.add_error(field, message)
        else:
            for message in messages:
                form.add_error(None, message)
    return action_errors
