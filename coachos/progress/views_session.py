"""The calendar's session panel gets a "Measurements" part (``scheduling.panel_sections``, registered in
``ProgressConfig.ready``): log a weight or any measurement for a client of the session, right there. The
session is looked up as the calendar shows it to this member (``scheduling.visibility``): another coach's
one-to-one session with a client they may not see is a 404, and only the clients they may see are offered."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from coachos.clients.models import Client
from coachos.common.formats import format_number
from coachos.scheduling import visibility
from coachos.scheduling.models import Booking, TrainingSession
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import services
from .errors import ProgressError
from .forms import SessionMeasurementForm
from .pages import Reader, form_error, local_instant, team_reader


def _session_clients(request: HttpRequest, session_id: int) -> tuple[TrainingSession, list[Client]]:
    session: TrainingSession = get_object_or_404(TrainingSession.objects.prefetch_related("bookings__client"),
                                                 pk=session_id)
    access = visibility.access_for(request.membership, session)  # type: ignore[attr-defined]
    if access.busy:
        raise Http404("No such session.")
    active = [b for b in access.bookings if b.status in Booking.ACTIVE] or access.bookings
    clients: dict[int, Client] = {}
    for booking in active:
        clients.setdefault(booking.client_id, booking.client)
    return session, list(clients.values())


def _form(reader: Reader, clients: list[Client], data: Any = None, **initial: Any) -> SessionMeasurementForm:
    return SessionMeasurementForm(data, clients=[(c.pk, c.full_name) for c in clients], kinds=reader.kinds,
                                  system=reader.system, zone=reader.zone, today=reader.local_today,
                                  initial=initial or None)


@require_http_methods(["GET", "POST"])
@org_view(Perm.BACKOFFICE)
def session_panel(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    session, clients = _session_clients(request, session_id)
    back = reverse("calendar:session", kwargs={"org_slug": org_slug, "session_id": session.pk})
    htmx = getattr(request, "htmx", False)
    if not clients:
        return render(request, "progress/_session_panel.html", {"session": session, "clients": []})
    if not htmx and request.method == "GET":  # without script: the client's own progress page
        return redirect(reverse("progress:page", kwargs={"org_slug": org_slug, "client_id": clients[0].pk})
                        + "#progress-measurements")
    # The form reads kinds and units as the first client's; a value typed without a unit is read in the
    # chosen client's own (the service).
    reader = team_reader(request, clients[0])
    form = _form(reader, clients, request.POST if request.method == "POST" else None)
    notice = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client = next(c for c in clients if c.pk == data["client"])
        try:
            measurement = services.measurement_record(
                client=client, actor=request.user, kind=data["kind"], value=data["value"], unit=data["unit"],
                measured_at=local_instant(data["measured_on"], data.get("measured_time"), zone=reader.zone),
                note=data["note"])
        except ProgressError as exc:
            form_error(form, exc, form.SERVICE_FIELDS)
        else:
            kind = reader.kind(measurement.kind)
            notice = _("%(kind)s saved for %(name)s: %(value)s %(unit)s.") % {
                "kind": kind.name if kind else measurement.kind, "name": client.full_name,
                "value": format_number(measurement.entered_value), "unit": measurement.entered_unit}
            form = _form(reader, clients, client=client.pk, kind=data["kind"], unit=data["unit"])
    if request.method == "POST" and not htmx:
        if notice:
            messages.success(request, notice)
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    links = [{"name": c.full_name, "url": reverse("progress:page", kwargs={"org_slug": org_slug, "client_id": c.pk})}
             for c in clients]
    with timezone.override(reader.zone):
        return render(request, "progress/_session_panel.html", {
            "session": session, "clients": clients, "form": form, "notice": notice, "links": links,
            "post_url": reverse("progress:session_panel", kwargs={"org_slug": org_slug, "session_id": session.pk}),
        })  # a refusal too is a 200: htmx swaps it in, with the errors on their fields
