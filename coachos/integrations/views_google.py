"""Google's two callbacks, outside any business's URL: the OAuth redirect (checked against the session
that started it, and the member's role in that business) and push notifications (checked by the
channel's secret token)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_scopes import scope

from coachos.scheduling.models import Coach
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Perm

from . import google_sync
from .errors import IntegrationError

logger = logging.getLogger(__name__)


@require_GET
@login_required
def oauth_callback(request: HttpRequest) -> HttpResponse:
    saved = google_sync.pending(request, request.GET.get("state", ""))
    if saved is None:
        raise Http404
    request.session.pop(google_sync.SESSION_KEY, None)
    organization = Organization.objects.filter(pk=saved["org"]).first()
    if organization is None:
        raise Http404
    with scope(organization=organization):
        membership = Membership.objects.filter(organization=organization, user_id=int(request.user.pk or 0)).first()
        if membership is None or not membership.has(Perm.BACKOFFICE):
            raise Http404
        coach = Coach.objects.filter(pk=saved["coach"]).first()
        if coach is None or not (membership.has(Perm.SETTINGS) or coach.membership_id == membership.pk):
            raise Http404
        if request.GET.get("error") or not request.GET.get("code"):
            messages.error(request, _("Google Calendar was not connected: access was not granted."))
        else:
            try:
                connection = google_sync.connect(coach=coach, actor=request.user, code=request.GET["code"],
                                                 state=saved["state"], verifier=saved.get("verifier", ""))
            except IntegrationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("%(name)s is connected.") % {"name": connection.name})
    return redirect("integrations:coach", org_slug=organization.slug, coach_id=coach.pk)


@csrf_exempt
@require_POST
def notification(request: HttpRequest) -> HttpResponse:
    """Google says a watched calendar changed: read its changes (sync token) now."""
    connection = google_sync.notification_connection(channel_id=request.headers.get("X-Goog-Channel-ID", ""),
                                                     token=request.headers.get("X-Goog-Channel-Token", ""))
    if connection is None:
        return HttpResponse(status=404)
    state = request.headers.get("X-Goog-Resource-State", "")
    if state != "sync":  # "sync" only confirms a new channel
        from . import services

        with scope(organization=connection.organization):
            services.connection_sync(connection=connection)
    return HttpResponse(status=200)
