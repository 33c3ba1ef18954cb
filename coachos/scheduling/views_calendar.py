"""The coach's calendar: the page, its JSON events feed, and the session panel's actions.

Every action is one POST that calls one scheduling service. The panel is loaded with htmx into
a dialog; without htmx the same URLs render whole pages and redirect after a change.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from csp.decorators import csp_update
from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coachos.clients.selectors import clients_visible_to
from coachos.common import formats, moments
from coachos.common.problems import problem_response
from coachos.common.text import sentence
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm, Role

from . import day_grid, panel_sections, services, visibility
from .forms_calendar import CancelForm, MoveForm, SessionCreateForm
from .models import Booking, Coach, SessionType, TrainingSession, WeeklyAvailability
from .selectors import calendar_version, coach_list, sessions_in_range, within_hours
from .services.skipped import skipped_occurrence_rebook

# FullCalendar keeps its own stylesheet in an empty <style> element it fills through the CSSOM.
# Allowing exactly the empty element (this is the hash of "") admits no inline CSS at all. Its
# stylesheet declares its icon font as a data: URL, which Chromium loads as soon as it is declared.
CALENDAR_CSP = {"style-src": ["'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"], "font-src": ["data:"]}
MAX_RANGE = timedelta(days=100)
VIEWS = {"day": "timeGridDay", "week": "timeGridWeek", "month": "dayGridMonth", "agenda": "listWeek"}
ID_RE = re.compile(r"[0-9]{1,18}")


# --- helpers ------------------------------------------------------------------------------------

def _when(instant: datetime, tz: ZoneInfo) -> str:
    """Dec 8, 2026, 9:00 AM / 8 Dec 2026, 09:00 — in the business's zone and locale."""
    return formats.format_datetime(instant, zone=tz)


def _text_color(hex_color: str) -> str:
    """Black or white, whichever reads better on the session type's colour (WCAG contrast)."""
    try:
        channels = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    except (ValueError, IndexError):
        return "#ffffff"
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#1b1b1b" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "#ffffff"


def type_colors(session_type: SessionType) -> tuple[str, str]:
    """An event's background and text colour: its session type's. The legend uses this too."""
    return session_type.color, _text_color(session_type.color)


def legend(session_types: Any = None) -> dict[str, Any]:
    """What the legend explains, from the same sources as the events: each session type's colour
    (events are filled with it), the statuses (each drawn in its own way), and the marks."""
    types = SessionType.objects.filter(active=True) if session_types is None else session_types
    return {
        "types": [{"name": t.name, "color": type_colors(t)[0]} for t in types],
        "statuses": [{"css": f"cal-status-{value.replace('_', '-')}", "label": label}
                     for value, label in TrainingSession.Status.choices],
    }


def _sessions() -> Any:
    return TrainingSession.objects.select_related("session_type", "coach__membership__user", "room").prefetch_related(
        Prefetch("bookings", queryset=Booking.objects.select_related("client").order_by("created_at")))


def _event(session: TrainingSession, *, tz: ZoneInfo, url: str, hidden: set[int] | None = None) -> dict[str, Any]:
    """One session as a FullCalendar event. Uses only what ``sessions_in_range`` prefetched.

    ``hidden``: clients the member may not see (``visibility.hidden_in``). A one-to-one session of
    such a client is a busy slot: no name, no link, not draggable; a group session holding one is
    not draggable either (the move would reach that client)."""
    bookings = list(session.bookings.all())
    active = [b for b in bookings if b.status in Booking.ACTIVE]
    access = visibility.session_access(session, hidden or set())
    group = session.capacity > 1
    if access.busy:
        title = _("Busy")
    elif group or not bookings:
        title = session.session_type.name
    else:
        title = (active or bookings)[0].client.full_name
    confirmed = (session.status != TrainingSession.Status.CANCELLED and bool(active) and not access.busy
                 and all(b.client_confirmed_at for b in active))
    color, text_color = type_colors(session.session_type)
    classes = [f"cal-status-{session.status.replace('_', '-')}"]
    if confirmed:
        classes.append("cal-confirmed")
    return {
        "id": str(session.pk),
        "title": title,
        "start": session.starts_at.astimezone(tz).isoformat(timespec="seconds"),
        "end": session.ends_at.astimezone(tz).isoformat(timespec="seconds"),
        "url": "" if access.busy else url,
        "backgroundColor": color,
        "borderColor": color,
        "textColor": text_color,
        "editable": session.status == TrainingSession.Status.SCHEDULED and not access.locked,
        "classNames": classes,
        "extendedProps": {
            "status": session.status,
            "statusLabel": session.get_status_display(),
            "confirmed": confirmed,
            "spots": f"{len(active)}/{session.capacity}" if group else "",
            "sessionType": session.session_type.name,
            "room": session.room.name if session.room else "",
            "coach": session.coach.name,
        },
    }


