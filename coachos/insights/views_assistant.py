"""The assistant panel (/o/<slug>/insights/assistant/) and the insights settings (owner)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import ai_gateway, assistant, services
from .models import AssistantConversation, InsightsSettings, Proposal


class AskForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Ask the assistant"), max_length=assistant.MAX_TEXT,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SettingsForm(forms.ModelForm):
    class Meta:
        model = InsightsSettings
        fields = ["weekly_digest", "assistant_enabled", "assistant_client_names"]


def _conversation(request: HttpRequest) -> AssistantConversation | None:
    raw = request.GET.get("conversation", "")
    if raw.isascii() and raw.isdigit() and len(raw) < 19:
        return get_object_or_404(AssistantConversation.objects.filter(membership=request.membership), pk=int(raw))  # type: ignore[attr-defined]
    return None


def _shown_turns(conversation: AssistantConversation | None) -> list[dict[str, str]]:
    if conversation is None:
        return []
    return [{"role": t["role"], "text": t["text"]} for t in conversation.turns
            if t["role"] in ("user", "assistant") and t.get("text")]


@org_view(Perm.BACKOFFICE)
def panel(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    conversation = _conversation(request)
    form = AskForm()
    unavailable = ""
    try:
        assistant.availability(organization)
    except assistant.AssistantUnavailable as exc:
        unavailable = str(exc)
    if request.method == "POST" and not unavailable:
        form = AskForm(request.POST)
        if form.is_valid():
            try:
                answer = assistant.message_send(membership=request.membership, user=request.user,  # type: ignore[attr-defined]
                                                text=form.cleaned_data["text"], conversation=conversation)
                return redirect(f"{reverse('insights:assistant', args=[org_slug])}?conversation={answer.conversation.pk}")
            except ai_gateway.GatewayError:
                form.add_error(None, _("The language model did not answer. Try again in a moment."))
            except (assistant.AssistantUnavailable, ValueError) as exc:
                form.add_error(None, str(exc))
    proposals = Proposal.objects.filter(conversation=conversation) if conversation else Proposal.objects.none()
    return render(request, "insights/assistant.html", {
        "form": form, "conversation": conversation, "turns": _shown_turns(conversation),
        "proposals": list(proposals.order_by("created_at")), "unavailable": unavailable,
        "can_configure": request.membership.has(Perm.SETTINGS),  # type: ignore[attr-defined]
    })


@require_POST
@org_view(Perm.BACKOFFICE)
def proposal_decide(request: HttpRequest, org_slug: str, proposal_id: int) -> HttpResponse:
    proposal: Proposal = get_object_or_404(Proposal.objects.filter(membership=request.membership),  # type: ignore[attr-defined]
                                           pk=proposal_id)
    accept = request.POST.get("decision") == "accept"
    try:
        decided = assistant.proposal_decide(proposal=proposal, membership=request.membership,  # type: ignore[attr-defined]
                                            user=request.user, accept=accept)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        if decided.status == Proposal.Status.ACCEPTED:
            messages.success(request, _("Done: %(summary)s") % {"summary": decided.summary})
        elif decided.status == Proposal.Status.FAILED:
            messages.error(request, _("Could not be done: %(error)s") % {"error": decided.result.get("error", "")})
        else:
            messages.info(request, _("Rejected. Nothing was changed."))
    return redirect(f"{reverse('insights:assistant', args=[org_slug])}?conversation={proposal.conversation_id}")


@org_view(Perm.SETTINGS)
def settings_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    current = services.settings_for(organization)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.settings_update(organization=organization, actor=request.user,
                                 **{k: bool(form.cleaned_data[k]) for k in SettingsForm.Meta.fields})
        messages.success(request, _("Insights settings saved."))
        return redirect("insights:settings", org_slug)
    context: dict[str, Any] = {"form": form, "model_configured": ai_gateway.configured()}
    return render(request, "insights/settings.html", context)
