"""What the calendar-link panels need (scheduling/setup/_client_feed.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from coachos.clients.models import Client

from .. import ical
from ..models import ClientFeed

register = template.Library()


@register.simple_tag(takes_context=True)
def client_feed_info(context: template.Context) -> dict[str, Any] | None:
    """The signed-in client's feed link in this business (None when they have no client record).

    Reads only: the link is made by a POST to ``ical:client_reset``.
    """
    request = context.get("request")
    organization = getattr(request, "organization", None)
    user = getattr(request, "user", None)
    if organization is None or not getattr(user, "is_authenticated", False):
        return None
    client = context.get("client")
    if not isinstance(client, Client) or client.user_id != user.pk:
        client = Client.objects.filter(user=user).first()
    if client is None:
        return None
    feed = ClientFeed.objects.filter(client=client).first()
    info: dict[str, Any] = {
        "reset_url": reverse("ical:client_reset", kwargs={"org_slug": organization.slug}),
        "url": "",
        "webcal": "",
        "next": request.get_full_path() if request is not None else "",
    }
    if feed is not None:
        info["url"] = ical.public_url(reverse("ical:client", kwargs={"token": feed.token}))
        info["webcal"] = ical.webcal_url(info["url"])
    return info