def _session_url(org_slug: str) -> Any:
    base = reverse("calendar:session", kwargs={"org_slug": org_slug, "session_id": 1})[: -len("1/")]
    return lambda pk: f"{base}{pk}/"


def _range_bound(raw: str | None, tz: ZoneInfo, name: str) -> datetime:
    """FullCalendar sends wall-clock times in the calendar's zone ("2025-06-30T00:00:00");
    an offset or a bare date is accepted too."""
    value = (raw or "").strip()
    if len(value) > 19 and value[19] == " ":  # an unencoded "+01:00" arrives as " 01:00"
        value = value[:19] + "+" + value[20:]
    day = moments.day_from(value)
    parsed = datetime.combine(day, time.min, tzinfo=tz) if day else moments.instant_from_iso(value, default_zone=tz)
    if parsed is None:
        raise ValueError(_("“%(name)s” must be a date and time like 2025-06-30T00:00:00.") % {"name": name})
    return parsed


def _coach_from(raw: str) -> Coach | None:
    if not ID_RE.fullmatch(raw):
        raise ValueError(_("Choose a coach from the list."))
    coach = Coach.objects.filter(pk=int(raw)).first()
    if coach is None:
        raise ValueError(_("Choose a coach from the list."))
    return coach


def _changed(response: HttpResponse, request: HttpRequest) -> HttpResponse:
    if request.htmx:
        response["HX-Trigger"] = json.dumps({"calendar:changed": True})
    return response


