"""The header's bell: the unread count in one indexed query, only where someone is signed in to a
business (a back-office or portal page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django_scopes import scope

from coachos.clients.selectors import clients_visible_to

from ..notifications import unread_count

register = template.Library()


def bell_context(request: HttpRequest) -> dict[str, Any]:
    organization = getattr(request, "organization", None)
    membership = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if organization is None or membership is None or not getattr(user, "is_authenticated", False):
        return {"show": False}
    ns = "notifications" if membership.is_team else "portal_notifications"
    # Its own scope: error pages (403) render after the request's scope has closed.
    with scope(organization=organization):
        # A coach limited to their own clients counts only entries about those (or about no client).
        clients = clients_visible_to(membership) if membership.own_clients_only else None
        count = unread_count(organization=organization, user=user, clients=clients)
    kwargs = {"org_slug": organization.slug}
    return {"show": True, "count": count, "shown": "99+" if count > 99 else str(count),
            "list_url": reverse(f"{ns}:index", kwargs=kwargs), "bell_url": reverse(f"{ns}:bell", kwargs=kwargs)}


@register.simple_tag(takes_context=True)
def notification_bell(context: template.Context) -> str:
    """Renders the bell (a template: its output is escaped there), or nothing."""
    request = context.get("request")
    if request is None:
        return ""
    return render_to_string("comms/notifications/_bell.html", bell_context(request), request=request)
