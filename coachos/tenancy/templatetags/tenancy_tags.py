from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("tenancy/_verification_banner.html", takes_context=True)
def verification_banner(context: Any) -> dict[str, Any]:
    """Back office: the business waits for its owner's email confirmation (coachos/tenancy/verification.py)."""
    request = context.get("request")
    organization = getattr(request, "organization", None)
    membership = getattr(request, "membership", None)
    if organization is None or membership is None or organization.owner_verified or not membership.is_team:
        return {"show": False}
    return {"show": True, "is_owner": membership.has("settings"), "email": getattr(request.user, "email", ""),
            "request": request}