def _panel(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The panel alone for htmx (it goes into the dialog); a whole page otherwise."""
    context = {**context, "panel_template": template, "as_page": not request.htmx}
    page = template if request.htmx else "scheduling/calendar/page.html"
    return render(request, page, context, status=status)


def _session_context(request: HttpRequest, session: TrainingSession, **extra: Any) -> dict[str, Any]:
    """The panel: only the bookings of clients the member may see (a group session's count still
    counts every place taken); no changes offered when another coach's client is booked in it."""
    tz = request.organization.tzinfo
    access = visibility.access_for(request.membership, session)
    bookings = list(session.bookings.all())
    active = [b for b in bookings if b.status in Booking.ACTIVE]
    started = session.starts_at <= timezone.now()
    status = session.status
    changeable = not access.locked
    return {
        "session": session,
        "bookings": access.bookings,
        "taken": len(active),
        "is_group": session.capacity > 1,
        "confirmed": bool(active) and all(b.client_confirmed_at for b in active),
        "local_start": session.starts_at.astimezone(tz),
        "local_end": session.ends_at.astimezone(tz),
        "started": started,
        "can_complete": changeable and started and status in (TrainingSession.Status.SCHEDULED,
                                                              TrainingSession.Status.NO_SHOW),
        "can_no_show": changeable and started and status in (TrainingSession.Status.SCHEDULED,
                                                             TrainingSession.Status.COMPLETED),
        "can_change": changeable and status == TrainingSession.Status.SCHEDULED,
        "move_form": extra.pop("move_form", None) or MoveForm(tz=tz, initial={"starts_at": session.starts_at}),
        # The apps above scheduling add their parts (notes: the session's notes): panel_sections.py.
        "panel_sections": panel_sections.sections_for(org_slug=request.organization.slug, session_id=session.pk,
                                                      membership=request.membership),
        **extra,
    }


def _load(request: HttpRequest, session_id: int) -> TrainingSession:
    """The session, unless it is another coach's client's one-to-one (``visibility``): a 404 then."""
    session = get_object_or_404(_sessions(), pk=session_id)
    if visibility.access_for(request.membership, session).busy:
        raise Http404
    return session


def _locked(request: HttpRequest, session: TrainingSession) -> HttpResponse | None:
    """A change refused (403) because the session holds another coach's client: the panel says why."""
    if not visibility.access_for(request.membership, session).locked:
        return None
    return _refused(request, session, visibility.locked_message(), status=403)


def _done(request: HttpRequest, session_id: int, message: str) -> HttpResponse:
    """After a change: the refreshed panel with the message (htmx), or back to the page."""
    if not request.htmx:
        messages.success(request, message)
        return redirect("calendar:session", org_slug=request.organization.slug, session_id=session_id)
    session = _load(request, session_id)
    return _changed(_panel(request, "scheduling/calendar/_session.html",
                           _session_context(request, session, notice=message)), request)


def _refused(request: HttpRequest, session: TrainingSession, message: str, status: int = 422,
             **forms: Any) -> HttpResponse:
    """A change that could not be made: the panel again, the message on top, typed values kept."""
    return _panel(request, "scheduling/calendar/_session.html",
                  _session_context(request, session, error=message, **forms), status=status)


def _form_error(form: Any) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- the page and the feed ----------------------------------------------------------------------

@org_view(Perm.BACKOFFICE)
@require_GET
@csp_update(CALENDAR_CSP)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = request.organization
    coaches = list(coach_list())
    own = next((c for c in coaches if c.membership_id == request.membership.pk), None)
    by_id = {str(c.pk): c for c in coaches}
    if "coach" in request.GET:
        selected = by_id.get(request.GET["coach"])
    else:
        selected = own if request.membership.role == Role.COACH else None
    hours: dict[str, list[dict[str, Any]]] = {}
    for coach_id, weekday, start, end in WeeklyAvailability.objects.values_list(
            "coach_id", "weekday", "start_time", "end_time"):
        hours.setdefault(str(coach_id), []).append(
            {"daysOfWeek": [(weekday + 1) % 7], "startTime": start.strftime("%H:%M"), "endTime": end.strftime("%H:%M")})
    has_types = SessionType.objects.filter(active=True).exists()
    view = VIEWS.get(request.GET.get("view", ""), "")
    initial_date = moments.day_from(request.GET.get("date", ""))
    return render(request, "scheduling/calendar/index.html", {
        "coaches": coaches,
        "selected_coach": selected,
        "show_cancelled": request.GET.get("cancelled", "1") != "0",
        "business_hours": hours,
        "needs_setup": not has_types or not (hours or TrainingSession.objects.exists()),
        "has_coaches": bool(coaches),
        "has_types": has_types,
        "initial_view": view,
        "initial_date": initial_date.isoformat() if initial_date else "",
        "setup_url": f"/o/{organization.slug}/schedule/",
        "legend": legend(),
    })


def _feed_params(request: HttpRequest) -> tuple[datetime, datetime, Coach | None, bool]:
    """start, end, coach and "show cancelled" of the events feed; ValueError with a message for people."""
    tz = request.organization.tzinfo
    start = _range_bound(request.GET.get("start"), tz, "start")
    end = _range_bound(request.GET.get("end"), tz, "end")
    if end <= start:
        raise ValueError(_("“end” must be after “start”."))
    if end - start > MAX_RANGE:
        raise ValueError(_("Ask for at most %(days)s days at a time.") % {"days": MAX_RANGE.days})
    raw_coach = request.GET.get("coach", "").strip()
    coach = _coach_from(raw_coach) if raw_coach else None
    return start, end, coach, request.GET.get("cancelled", "1") != "0"


@org_view(Perm.BACKOFFICE)
@require_GET
def events(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Sessions overlapping [start, end), in a fixed number of queries whatever their number."""
    tz = request.organization.tzinfo
    try:
        start, end, coach, include_cancelled = _feed_params(request)
    except ValueError as exc:
        return problem_response(400, _("The calendar could not load these dates."), str(exc))
    url = _session_url(org_slug)
    sessions = list(sessions_in_range(start=start, end=end, coach=coach, include_cancelled=include_cancelled))
    hidden = visibility.hidden_in(request.membership, sessions)
    response = JsonResponse([_event(s, tz=tz, url=url(s.pk), hidden=hidden) for s in sessions], safe=False)
    response["Cache-Control"] = "no-store"
    return response


@org_view(Perm.BACKOFFICE)
@require_GET
def changes(request: HttpRequest, org_slug: str) -> HttpResponse:
    """A cheap fingerprint of what the events feed would return for the same parameters (one query).

    The page asks every few seconds and reloads its events only when the fingerprint changed, so a
    client's "Y" by text, a booking or a move shows up within seconds without a reload."""
    try:
        start, end, coach, include_cancelled = _feed_params(request)
    except ValueError as exc:
        return problem_response(400, _("The calendar could not load these dates."), str(exc))
    response = JsonResponse({"version": calendar_version(start=start, end=end, coach=coach,
                                                         include_cancelled=include_cancelled)})
    response["Cache-Control"] = "no-store"
    return response


# --- the day, one column per coach ---------------------------------------------------------------

def _day_coaches(request: HttpRequest, coaches: list[Coach], day_sessions: list[TrainingSession]) -> tuple[
        list[Coach], str]:
    """The columns and the picker's value: everyone for the owner and front desk, a coach's own
    column for a coach (who may pick another coach or everyone)."""
    raw = request.GET.get("coach", "").strip()
    by_id = {str(c.pk): c for c in coaches}
    own = next((c for c in coaches if c.membership_id == request.membership.pk), None)
    if raw in by_id:
        return [by_id[raw]], raw
    if raw != "all" and request.membership.role == Role.COACH and own is not None:
        return [own], str(own.pk)
    busy = {s.coach_id for s in day_sessions}
    return [c for c in coaches if c.active or c.pk in busy], "all"


def _session_label(session: TrainingSession, event: dict[str, Any], when: str) -> str:
    props = event["extendedProps"]
    parts = [f"{when} {event['title']}".strip()]
    if props["spots"]:
        parts[0] += f" ({props['spots']})"
    if props["sessionType"] != event["title"]:
        parts.append(props["sessionType"])
    if props["room"]:
        parts.append(props["room"])
    if session.status != TrainingSession.Status.SCHEDULED:
        parts.append(props["statusLabel"])
    if props["confirmed"]:
        parts.append(_("confirmed by every client"))
    return " · ".join(parts)


@org_view(Perm.BACKOFFICE)
@require_GET
def day(request: HttpRequest, org_slug: str) -> HttpResponse:
    """One day with a column per coach, rendered on the server (it reads without JavaScript)."""
    tz = request.organization.tzinfo
    picked = moments.day_from(request.GET.get("date", ""))
    today = timezone.now().astimezone(tz).date()
    the_day = picked or today
    start, end = day_grid.day_bounds(the_day, tz)
    show_cancelled = request.GET.get("cancelled", "1") != "0"
    sessions = list(sessions_in_range(start=start, end=end, include_cancelled=show_cancelled))
    coaches = list(coach_list())
    columns_for, picker = _day_coaches(request, coaches, sessions)
    shown = [s for s in sessions if s.coach_id in {c.pk for c in columns_for}]
    win = day_grid.window([(s.starts_at, s.ends_at) for s in shown], day=the_day, tz=tz)
    url = _session_url(org_slug)
    hidden = visibility.hidden_in(request.membership, shown)
    columns = []
    for coach in columns_for:
        mine = {s.pk: s for s in shown if s.coach_id == coach.pk}
        placed = day_grid.place([(s.pk, s.starts_at, s.ends_at) for s in mine.values()],
                                day=the_day, tz=tz, win=win)
        events = []
        for spot in placed:
            session = mine[spot.key]
            event = _event(session, tz=tz, url=url(session.pk), hidden=hidden)
            begins = formats.format_time(session.starts_at, zone=tz)
            when = f"{begins}–{formats.format_time(session.ends_at, zone=tz)}"
            events.append({"spot": spot, "event": event, "session": session, "time": begins,
                           "label": _session_label(session, event, when),
                           "short": (session.ends_at - session.starts_at) <= timedelta(minutes=30)})
        columns.append({"coach": coach, "events": events})
    types = {s.session_type.pk: s.session_type for s in shown}
    for session_type in SessionType.objects.filter(active=True):
        types.setdefault(session_type.pk, session_type)
    return render(request, "scheduling/calendar/day.html", {
        "day": the_day,
        "is_today": the_day == today,
        "previous_day": (the_day - timedelta(days=1)).isoformat(),
        "next_day": (the_day + timedelta(days=1)).isoformat(),
        "today": today.isoformat(),
        "coaches": coaches,
        "picker": picker,
        "columns": columns,
        "window": win,
        "day_label": formats.format_date(the_day, style="full"),
        "hour_rows": [{"hour": formats.format_time(time(h)), "row": (h - win.first_hour) * day_grid.ROWS_PER_HOUR + 1}
                      for h in win.hours],
        "show_cancelled": show_cancelled,
        "legend": legend(sorted(types.values(), key=lambda t: t.name)),
        "has_types": SessionType.objects.filter(active=True).exists(),
    })


# --- creating a session -------------------------------------------------------------------------

def _default_start(day: date | None, tz: ZoneInfo) -> datetime:
    """The next full hour today; 09:00 on another day picked (the month view, the button)."""
    now = timezone.now().astimezone(tz)
    if day is None or day == now.date():
        upcoming = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        if upcoming.date() == now.date():
            return upcoming
        day = now.date() + timedelta(days=1)
    return datetime.combine(day, time(9), tzinfo=tz)


def _new_initial(request: HttpRequest, tz: ZoneInfo) -> dict[str, Any]:
    raw_start = request.GET.get("start", "").strip()
    start: datetime | None = None
    if raw_start:
        try:
            start = _range_bound(raw_start, tz, "start")
        except ValueError:
            start = None
    if start is None or "T" not in raw_start:
        start = _default_start(start.date() if start else None, tz)
    initial: dict[str, Any] = {"starts_at": start}
    raw_coach = request.GET.get("coach", "")
    coach = Coach.objects.filter(pk=int(raw_coach)).first() if ID_RE.fullmatch(raw_coach) else None
    if coach is None:
        coach = Coach.objects.filter(membership=request.membership).first()
    if coach is not None:
        initial["coach"] = coach.pk
        if coach.default_room_id:
            initial["room"] = coach.default_room_id
    # "Book another time" for an occurrence a recurring booking skipped: its client and type.
    for name in ("client", "session_type", "skipped"):
        raw = request.GET.get(name, "")
        if ID_RE.fullmatch(raw):
            initial[name] = int(raw)
    return initial


@org_view(Perm.BACKOFFICE)
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    tz = request.organization.tzinfo
    clients = clients_visible_to(request.membership)
    if request.method == "GET":
        form = SessionCreateForm(tz=tz, initial=_new_initial(request, tz), clients=clients)
        return _panel(request, "scheduling/calendar/_new.html", {"form": form})
    form = SessionCreateForm(request.POST, tz=tz, clients=clients)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["skipped"] is not None and data["client"] is not None:
                booking = skipped_occurrence_rebook(
                    skipped=data["skipped"], session_type=data["session_type"], starts_at=data["starts_at"],
                    actor=request.user, note=data["note"], room=data["room"])
                session_id = booking.session_id
                message = sentence(_("Booked %(client)s for %(when)s.") % {
                    "client": data["client"].full_name, "when": _when(data["starts_at"], tz)})
            elif data["client"] is not None:
                booking = services.booking_create(
                    coach=data["coach"], session_type=data["session_type"], client=data["client"],
                    starts_at=data["starts_at"], actor=request.user, note=data["note"], mode=services.COACH,
                    room=data["room"])
                session_id = booking.session_id
                message = sentence(_("Booked %(client)s for %(when)s.") % {
                    "client": data["client"].full_name, "when": _when(data["starts_at"], tz)})
            else:
                session = services.session_create(
                    coach=data["coach"], session_type=data["session_type"], starts_at=data["starts_at"],
                    actor=request.user, room=data["room"], notes=data["note"])
                session_id = session.pk
                message = sentence(_("%(type)s added for %(when)s.") % {
                    "type": data["session_type"].name, "when": _when(data["starts_at"], tz)})
        except services.SchedulingError as exc:
            form.add_error(None, str(exc))
        else:
            return _done(request, session_id, message)
    return _panel(request, "scheduling/calendar/_new.html", {"form": form}, status=422)


# --- one session --------------------------------------------------------------------------------

@org_view(Perm.BACKOFFICE)
@require_GET
def session_detail(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    return _panel(request, "scheduling/calendar/_session.html",
                  _session_context(request, _load(request, session_id)))


UNDO_SECONDS = 10


@org_view(Perm.BACKOFFICE)
@require_POST
def session_move(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    """Drag and drop (fetch, JSON) or the panel's form (htmx or a plain form).

    A drag to a time outside the coach's working hours (weekly hours and extra time, minus time
    off) is not moved until the coach confirms (``outside_hours_ok=1``): it gets a 409 with
    ``code: outside_hours`` and the page asks (the panel's form is a deliberate, typed time and
    moves at once, as before). ``notify=0`` moves without
    telling the client (no message is written). The JSON answer carries ``undo``: the old start
    and the same notify choice, which the page offers for ten seconds. Undo is a move back: a
    client who was told hears the time again (it is their original time); one who was not told
    hears nothing."""
    session = _load(request, session_id)
    tz = request.organization.tzinfo
    wants_json = not request.htmx and "application/json" in request.headers.get("Accept", "")
    if visibility.access_for(request.membership, session).locked:
        if wants_json:
            return problem_response(403, _("The session was not moved."), visibility.locked_message())
        return _refused(request, session, visibility.locked_message(), status=403)
    form = MoveForm(request.POST, tz=tz)
    status = 400
    if not form.is_valid():
        error = _form_error(form)
    else:
        starts_at, notify = form.cleaned_data["starts_at"], form.cleaned_data["notify"]
        ends_at = starts_at + (session.ends_at - session.starts_at)
        if (wants_json and request.POST.get("outside_hours_ok") != "1"
                and session.status == TrainingSession.Status.SCHEDULED
                and not within_hours(coach=session.coach, starts_at=starts_at, ends_at=ends_at)):
            detail = sentence(_("%(when)s is outside %(coach)s's working hours.") % {
                "when": _when(starts_at, tz), "coach": session.coach.name})
            return problem_response(409, _("Move outside working hours?"), detail, code="outside_hours")
        old = session.starts_at
        try:
            services.session_move(session=session, starts_at=starts_at, actor=request.user, notify=notify)
        except services.SchedulingError as exc:
            error = str(exc)
            status = 409 if exc.code in services.CONFLICT_CODES else 400
        else:
            message = sentence(_("Moved to %(when)s.") % {"when": _when(starts_at, tz)})
            if not notify:
                message += " " + _("The client was not told.")
            if not wants_json:
                return _done(request, session_id, message)
            moved = _load(request, session_id)
            return JsonResponse({
                "message": message,
                "event": _event(moved, tz=tz, url=_session_url(org_slug)(moved.pk)),
                "undo": {"starts_at": old.astimezone(tz).isoformat(timespec="seconds"), "notify": notify,
                         "seconds": UNDO_SECONDS},
            })
    if wants_json:
        return problem_response(status, _("The session was not moved."), error)
    return _refused(request, session, error, move_form=form)


@org_view(Perm.BACKOFFICE)
@require_POST
def session_complete(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    session = _load(request, session_id)
    if (refused := _locked(request, session)) is not None:
        return refused
    try:
        services.session_complete(session=session, actor=request.user)
    except services.SchedulingError as exc:
        return _refused(request, session, str(exc))
    return _done(request, session_id, _("Marked as completed."))


@org_view(Perm.BACKOFFICE)
@require_POST
def session_no_show(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    session = _load(request, session_id)
    if (refused := _locked(request, session)) is not None:
        return refused
    try:
        services.session_no_show(session=session, actor=request.user)
    except services.SchedulingError as exc:
        return _refused(request, session, str(exc))
    return _done(request, session_id, _("Marked as a no-show."))


@org_view(Perm.BACKOFFICE)
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    """GET asks for confirmation (and an optional reason); POST cancels."""
    session = _load(request, session_id)
    if (refused := _locked(request, session)) is not None:
        return refused
    form = CancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.session_cancel(session=session, actor=request.user, reason=form.cleaned_data["reason"])
            except services.SchedulingError as exc:
                return _refused(request, session, str(exc))
            return _done(request, session_id, _("Session cancelled."))
    context = _session_context(request, session, cancel_form=form)
    return _panel(request, "scheduling/calendar/_cancel.html", context, status=422 if form.errors else 200)
