"""``{% booking_link %}``: the business's public booking link with Copy, a QR code and an embed
snippet, for every back-office page where a coach looks for it (dashboard, calendar, schedule)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("includes/booking_link.html", takes_context=True)
def booking_link(context: dict[str, Any], compact: bool = False) -> dict[str, Any]:
    request = context["request"]
    slug = request.organization.slug
    return {
        "organization": request.organization,
        "compact": compact,
        "link": request.build_absolute_uri(reverse("booking:index", kwargs={"org_slug": slug})),
        "embed_url": request.build_absolute_uri(reverse("booking:embed", kwargs={"org_slug": slug})),
        "qr_url": reverse("backoffice:booking_link_qr", kwargs={"org_slug": slug}),
        "shared_url": reverse("backoffice:booking_link_shared", kwargs={"org_slug": slug}),
        "id_prefix": "booking-link-" + ("c" if compact else "f"),
    }
