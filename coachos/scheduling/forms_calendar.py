"""Forms of the coach's calendar. Times are typed (or dragged) as wall-clock times in the
business's zone; an ISO string with an offset is taken as it is."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from coachos.clients.models import Client

from .models import Coach, Room, SessionType, SkippedOccurrence

DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class LocalDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read in the business's zone. A time that a DST change skips
    or repeats is refused with Django's own message rather than guessed."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": 300}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *, tz: ZoneInfo, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATETIME_LOCAL_FORMATS)
        super().__init__(**kwargs)
        self.tz = tz

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str):
            # "+01:00" in a query string arrives as " 01:00".
            value = value.strip()
            if len(value) > 19 and value[19] == " ":
                value = value[:19] + "+" + value[20:]
        with timezone.override(self.tz):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and timezone.is_aware(value):
            return value.astimezone(self.tz).replace(tzinfo=None)
        return value


class CoachChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Coach) -> str:
        return obj.name or str(obj)


class ClientChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Client) -> str:
        return obj.full_name


class SessionTypeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: SessionType) -> str:
        if obj.is_group:
            return _("%(name)s · %(min)s min · group of %(cap)s") % {
                "name": obj.name, "min": obj.duration_minutes, "cap": obj.capacity}
        return _("%(name)s · %(min)s min") % {"name": obj.name, "min": obj.duration_minutes}


class SessionCreateForm(forms.Form):
    client = ClientChoiceField(
        label=_("Client"), queryset=Client.objects.none(), required=False,
        empty_label=_("Choose a client (none for a group class)"),
    )
    session_type = SessionTypeChoiceField(label=_("Session type"), queryset=SessionType.objects.none(),
                                          empty_label=None)
    coach = CoachChoiceField(label=_("Coach"), queryset=Coach.objects.none(), empty_label=None)
    starts_at = forms.Field(label=_("Starts"))  # replaced in __init__: it needs the business's zone
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none(), required=False,
                                  empty_label=_("The coach's usual room, if any"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Kept with the booking, e.g. what the client asked for."))
    # An occurrence of a recurring booking the daily job skipped, booked at another time here.
    skipped = forms.ModelChoiceField(queryset=SkippedOccurrence.objects.none(), required=False,
                                     widget=forms.HiddenInput())

    def __init__(self, *args: Any, tz: ZoneInfo, clients: QuerySet[Client] | None = None, **kwargs: Any) -> None:
        """``clients``: whom the member may book (``clients_visible_to``); every client by default."""
        super().__init__(*args, **kwargs)
        clients = Client.objects.all() if clients is None else clients
        self.fields["starts_at"] = LocalDateTimeField(label=_("Starts"), tz=tz)
        self.fields["skipped"].queryset = SkippedOccurrence.objects.filter(status=SkippedOccurrence.Status.OPEN,
                                                                           client__in=clients)
        self.fields["client"].queryset = clients.exclude(status=Client.Status.ARCHIVED)
        self.fields["session_type"].queryset = SessionType.objects.filter(active=True)
        self.fields["coach"].queryset = Coach.objects.select_related("membership__user")
        self.fields["room"].queryset = Room.objects.all()
        if len(self.fields["coach"].queryset) == 1:
            self.fields["coach"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        session_type = data.get("session_type")
        if session_type is not None and not session_type.is_group and not data.get("client"):
            self.add_error("client", _("Choose a client. Only a group class can be created without one."))
        if self.has_error("skipped"):  # a hidden field: say it where the person can read it
            self.add_error(None, _("That skipped session was already booked at another time or dismissed."))
        skipped = data.get("skipped")
        if skipped is not None and (data.get("client") is None or skipped.client_id != data["client"].pk
                                    or (data.get("coach") is not None and skipped.coach_id != data["coach"].pk)):
            self.add_error(None, _("This replaces a skipped session of %(client)s with their coach: keep that "
                                   "client and coach.") % {"client": skipped.client.full_name})
        return data


class Checkbox(forms.CheckboxInput):
    """A checkbox whose "off" is sent too (a hidden "0" before it), so that a request that does
    not mention the field at all (an API client, an older page) keeps the default instead."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        return format_html('<input type="hidden" name="{}" value="0">', name) + super().render(
            name, value, attrs, renderer)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool | None:
        values = data.getlist(name) if hasattr(data, "getlist") else [data[name]] if name in data else []
        if not values:
            return None
        return str(values[-1]).lower() not in ("0", "false", "off", "")


class MoveForm(forms.Form):
    starts_at = forms.Field(label=_("New start"))
    notify = forms.NullBooleanField(label=_("Notify the client"), required=False, initial=True, widget=Checkbox)

    def __init__(self, *args: Any, tz: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_at"] = LocalDateTimeField(label=_("New start"), tz=tz)

    def clean_notify(self) -> bool:
        return self.cleaned_data.get("notify") is not False  # not sent: the client is told


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Kept in the audit log."))

