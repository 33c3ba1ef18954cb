"""Forms of the schedule setup pages. They parse and check what a person typed; the services
do the writing (and check again)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coachos.common import formats

from .models import Coach, Room, SessionType
from .slots import local_to_utc

# Currencies without minor units (prices are stored in minor units).
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "ISK", "CLP", "VND"})


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def room_choices(rooms: list[Room], empty: str) -> list[tuple[Any, str]]:
    return [("", empty), *((room.pk, room.name) for room in rooms)]


# --- weekly hours ------------------------------------------------------------------------------

class RangeForm(forms.Form):
    """One range of one weekday."""

    start_time = forms.TimeField(label=_("From"), widget=time_input())
    end_time = forms.TimeField(label=_("Until"), widget=time_input())
    for_individual = forms.BooleanField(label=_("One-to-one"), required=False, initial=True)
    for_group = forms.BooleanField(label=_("Group"), required=False, initial=False)
    room = forms.TypedChoiceField(label=_("Room"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, rooms: list[Room] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["room"].choices = room_choices(rooms or [], str(_("No particular room")))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start is not None and end is not None and end <= start:
            self.add_error("end_time", _("Must be after the start (%(start)s). A range cannot cross midnight.")
                           % {"start": formats.format_time(start)})
        if not data.get("for_individual") and not data.get("for_group"):
            self.add_error(None, _("Choose one-to-one, group or both."))
        return data


def _span(start: time, end: time) -> str:
    return f"{formats.format_time(start)}–{formats.format_time(end)}"


class BaseDayFormSet(forms.BaseFormSet):
    day_label = ""

    def clean(self) -> None:
        if any(self.errors):
            return
        spans = sorted(
            (form.cleaned_data["start_time"], form.cleaned_data["end_time"])
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        )
        for (s1, e1), (s2, e2) in pairwise(spans):
            if s2 < e1:
                raise forms.ValidationError(
                    _("%(a)s and %(b)s overlap. Join them into one range or change the times."),
                    params={"a": _span(s1, e1), "b": _span(s2, e2)},
                )

    def ranges(self, weekday: int) -> list[dict[str, Any]]:
        """The day's ranges as the service takes them (room as an id)."""
        return [
            {"weekday": weekday, **{k: form.cleaned_data[k] for k in ("start_time", "end_time", "for_individual",
                                                                      "for_group", "room")}}
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


DayFormSet = forms.formset_factory(RangeForm, formset=BaseDayFormSet, extra=1, can_delete=True,
                                   can_delete_extra=False)


# --- time off and extra time -------------------------------------------------------------------

class TimeSpanForm(forms.Form):
    """A span of time typed as local dates (whole days) or dates and times, in the business's zone."""

    DAYS, TIMES = "days", "times"

    span = forms.ChoiceField(
        label=_("How long"), widget=forms.RadioSelect,
        choices=[(DAYS, _("Whole days")), (TIMES, _("Set times"))],
    )
    start_date = forms.DateField(label=_("From"), widget=date_input())
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=time_input())
    end_date = forms.DateField(label=_("Until"), required=False, widget=date_input(),
                               help_text=_("Leave empty for a single day."))
    end_time = forms.TimeField(label=_("End time"), required=False, widget=time_input())
    reason = forms.CharField(label=_("Note (not shown to clients)"), max_length=200, required=False)

    default_span = DAYS

    def __init__(self, *args: Any, tz: ZoneInfo, now: datetime | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"span": self.default_span})
        super().__init__(*args, **kwargs)
        self.tz = tz
        self.now = now or timezone.now()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start_date = data.get("start_date")
        if start_date is None or not data.get("span"):
            return data
        end_date = data.get("end_date") or start_date
        if data["span"] == self.DAYS:
            if end_date < start_date:
                self.add_error("end_date", _("The last day must be on or after the first day."))
                return data
            starts_at = local_to_utc(start_date, time(0), self.tz)
            ends_at = local_to_utc(end_date + timedelta(days=1), time(0), self.tz)
        else:
            missing = False
            for name in ("start_time", "end_time"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Enter a time, or choose whole days."))
                    missing = True
            if missing or self.errors:
                return data
            starts_at = local_to_utc(start_date, data["start_time"], self.tz)
            ends_at = local_to_utc(end_date, data["end_time"], self.tz)
            if ends_at <= starts_at:
                self.add_error("end_time", _("The end must be after the start."))
                return data
        if ends_at <= self.now:
            self.add_error(None, _("That time is already over."))
            return data
        data["starts_at"], data["ends_at"] = starts_at, ends_at
        return data


class BlockedForm(TimeSpanForm):
    default_span = TimeSpanForm.DAYS


class AdditionForm(TimeSpanForm):
    default_span = TimeSpanForm.TIMES

    for_individual = forms.BooleanField(label=_("One-to-one"), required=False, initial=True)
    for_group = forms.BooleanField(label=_("Group"), required=False, initial=True)
    room = forms.TypedChoiceField(label=_("Room"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, rooms: list[Room] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("for_individual", True)
        self.initial.setdefault("for_group", True)
        self.fields["room"].choices = room_choices(rooms or [], str(_("No particular room")))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("for_individual") and not data.get("for_group"):
            self.add_error(None, _("Choose one-to-one, group or both."))
        return data


# --- the coach's booking settings --------------------------------------------------------------

class CoachSettingsForm(forms.ModelForm):
    default_room = forms.ModelChoiceField(label=_("Default room"), queryset=Room.objects.none(), required=False,
                                          empty_label=_("No particular room"))

    SECTIONS = (
        (_("Shown to clients"), ("display_name", "bio", "active")),
        (_("Sessions"), ("default_session_minutes", "buffer_before_minutes", "buffer_after_minutes",
                         "slot_step_minutes", "default_room")),
        (_("Booking rules"), ("min_notice_minutes", "horizon_days", "max_per_day", "max_per_week",
                              "cancellation_window_hours")),
    )

    class Meta:
        model = Coach
        fields = [
            "display_name", "bio", "active", "default_session_minutes", "buffer_before_minutes",
            "buffer_after_minutes", "slot_step_minutes", "default_room", "min_notice_minutes", "horizon_days",
            "max_per_day", "max_per_week", "cancellation_window_hours",
        ]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "display_name": _("Leave empty to use your account name."),
            "active": _("When off, clients cannot book you online; you can still add sessions yourself."),
            "buffer_before_minutes": _("Free time kept before each session."),
            "buffer_after_minutes": _("Free time kept after each session, e.g. to clean up or travel."),
            "slot_step_minutes": _("How often a start time is offered: 30 gives 9:00, 9:30, 10:00…"),
            "min_notice_minutes": _("How soon before a session clients may still book it: 120 = 2 hours, "
                                    "1440 = 1 day."),
            "horizon_days": _("How far ahead clients may book."),
            "max_per_day": _("Leave empty for no limit."),
            "max_per_week": _("Leave empty for no limit. Weeks run Monday to Sunday."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_room"].queryset = Room.objects.all()

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(title), [self[name] for name in names]) for title, names in self.SECTIONS]


# --- session types and rooms -------------------------------------------------------------------

class SessionTypeForm(forms.ModelForm):
    price = forms.DecimalField(label=_("Price"), min_value=Decimal(0), max_digits=9, decimal_places=2,
                               initial=Decimal("0"))
    video_url = forms.URLField(label=_("Video link"), required=False, assume_scheme="https",
                               help_text=_("For online sessions: clients see it in their booking and calendar."))

    class Meta:
        model = SessionType
        fields = ["name", "duration_minutes", "capacity", "color", "location", "video_url", "bookable_online",
                  "active"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}
        help_texts = {
            "location": _("Where it happens, if not at your business address."),
        }

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exponent = 0 if currency in ZERO_DECIMAL_CURRENCIES else 2
        self.fields["price"].label = _("Price (%(currency)s)") % {"currency": currency}
        self.fields["price"].decimal_places = self.exponent
        self.fields["price"].widget.attrs["step"] = "1" if self.exponent == 0 else "0.01"
        if self.instance.pk:
            self.initial["price"] = (Decimal(self.instance.price_minor) / (10 ** self.exponent)).quantize(
                Decimal(1).scaleb(-self.exponent))
        else:
            del self.fields["active"]
        self.order_fields(["name", "duration_minutes", "price", "capacity"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("price") is not None:
            data["price_minor"] = int(data["price"] * (10 ** self.exponent))
        return data

    def service_fields(self, *, changed_only: bool) -> dict[str, Any]:
        names = [n for n in self.Meta.fields if n in self.fields]
        if changed_only:
            names = [n for n in names if n in self.changed_data]
        data = {name: self.cleaned_data[name] for name in names}
        if not changed_only or "price" in self.changed_data:
            data["price_minor"] = self.cleaned_data["price_minor"]
        return data


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    capacity = forms.IntegerField(label=_("Sessions at once"), min_value=1, max_value=100, initial=1,
                                  help_text=_("How many sessions the room holds at the same time."))
