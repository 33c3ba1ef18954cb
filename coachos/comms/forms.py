"""Forms of the message pages. They parse what a person typed; the services write (and check again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import catalog, selectors
from .compose import EMAIL_MAX, SMS_MAX
from .models import Channel, OutboundMessage


def _placeholders_error(text: str, allowed: list[str] | None = None) -> str:
    unknown = catalog.unknown_variables(text)
    if unknown:
        return str(_("%(names)s is not a placeholder we know. Use one from the list, spelled exactly.")
                   % {"names": ", ".join(f"{{{name}}}" for name in unknown)})
    if allowed is not None:
        missing = sorted({n for n in catalog.PLACEHOLDER.findall(text) if n not in allowed})
        if missing:
            return str(_("%(names)s is not available in this message (it would come out empty).")
                       % {"names": ", ".join(f"{{{name}}}" for name in missing)})
    return ""


class OutboxFilterForm(forms.Form):
    q = forms.CharField(label=_("Client"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Client, phone or email")}))
    status = forms.ChoiceField(label=_("Status"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    kind = forms.ChoiceField(label=_("Message"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status"))] + [  # type: ignore[attr-defined]
            (value, selectors.STATUS_LABELS[value]) for value in OutboundMessage.Status.values]
        self.fields["channel"].choices = [("", _("Texts and emails"))] + list(Channel.choices)  # type: ignore[attr-defined]
        self.fields["kind"].choices = [("", _("Any message"))] + sorted(  # type: ignore[attr-defined]
            ((k.key, str(k.label)) for k in catalog.KINDS.values()), key=lambda c: c[1])

    def filters(self, client_id: int | None = None) -> selectors.OutboxFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return selectors.OutboxFilters(
            status=data.get("status") or "", channel=data.get("channel") or "", kind=data.get("kind") or "",
            q=(data.get("q") or "").strip(), date_from=data.get("date_from"), date_to=data.get("date_to"),
            client_id=client_id,
        )


class SendForm(forms.Form):
    """A one-off message to a client. ``blockers`` says per channel why it cannot go ("" when it can)."""

    channel = forms.ChoiceField(label=_("Send as"), widget=forms.RadioSelect)
    subject = forms.CharField(label=_("Subject (email)"), required=False, max_length=200)
    body = forms.CharField(label=_("Message"), max_length=EMAIL_MAX,
                           widget=forms.Textarea(attrs={"rows": 3, "data-sms-length": "1"}),
                           help_text=_("You may use {client_first_name} and the other placeholders of your templates."))

    def __init__(self, *args: Any, blockers: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.blockers = blockers
        self.open_channels = [c for c in (Channel.SMS, Channel.EMAIL) if not blockers.get(c)]
        self.fields["channel"].choices = [(c.value, c.label) for c in (Channel.SMS, Channel.EMAIL)  # type: ignore[attr-defined]
                                          if c in self.open_channels]
        if self.open_channels:
            self.fields["channel"].initial = self.open_channels[0].value

    @property
    def closed(self) -> bool:
        return not self.open_channels

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        channel, body = data.get("channel"), data.get("body") or ""
        if channel == Channel.SMS and len(body) > SMS_MAX:
            self.add_error("body", _("A text can be at most %(n)d characters.") % {"n": SMS_MAX})
        problem = _placeholders_error(body + " " + (data.get("subject") or ""))
        if problem:
            self.add_error("body", problem)
        return data


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), max_length=SMS_MAX,
                           widget=forms.Textarea(attrs={"rows": 2, "data-sms-length": "1"}))

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        problem = _placeholders_error(body)
        if problem:
            raise forms.ValidationError(problem)
        return body


class TemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    enabled = forms.BooleanField(label=_("Send this message"), required=False)

    def __init__(self, *args: Any, spec: catalog.Kind, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec, self.channel = spec, channel
        self.allowed = selectors.variables_for(spec)
        body = self.fields["body"]
        assert isinstance(body, forms.CharField)
        if channel == Channel.SMS:
            del self.fields["subject"]
            body.max_length = SMS_MAX
            body.widget.attrs.update({"rows": 4, "data-sms-length": "1", "maxlength": str(SMS_MAX)})
        else:
            self.fields["subject"].required = True
            body.max_length = EMAIL_MAX
            body.widget.attrs["maxlength"] = str(EMAIL_MAX)
        if spec.key in ("custom", "help_reply"):
            del self.fields["enabled"]  # the team's own messages and the HELP answer always go
        for field in self.fields.values():  # widget limits follow the field limits
            field.widget.attrs.update(field.widget_attrs(field.widget))

    def clean_subject(self) -> str:
        subject: str = self.cleaned_data.get("subject") or ""
        problem = _placeholders_error(subject, self.allowed)
        if problem:
            raise forms.ValidationError(problem)
        return subject

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        problem = _placeholders_error(body, self.allowed)
        if problem:
            raise forms.ValidationError(problem)
        return body
