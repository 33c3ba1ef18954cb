"""Template helpers for payments: amounts, and the arrears banner of the back office."""

from __future__ import annotations

from typing import Any

from django import template

from coachos.common import formats

from ..accounts import arrears_of, billing_account_for

register = template.Library()


@register.filter
def money(minor: int | None, currency: str) -> str:
    """$160.00 / 160,00 € — the shared helper (common.formats), in the business's locale."""
    if minor is None:
        return ""
    return formats.format_money(int(minor), currency)


@register.inclusion_tag("billing/_arrears_banner.html", takes_context=True)
def arrears_banner(context: Any) -> dict[str, Any]:
    request = context.get("request")
    organization = getattr(request, "organization", None)
    membership = getattr(request, "membership", None)
    if organization is None or membership is None or not membership.is_team:
        return {"arrears": None}
    arrears = arrears_of(billing_account_for(organization))
    return {"arrears": arrears if arrears.state != "ok" else None, "organization": organization,
            "is_owner": membership.has("settings")}
