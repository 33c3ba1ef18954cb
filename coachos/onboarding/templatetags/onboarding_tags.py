"""Onboarding on other apps' pages: the portal home card and the booking page's waiver notice."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from coachos.onboarding import services
from coachos.onboarding.models import OnboardingSettings

register = template.Library()


@register.inclusion_tag("onboarding/_card.html", takes_context=True)
def onboarding_card(context: dict[str, Any], client: Any) -> dict[str, Any]:
    """"Finish your onboarding (2 of 4 steps)" on the portal home, until every step is done."""
    if client is None or client.user_id is None:
        return {"show": False}
    setting = OnboardingSettings.objects.filter(organization_id=client.organization_id).first()
    if setting is not None and not setting.enabled:
        return {"show": False}
    steps = services.steps_for(client)
    done = sum(1 for s in steps if s.done)
    nxt = next((s for s in steps if not s.done), None)
    return {"show": nxt is not None, "done": done, "total": len(steps), "next": nxt,
            "url": reverse("onboarding_portal:start", kwargs={"org_slug": client.organization.slug})}


@register.inclusion_tag("onboarding/_waiver_notice.html")
def waiver_notice(organization: Any, client: Any = None) -> dict[str, Any]:
    """On the public booking pages: a link to sign the waiver when the business requires one."""
    setting = OnboardingSettings.objects.filter(organization_id=organization.pk).first()
    if setting is None or not setting.require_waiver:
        return {"show": False}
    missing = services.waivers_missing(client) if client is not None else services.waivers_current(organization)
    if not missing:
        return {"show": False}
    return {"show": True, "title": missing[0].template.title, "signed_in": client is not None,
            "url": services.waiver_sign_url(organization)}
