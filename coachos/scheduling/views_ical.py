"""Calendar feeds, public by their secret address (no login: calendar apps cannot log in)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Client
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import ical
from .models import ClientFeed, Coach
from .services.feeds import client_feed_reset


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # The address is a secret: keep it and its contents out of shared caches and search engines.
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def coach_feed(request: HttpRequest, token: str) -> HttpResponse:
    # The token says which business; only then can the business's scope be entered.
    with scopes_disabled():
        coach = (Coach.objects.select_related("organization", "membership__user")
                 .filter(feed_token=token).first())
    if coach is None:
        raise Http404("No such calendar.")
    organization = coach.organization
    with scope(organization=organization), translation.override(organization.locale):
        body = ical.coach_calendar(coach)
    return _ics(body, "sessions.ics")


@require_safe
def client_feed(request: HttpRequest, token: str) -> HttpResponse:
    with scopes_disabled():
        feed = ClientFeed.objects.select_related("organization", "client").filter(token=token).first()
    if feed is None:
        raise Http404("No such calendar.")
    organization = feed.organization
    with scope(organization=organization), translation.override(organization.locale):
        body = ical.client_calendar(feed.client)
    return _ics(body, "bookings.ics")


@require_POST
@org_view(Perm.PORTAL)
def client_feed_reset_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    """A portal client makes their calendar link, or replaces it (the old one stops working)."""
    client = Client.objects.filter(user=request.user).first()
    if client is None:
        raise Http404("No client record.")
    had_one = ClientFeed.objects.filter(client=client).exists()
    client_feed_reset(client=client, actor=request.user)
    if had_one:
        messages.success(request, _("You have a new calendar link. The old one no longer works: "
                                    "subscribe again with the new one."))
    else:
        messages.success(request, _("Your calendar link is ready."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect("portal:home", org_slug=org_slug)
