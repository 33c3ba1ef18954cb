"""The Calendars page: a coach connects calendars, sees how each is doing, and disconnects; the owner
chooses the business's video server and which session types are held online."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.scheduling.models import Coach, SessionType, TrainingSession
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import google_sync, selectors, services, video
from .errors import IntegrationError
from .forms import CalDAVForm, ConnectionSettingsForm, VideoForm
from .models import CalendarConnection, OnlineSessionType, VideoSettings


def _may_manage(request: HttpRequest, coach: Coach) -> bool:
    membership = request.membership  # type: ignore[attr-defined]
    return bool(membership.has(Perm.SETTINGS) or coach.membership_id == membership.pk)


def _coach(request: HttpRequest, coach_id: int) -> Coach:
    """A coach whose calendars the member may manage: their own, or any for the owner. Another
    business's coach is a 404 (the scope); a colleague's calendars a 403."""
    coach: Coach = get_object_or_404(Coach.objects.select_related("organization", "membership__user"), pk=coach_id)
    if not _may_manage(request, coach):
        raise PermissionDenied(_("Only the owner or the coach themself can manage a coach's calendars."))
    return coach


def _connection(request: HttpRequest, connection_id: int) -> CalendarConnection:
    connection: CalendarConnection = get_object_or_404(CalendarConnection.objects.select_related("coach"),
                                                       pk=connection_id)
    _coach(request, connection.coach_id)
    return connection


@org_view(Perm.BACKOFFICE)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    membership = request.membership  # type: ignore[attr-defined]
    own = Coach.objects.filter(membership=membership).first()
    if own is not None:
        return redirect("integrations:coach", org_slug=org_slug, coach_id=own.pk)
    if membership.has(Perm.SETTINGS):
        first = Coach.objects.order_by("pk").first()
        if first is not None:
            return redirect("integrations:coach", org_slug=org_slug, coach_id=first.pk)
    return render(request, "integrations/no_coach.html", {"can_settings": membership.has(Perm.SETTINGS)})


@org_view(Perm.BACKOFFICE)
def coach_calendars(request: HttpRequest, org_slug: str, coach_id: int) -> HttpResponse:
    coach = _coach(request, coach_id)
    form = CalDAVForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            connection = services.connection_create_caldav(coach=coach, actor=request.user, url=data["url"],
                                                           username=data["username"], password=data["password"],
                                                           name=data["name"])
        except IntegrationError as exc:
            form.add_error(exc.field or None, str(exc))
        else:
            messages.success(request, _("%(name)s is connected.") % {"name": connection.name})
            return redirect("integrations:coach", org_slug=org_slug, coach_id=coach.pk)
    membership = request.membership  # type: ignore[attr-defined]
    connections = [
        {"obj": c, "stale": selectors.is_stale(c),
         "form": ConnectionSettingsForm(initial={"busy_source": c.busy_source, "write_target": c.write_target},
                                        prefix=f"c{c.pk}")}
        for c in selectors.connections_for(coach=coach)
    ]
    coaches = list(Coach.objects.select_related("membership__user").order_by("pk")) if membership.has(
        Perm.SETTINGS) else []
    return render(request, "integrations/calendars.html", {
        "coach": coach, "connections": connections, "form": form, "coaches": coaches if len(coaches) > 1 else [],
        "google_available": google_sync.configured(), "is_owner": membership.has(Perm.SETTINGS),
    })


@require_POST
@org_view(Perm.BACKOFFICE)
def connection_settings(request: HttpRequest, org_slug: str, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    form = ConnectionSettingsForm(request.POST, prefix=f"c{connection.pk}")
    if form.is_valid():
        services.connection_update(connection=connection, actor=request.user,
                                   busy_source=form.cleaned_data["busy_source"],
                                   write_target=form.cleaned_data["write_target"])
        messages.success(request, _("Calendar settings saved."))
    return redirect("integrations:coach", org_slug=org_slug, coach_id=connection.coach_id)


@require_POST
@org_view(Perm.BACKOFFICE)
def connection_sync(request: HttpRequest, org_slug: str, connection_id: int) -> HttpResponse:
    connection = services.connection_sync(connection=_connection(request, connection_id))
    if connection.status == CalendarConnection.Status.ACTIVE:
        messages.success(request, _("Busy times read again from %(name)s.") % {"name": connection.name})
    else:
        messages.error(request, _("%(name)s could not be read: %(reason)s") % {
            "name": connection.name, "reason": connection.status_detail})
    return redirect("integrations:coach", org_slug=org_slug, coach_id=connection.coach_id)


@require_POST
@org_view(Perm.BACKOFFICE)
def connection_disconnect(request: HttpRequest, org_slug: str, connection_id: int) -> HttpResponse:
    connection = _connection(request, connection_id)
    coach_id, name = connection.coach_id, connection.name
    services.connection_disconnect(connection=connection, actor=request.user)
    messages.success(request, _("%(name)s is disconnected: its password or token is deleted and it no longer "
                                "blocks your slots.") % {"name": name})
    return redirect("integrations:coach", org_slug=org_slug, coach_id=coach_id)


@require_POST
@org_view(Perm.BACKOFFICE)
def google_start(request: HttpRequest, org_slug: str, coach_id: int) -> HttpResponse:
    coach = _coach(request, coach_id)
    if not google_sync.configured():
        raise Http404
    return redirect(google_sync.authorization_url(request, coach=coach))


@org_view(Perm.SETTINGS)
def video_settings(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization  # type: ignore[attr-defined]
    types = list(SessionType.objects.filter(active=True).order_by("name"))
    online = set(OnlineSessionType.objects.filter(online=True).values_list("session_type_id", flat=True))
    current = VideoSettings.objects.filter(organization=organization).first()
    form = VideoForm(request.POST if request.method == "POST" else None,
                     initial={"jitsi_base_url": current.jitsi_base_url if current else video.DEFAULT_JITSI,
                              "online_types": [str(pk) for pk in online]},
                     type_choices=[(t.pk, t.name) for t in types])
    if request.method == "POST" and form.is_valid():
        VideoSettings.objects.update_or_create(organization=organization,
                                               defaults={"jitsi_base_url": form.cleaned_data["jitsi_base_url"]})
        chosen = {int(pk) for pk in form.cleaned_data["online_types"]}
        for session_type in types:
            if (session_type.pk in chosen) != (session_type.pk in online):
                video.session_type_set_online(session_type=session_type, online=session_type.pk in chosen)
        messages.success(request, _("Video settings saved."))
        return redirect("integrations:video", org_slug=org_slug)
    return render(request, "integrations/video.html", {"form": form})


@org_view(Perm.BACKOFFICE)
def session_panel(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    """The calendar's session panel part: the session's meeting link, for the team."""
    session: TrainingSession = get_object_or_404(TrainingSession.objects.select_related("coach"), pk=session_id)
    if not _may_manage(request, session.coach):  # only the session's people: its coach (and the owner)
        raise PermissionDenied(_("Only the session's coach can see its meeting link."))
    link = video.link_for(session) if session.status != TrainingSession.Status.CANCELLED else ""
    return render(request, "integrations/session_panel.html", {"session": session, "link": link})
