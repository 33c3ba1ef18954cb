"""The wording of the messages clients get: /o/<org_slug>/messages/templates/.

Everyone in the back office may read it (the front desk explains a text a client got); changing
it is a business setting (Perm.SETTINGS, the owner). The preview is rendered here, on the server,
with sample data in the business's time zone — the zone every real message uses.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import catalog, compose, outbox, segments, selectors
from .forms import TemplateForm
from .models import Channel, MessageTemplate
from .views import shell


def _spec(kind: str, channel: str) -> catalog.Kind:
    spec = selectors.editable_kind(kind)
    if spec is None or channel not in selectors.channels_of(spec):
        raise Http404("No such message.")
    return spec


def _can_edit(request: HttpRequest) -> bool:
    return bool(request.membership.has(Perm.SETTINGS))  # type: ignore[attr-defined]


def _preview_context(request: HttpRequest, channel: str, subject: str, body: str) -> dict[str, Any]:
    rendered = selectors.preview(request.organization, subject=subject, body=body)  # type: ignore[attr-defined]
    return {"preview": rendered, "channel": channel,
            "length": segments.measure(rendered["body"]) if channel == Channel.SMS else None}


@org_view(Perm.BACKOFFICE)
def template_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    return render(request, "comms/templates.html", shell(
        request,
        tab="templates", rows=selectors.template_rows(request.organization),  # type: ignore[attr-defined]
        can_edit=_can_edit(request),
    ))


@org_view(Perm.BACKOFFICE)
def template_edit(request: HttpRequest, org_slug: str, kind: str, channel: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    spec = _spec(kind, channel)
    can_edit = _can_edit(request)
    wording = outbox.template_for(organization, spec, channel)
    subject, body, enabled = str(wording[0]), str(wording[1]), wording[2]  # the default, in the reader's language
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Only the owner changes what messages say."))
        form = TemplateForm(request.POST, spec=spec, channel=channel)
        if form.is_valid():
            data = form.cleaned_data
            try:
                compose.message_template_save(organization=organization, actor=request.user, kind=kind,
                                              channel=channel, body=data["body"], subject=data.get("subject", ""),
                                              enabled=data.get("enabled", True))
            except compose.CommsError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("“%(name)s” (%(channel)s) saved. Messages from now on use it.") % {
                    "name": spec.label, "channel": Channel(channel).label})
                return redirect("comms:template", org_slug=org_slug, kind=kind, channel=channel)
        subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
    else:
        form = TemplateForm(initial={"subject": subject, "body": body, "enabled": enabled}, spec=spec, channel=channel)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    default_body = str(spec.sms if channel == Channel.SMS else spec.email)
    return render(request, "comms/template_edit.html", shell(
        request,
        tab="templates", form=form, spec=spec, channel_label=Channel(channel).label,
        can_edit=can_edit, custom=MessageTemplate.objects.filter(kind=kind, channel=channel).exists(),
        variables=[(name, catalog.VARIABLES[name]) for name in form.allowed],
        default_subject=str(spec.subject) if channel == Channel.EMAIL else "", default_body=default_body,
        raw_length=segments.measure(body) if channel == Channel.SMS else None,
        **_preview_context(request, channel, subject, body),
    ))


@require_POST
@org_view(Perm.BACKOFFICE)
def template_preview(request: HttpRequest, org_slug: str, kind: str, channel: str) -> HttpResponse:
    """The htmx preview: the text being typed, rendered with sample data (nothing is saved)."""
    _spec(kind, channel)
    subject = request.POST.get("subject", "")[:200]
    body = request.POST.get("body", "")[:compose.EMAIL_MAX]
    return render(request, "comms/_template_preview.html", {
        **_preview_context(request, channel, subject, body),
        "unknown": catalog.unknown_variables(subject + " " + body),
    })


@require_POST
@org_view(Perm.SETTINGS)
def template_reset(request: HttpRequest, org_slug: str, kind: str, channel: str) -> HttpResponse:
    spec = _spec(kind, channel)
    if compose.message_template_reset(organization=request.organization,  # type: ignore[attr-defined]
                                      actor=request.user, kind=kind, channel=channel):
        messages.success(request, _("“%(name)s” (%(channel)s) is back to the default wording.") % {
            "name": spec.label, "channel": Channel(channel).label})
    return redirect("comms:template", org_slug=org_slug, kind=kind, channel=channel)
