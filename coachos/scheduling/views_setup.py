"""The coach's schedule setup: weekly hours, time off, extra time, booking settings, session
types, rooms, the calendar feed link, and sessions that no longer fit the weekly hours.

Who may do what: the owner changes any coach's schedule, a coach only their own, the front
desk reads. Session types and rooms: owner and coaches change them, the front desk reads.
Every write is one service call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from coachos.clients.selectors import clients_visible_to
from coachos.common import formats
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm, Role

from . import ical, selectors, services, visibility
from .forms_setup import (
    AdditionForm,
    BlockedForm,
    CoachSettingsForm,
    DayFormSet,
    RoomForm,
    SessionTypeForm,
)
from .models import (
    WEEKDAY_CODES,
    AvailabilityAddition,
    BlockedSlot,
    Booking,
    Coach,
    Room,
    SessionType,
    SkippedOccurrence,
    TrainingSession,
    Weekday,
    WeeklyAvailability,
)
from .services import SchedulingError
from .services.feeds import coach_feed_reset
from .services.recurring import REASONS
from .services.skipped import skipped_occurrence_dismiss

# --- who may see and change what --------------------------------------------------------------


def _coaches(request: HttpRequest) -> QuerySet[Coach]:
    """The coaches whose schedule this member may open: a coach only their own."""
    coaches = selectors.coach_list().select_related("organization")
    if request.membership.role == Role.COACH:
        return coaches.filter(membership=request.membership)
    return coaches


def _default_coach(request: HttpRequest) -> Coach | None:
    membership = request.membership
    own = _coaches(request).filter(membership=membership).first()
    if own is None and membership.role in (Role.OWNER, Role.COACH):
        services.coach_ensure(membership=membership)  # idempotent: owners and coaches can be booked
        own = _coaches(request).filter(membership=membership).first()
    return own or _coaches(request).first()


def _coach(request: HttpRequest, coach_id: int) -> Coach:
    coach = get_object_or_404(selectors.coach_list().select_related("organization"), pk=coach_id)
    if request.membership.role == Role.COACH and coach.membership_id != request.membership.pk:
        raise PermissionDenied(_("You can open only your own schedule."))
    return coach


def _can_edit(request: HttpRequest, coach: Coach | None) -> bool:
    membership = request.membership
    if coach is None:
        return False
    return membership.role == Role.OWNER or (membership.role == Role.COACH and coach.membership_id == membership.pk)


def _editable_coach(request: HttpRequest, coach_id: int) -> Coach:
    coach = _coach(request, coach_id)
    if not _can_edit(request, coach):
        raise PermissionDenied(_("Only the owner or the coach can change this schedule."))
    return coach


def _can_manage_catalog(request: HttpRequest) -> bool:
    return request.membership.role in (Role.OWNER, Role.COACH)


def _conflict_groups(request: HttpRequest) -> list[dict[str, Any]]:
    """Per coach: sessions that no longer fit, and recurring occurrences the daily job skipped (of
    the clients this member may see: ``clients_visible_to``)."""
    groups = []
    now = timezone.now()
    visible = clients_visible_to(request.membership)
    for coach in _coaches(request):
        found = selectors.conflicts_for(coach=coach, now=now)
        skipped = list(SkippedOccurrence.objects.filter(coach=coach, status=SkippedOccurrence.Status.OPEN,
                                                        starts_at__gt=now, client__in=visible)
                       .select_related("client", "recurring_booking__session_type"))
        if found or skipped:
            groups.append({"coach": coach, "sessions": found, "skipped": skipped, "can_edit": _can_edit(request, coach),
                           "count": len(found) + len(skipped)})
    return groups


COACH_TABS = {"overview": "setup:coach", "hours": "setup:hours", "blocked": "setup:blocked",
              "additions": "setup:additions", "settings": "setup:coach_settings"}


def _page(request: HttpRequest, template: str, *, tab: str, coach: Coach | None = None,
          **context: Any) -> HttpResponse:
    if coach is None and tab not in COACH_TABS:
        coach = _default_coach(request)
    pickable = list(_coaches(request)) if request.membership.role != Role.COACH else []
    if "conflict_total" not in context:
        context["conflict_total"] = sum(g["count"] for g in _conflict_groups(request))
    return render(request, template, {
        "tab": tab,
        "tab_url": COACH_TABS.get(tab, ""),
        "coach": coach,
        "coaches": pickable if len(pickable) > 1 and tab in COACH_TABS else [],
        "can_edit": _can_edit(request, coach),
        "can_manage_catalog": _can_manage_catalog(request),
        **context,
    })


# --- how times read ---------------------------------------------------------------------------


def _day(value: datetime, now: datetime) -> str:
    """Tuesday, July 7 (the year only when it is not ``now``'s), as the business's locale writes it."""
    return formats.format_date(value.date(), style="day", today=now.date())


def describe_span(starts_at: datetime, ends_at: datetime, tz: ZoneInfo, now: datetime | None = None) -> str:
    """'Monday, July 6 – Friday, July 10', 'Tuesday, July 7, 9:00 AM–12:00 PM' or
    'Tuesday, July 7, 6:00 PM – Wednesday, July 8, 8:00 AM' (in the business's locale)."""
    now = (now or timezone.now()).astimezone(tz)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if start.time() == time(0) and end.time() == time(0):
        last = end.date() - timedelta(days=1)
        days = (end.date() - start.date()).days
        if days == 1:
            return _("%(day)s, all day") % {"day": _day(start, now)}
        return ngettext("%(first)s – %(last)s (%(n)s day)", "%(first)s – %(last)s (%(n)s days)", days) % {
            "first": _day(start, now), "last": _day(datetime.combine(last, time(0)), now), "n": days}

    def at(value: datetime) -> str:
        return formats.format_time(value, zone=tz)

    if start.date() == end.date():
        return formats.join_date_time(_day(start, now), f"{at(start)}–{at(end)}")
    return f"{formats.join_date_time(_day(start, now), at(start))} – {formats.join_date_time(_day(end, now), at(end))}"


def _spans(items: QuerySet[Any], tz: ZoneInfo) -> list[dict[str, Any]]:
    now = timezone.now()
    return [{"obj": item, "when": describe_span(item.starts_at, item.ends_at, tz, now)} for item in items]


def _week(ranges: list[WeeklyAvailability]) -> list[dict[str, Any]]:
    days = [{"code": WEEKDAY_CODES[d], "label": Weekday(d).label, "ranges": [], "minutes": 0} for d in range(7)]
    for rng in ranges:
        day = days[rng.weekday]
        day["ranges"].append(rng)
        day["minutes"] += (rng.end_time.hour * 60 + rng.end_time.minute) - (rng.start_time.hour * 60
                                                                          + rng.start_time.minute)
    for day in days:
        day["hours"] = _hours(day["minutes"])
    return days


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


def minutes_text(minutes: int) -> str:
    """45 → '45 min', 120 → '2 h', 90 → '1 h 30 min', 2880 → '2 days'."""
    if minutes and minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)s min") % {"m": rest}
    if not rest:
        return _("%(h)s h") % {"h": hours}
    return _("%(h)s h %(m)s min") % {"h": hours, "m": rest}


def _settings_facts(coach: Coach) -> list[tuple[str, str]]:
    def limit(value: int | None) -> str:
        return str(value) if value else _("no limit")

    return [
        (_("Takes bookings"), _("Yes") if coach.active else _("No: clients cannot book online")),
        (_("Session length"), minutes_text(coach.default_session_minutes)),
        (_("Buffers"), _("%(before)s before, %(after)s after") % {
            "before": minutes_text(coach.buffer_before_minutes), "after": minutes_text(coach.buffer_after_minutes)}
         if coach.buffer_before_minutes or coach.buffer_after_minutes else _("none")),
        (_("Start times every"), minutes_text(coach.slot_step_minutes)),
        (_("Minimum notice"), minutes_text(coach.min_notice_minutes)),
        (_("Booking horizon"), ngettext("%(n)s day ahead", "%(n)s days ahead", coach.horizon_days)
         % {"n": coach.horizon_days}),
        (_("Most sessions"), _("%(day)s a day, %(week)s a week") % {"day": limit(coach.max_per_day),
                                                                     "week": limit(coach.max_per_week)}),
        (_("Clients may cancel"), ngettext("up to %(n)s hour before", "up to %(n)s hours before",
                                           coach.cancellation_window_hours) % {"n": coach.cancellation_window_hours}),
        (_("Default room"), coach.default_room.name if coach.default_room else _("none")),
    ]


def price_text(minor: int, currency: str) -> str:
    """$80.00 / 80,00 € / ¥8,000 (common.formats)."""
    return formats.format_money(minor, currency)


def _warn_conflicts(request: HttpRequest, coach: Coach, done: str) -> None:
    count = len(selectors.conflicts_for(coach=coach))
    if count:
        messages.warning(request, done + " " + ngettext(
            "%(n)s upcoming session no longer fits the weekly hours: see Conflicts.",
            "%(n)s upcoming sessions no longer fit the weekly hours: see Conflicts.", count) % {"n": count})
    else:
        messages.success(request, done)


# --- overview ---------------------------------------------------------------------------------


@org_view(Perm.BACKOFFICE)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _overview(request, _default_coach(request))


@org_view(Perm.BACKOFFICE)
def coach_overview(request: HttpRequest, org_slug: str, coach_id: int) -> HttpResponse:
    return _overview(request, _coach(request, coach_id))


def _overview(request: HttpRequest, coach: Coach | None) -> HttpResponse:
    if coach is None:
        return _page(request, "scheduling/setup/index.html", tab="overview")
    tz = request.organization.tzinfo
    now = timezone.now()
    coach = Coach.objects.select_related("membership__user", "organization", "default_room").get(pk=coach.pk)
    ranges = list(WeeklyAvailability.objects.filter(coach=coach).select_related("room"))
    blocked = BlockedSlot.objects.filter(coach=coach, ends_at__gt=now)
    additions = AvailabilityAddition.objects.filter(coach=coach, ends_at__gt=now).select_related("room")
    week = _week(ranges)
    context: dict[str, Any] = {
        "week": week,
        "has_hours": bool(ranges),
        "weekly_hours": _hours(sum(d["minutes"] for d in week)),
        "blocked": _spans(blocked[:5], tz),
        "blocked_more": max(blocked.count() - 5, 0),
        "additions": _spans(additions[:5], tz),
        "additions_more": max(additions.count() - 5, 0),
        "coach_conflicts": len(selectors.conflicts_for(coach=coach)),
        "type_count": SessionType.objects.filter(active=True).count(),
        "is_self": coach.membership_id == request.membership.pk,
        "settings_facts": _settings_facts(coach),
    }
    if _can_edit(request, coach):
        url = ical.public_url(reverse("ical:coach", kwargs={"token": coach.feed_token}))
        context.update(feed_url=url, feed_webcal=ical.webcal_url(url))
    return _page(request, "scheduling/setup/index.html", tab="overview", coach=coach, **context)


@require_POST
@org_view(Perm.BACKOFFICE)
def feed_reset(request: HttpRequest, org_slug: str, coach_id: int) -> HttpResponse:
    coach = _editable_coach(request, coach_id)
    coach_feed_reset(coach=coach, actor=request.user)
    messages.success(request, _("New calendar link made. The old one no longer works: subscribe again with "
                                "the new link in your calendar app."))
    return redirect(reverse("setup:coach", kwargs={"org_slug": org_slug, "coach_id": coach.pk}) + "#calendar-feed")


# --- weekly hours -----------------------------------------------------------------------------


@org_view(Perm.BACKOFFICE)
def hours(request: HttpRequest, org_slug: str, coach_id: int) -> HttpResponse:
    coach = _editable_coach(request, coach_id)
    rooms = list(Room.objects.all())
    initial: dict[int, list[dict[str, Any]]] = {d: [] for d in range(7)}
    for rng in WeeklyAvailability.objects.filter(coach=coach):
        initial[rng.weekday].append({"start_time": rng.start_time, "end_time": rng.end_time,
                                     "for_individual": rng.for_individual, "for_group": rng.for_group,
                                     "room": rng.room_id})
    data = request.POST if request.method == "POST" else None
    days = [
        {"weekday": d, "code": WEEKDAY_CODES[d], "label": Weekday(d).label,
         "formset": DayFormSet(data, initial=initial[d], prefix=WEEKDAY_CODES[d], form_kwargs={"rooms": rooms})}
        for d in range(7)
    ]
    for day in days:
        formset = day["formset"]
        for index, form in enumerate(formset.forms):
            # An untouched empty row: the page script tucks it behind "+ Add a range".
            form.blank = index >= formset.initial_form_count() and (not formset.is_bound or not form.has_changed())
    error = ""
    if request.method == "POST":
        valid = [day["formset"].is_valid() for day in days]  # every day, so every error shows
        if all(valid):
            by_id = {room.pk: room for room in rooms}
            ranges = [{**r, "room": by_id.get(r["room"])} for day in days for r in day["formset"].ranges(day["weekday"])]
            try:
                services.weekly_availability_replace(coach=coach, actor=request.user, ranges=ranges)
            except SchedulingError as exc:
                error = str(exc)
            else:
                _warn_conflicts(request, coach, _("Weekly hours saved."))
                return redirect("setup:coach", org_slug=org_slug, coach_id=coach.pk)
        else:
            error = _("Some ranges need fixing (marked below). Nothing was saved.")
    return _page(request, "scheduling/setup/hours.html", tab="hours", coach=coach, days=days, rooms=rooms,
                 error=error)


# --- time off and extra time ------------------------------------------------------------------


@org_view(Perm.BACKOFFICE)
def blocked(request: HttpRequest, org_slug: str, coach_id: int) -> HttpResponse:
    coach = _coach(request, coach_id)
    tz = request.organization.tzinfo
    form = BlockedForm(request.POST if request.method == "POST" else None, tz=tz)
    if request.method == "POST":
        if not _can_edit(request, coach):
            raise PermissionDenied(_("Only the owner or the coach can change this schedule."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.blocked_slot_create(coach=coach, actor=request.user, starts_at=data["starts_at"],
                                             ends_at=data["ends_at"], reason=data["reason"])
            except SchedulingError as exc:
                form.add_error(None, str(exc))
            else:
                when = describe_span(data["starts_at"], data["ends_at"], tz)
                messages.success(request, _("Time off added: %(when)s. Clients cannot book then.") % {"when": when})
                booked = sum(1 for s in selectors.conflicts_for(coach=coach)
                             if s.starts_at < data["ends_at"] and s.ends_at > data["starts_at"])
                if booked:
                    messages.warning(request, ngettext(
                        "%(n)s booked session is in this time off and now conflicts. It stays booked until you "
                        "keep or cancel it on the Conflicts page.",
                        "%(n)s booked sessions are in this time off and now conflict. They stay booked until you "
                        "keep or cancel them on the Conflicts page.", booked) % {"n": booked})
                return redirect("setup:blocked", org_slug=org_slug, coach_id=coach.pk)
    items = _spans(BlockedSlot.objects.filter(coach=coach, ends_at__gt=timezone.now()), tz)
    in_time_off = sum(1 for s in selectors.conflicts_for(coach=coach)
                      if getattr(s, "conflict_reason", "") == selectors.CONFLICT_TIME_OFF)
    return _page(request, "scheduling/setup/blocked.html", tab="blocked", coach=coach, form=form, items=items,
                 in_time_off=in_time_off)


@require_POST
@org_view(Perm.BACKOFFICE)
def blocked_delete(request: HttpRequest, org_slug: str, blocked_id: int) -> HttpResponse:
    item = get_object_or_404(BlockedSlot, pk=blocked_id)
    coach = _editable_coach(request, item.coach_id)
    services.blocked_slot_delete(blocked=item, actor=request.user)
    messages.success(request, _("Time off removed. Clients can book that time again."))
    return redirect("setup:blocked", org_slug=org_slug, coach_id=coach.pk)


@org_view(Perm.BACKOFFICE)
def additions(request: HttpRequest, org_slug: str, coach_id: int) -> HttpResponse:
    coach = _coach(request, coach_id)
    tz = request.organization.tzinfo
    rooms = list(Room.objects.all())
    form = AdditionForm(request.POST if request.method == "POST" else None, tz=tz, rooms=rooms)
    if request.method == "POST":
        if not _can_edit(request, coach):
            raise PermissionDenied(_("Only the owner or the coach can change this schedule."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.addition_create(
                    coach=coach, actor=request.user, starts_at=data["starts_at"], ends_at=data["ends_at"],
                    reason=data["reason"], room=next((r for r in rooms if r.pk == data["room"]), None),
                    for_individual=data["for_individual"], for_group=data["for_group"],
                )
            except SchedulingError as exc:
                form.add_error(None, str(exc))
            else:
                when = describe_span(data["starts_at"], data["ends_at"], tz)
                messages.success(request, _("Extra time added: %(when)s. Clients can book it.") % {"when": when})
                return redirect("setup:additions", org_slug=org_slug, coach_id=coach.pk)
    items = _spans(AvailabilityAddition.objects.filter(coach=coach, ends_at__gt=timezone.now())
                   .select_related("room"), tz)
    return _page(request, "scheduling/setup/additions.html", tab="additions", coach=coach, form=form,
                 items=items, rooms=rooms)


@require_POST
@org_view(Perm.BACKOFFICE)
def addition_delete(request: HttpRequest, org_slug: str, addition_id: int) -> HttpResponse:
    item = get_object_or_404(AvailabilityAddition, pk=addition_id)
    coach = _editable_coach(request, item.coach_id)
    services.addition_delete(addition=item, actor=request.user)
    _warn_conflicts(request, coach, _("Extra time removed."))
    return redirect("setup:additions", org_slug=org_slug, coach_id=coach.pk)


# --- the coach's booking settings -------------------------------------------------------------


@org_view(Perm.BACKOFFICE)
def coach_settings(request: HttpRequest, org_slug: str, coach_id: int) -> HttpResponse:
    coach = _editable_coach(request, coach_id)
    # The form works on its own copy: a refused change must not show up elsewhere on the page.
    form = CoachSettingsForm(request.POST if request.method == "POST" else None,
                             instance=Coach.objects.get(pk=coach.pk))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.coach_update(coach=coach, actor=request.user, data=data)
        except SchedulingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Booking settings saved."))
            return redirect("setup:coach_settings", org_slug=org_slug, coach_id=coach.pk)
    return _page(request, "scheduling/setup/coach_settings.html", tab="settings", coach=coach, form=form)


# --- session types and rooms ------------------------------------------------------------------


def _require_catalog(request: HttpRequest) -> None:
    if not _can_manage_catalog(request):
        raise PermissionDenied(_("Only the owner and coaches can change session types and rooms."))


@org_view(Perm.BACKOFFICE)
def types(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = SessionTypeForm(request.POST if request.method == "POST" else None,
                           currency=request.organization.currency)
    if request.method == "POST":
        _require_catalog(request)
        if form.is_valid():
            try:
                created = services.session_type_create(organization=request.organization, actor=request.user,
                                                       **form.service_fields(changed_only=False))
            except SchedulingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Session type “%(name)s” added.") % {"name": created.name})
                return redirect("setup:types", org_slug=org_slug)
    items = list(SessionType.objects.all())
    for item in items:
        item.price_text = price_text(item.price_minor, request.organization.currency)  # type: ignore[attr-defined]
    return _page(request, "scheduling/setup/types.html", tab="types", form=form, items=items)


@org_view(Perm.BACKOFFICE)
def type_edit(request: HttpRequest, org_slug: str, type_id: int) -> HttpResponse:
    session_type = get_object_or_404(SessionType, pk=type_id)
    _require_catalog(request)
    form = SessionTypeForm(request.POST if request.method == "POST" else None,
                           instance=SessionType.objects.get(pk=session_type.pk),
                           currency=request.organization.currency)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_type_update(session_type=session_type, actor=request.user,
                                         data=form.service_fields(changed_only=True))
        except SchedulingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Session type saved."))
            return redirect("setup:types", org_slug=org_slug)
    return _page(request, "scheduling/setup/type_edit.html", tab="types", form=form, session_type=session_type)


def _set_type_active(request: HttpRequest, org_slug: str, type_id: int, active: bool) -> HttpResponse:
    session_type = get_object_or_404(SessionType, pk=type_id)
    _require_catalog(request)
    services.session_type_update(session_type=session_type, actor=request.user, data={"active": active})
    if active:
        messages.success(request, _("“%(name)s” is offered again.") % {"name": session_type.name})
    else:
        messages.success(request, _("“%(name)s” is no longer offered. Booked sessions of this type stay booked.")
                         % {"name": session_type.name})
    return redirect("setup:types", org_slug=org_slug)


@require_POST
@org_view(Perm.BACKOFFICE)
def type_deactivate(request: HttpRequest, org_slug: str, type_id: int) -> HttpResponse:
    return _set_type_active(request, org_slug, type_id, False)


@require_POST
@org_view(Perm.BACKOFFICE)
def type_activate(request: HttpRequest, org_slug: str, type_id: int) -> HttpResponse:
    return _set_type_active(request, org_slug, type_id, True)


@org_view(Perm.BACKOFFICE)
def rooms(request: HttpRequest, org_slug: str) -> HttpResponse:
    form = RoomForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require_catalog(request)
        if form.is_valid():
            try:
                room = services.room_create(organization=request.organization, actor=request.user,
                                            name=form.cleaned_data["name"], capacity=form.cleaned_data["capacity"])
            except SchedulingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Room “%(name)s” added.") % {"name": room.name})
                return redirect("setup:rooms", org_slug=org_slug)
    return _page(request, "scheduling/setup/rooms.html", tab="rooms", form=form, items=Room.objects.all())


# --- conflicts --------------------------------------------------------------------------------


@org_view(Perm.BACKOFFICE)
def conflicts(request: HttpRequest, org_slug: str) -> HttpResponse:
    groups = _conflict_groups(request)
    hidden = visibility.hidden_in(request.membership, [s for group in groups for s in group["sessions"]])
    for group in groups:
        group["rows"] = [{"session": s, "clients": _conflict_clients(s, hidden)} for s in group["sessions"]]
        group["skipped_rows"] = [
            {"row": row, "why": str(REASONS.get(row.detail, row.get_reason_display())),
             "book_url": _rebook_url(request, row)}
            for row in group["skipped"]
        ]
    return _page(request, "scheduling/setup/conflicts.html", tab="conflicts", groups=groups,
                 conflict_total=sum(g["count"] for g in groups))


def _conflict_clients(session: TrainingSession, hidden: set[int]) -> list[str]:
    """The booked clients' names; those of clients the member may not see only counted."""
    active = [b for b in session.bookings.all() if b.status in Booking.ACTIVE]
    names = [b.client.full_name for b in active if b.client_id not in hidden]
    others = sum(1 for b in active if b.client_id in hidden)
    if others:
        names.append(ngettext("%(n)d client of another coach", "%(n)d clients of another coach", others)
                     % {"n": others})
    return names


def _rebook_url(request: HttpRequest, row: SkippedOccurrence) -> str:
    """The calendar's booking form, filled in for that client, type and coach at the skipped time."""
    query = urlencode({"client": row.client_id, "session_type": row.recurring_booking.session_type_id,
                       "coach": row.coach_id, "skipped": row.pk,
                       "start": row.starts_at.astimezone(request.organization.tzinfo).strftime("%Y-%m-%dT%H:%M")})
    return f"{reverse('calendar:new', kwargs={'org_slug': request.organization.slug})}?{query}"


@require_POST
@org_view(Perm.BACKOFFICE)
def skipped_dismiss(request: HttpRequest, org_slug: str, skippedoccurrence_id: int) -> HttpResponse:
    row = get_object_or_404(SkippedOccurrence, pk=skippedoccurrence_id)
    _editable_coach(request, row.coach_id)
    try:
        skipped_occurrence_dismiss(skipped=row, actor=request.user)
    except SchedulingError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, _("Dismissed: %(when)s is not booked.") % {
            "when": describe_span(row.starts_at, row.ends_at, request.organization.tzinfo)})
    return redirect("setup:conflicts", org_slug=org_slug)


def _conflict_session(request: HttpRequest, session_id: int) -> tuple[TrainingSession, str]:
    """The session, and why it conflicts ("" when it no longer does); 404 for another business,
    403 for a member who may not change this coach's schedule."""
    session = get_object_or_404(TrainingSession.objects.select_related("coach", "organization"), pk=session_id)
    coach = _editable_coach(request, session.coach_id)
    reason = next((getattr(s, "conflict_reason", "") for s in selectors.conflicts_for(coach=coach)
                   if s.pk == session.pk), "")
    return session, reason


def _when(session: TrainingSession, tz: ZoneInfo) -> str:
    return describe_span(session.starts_at, session.ends_at, tz)


def _resolve_conflict(request: HttpRequest, org_slug: str, session_id: int, *,
                      resolve: Callable[..., object], done: str, done_time_off: str | None = None) -> HttpResponse:
    session, reason = _conflict_session(request, session_id)
    if reason == selectors.CONFLICT_TIME_OFF and done_time_off is not None:
        done = done_time_off
    if not reason:
        messages.info(request, _("That session no longer needs a decision."))
        return redirect("setup:conflicts", org_slug=org_slug)
    if resolve is services.conflict_cancel and visibility.access_for(request.membership, session).locked:
        messages.error(request, visibility.locked_message())  # cancelling would reach another coach's client
        return redirect("setup:conflicts", org_slug=org_slug)
    try:
        resolve(session=session, actor=request.user)
    except SchedulingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done % {"when": _when(session, request.organization.tzinfo)})
    return redirect("setup:conflicts", org_slug=org_slug)


@require_POST
@org_view(Perm.BACKOFFICE)
def conflict_keep(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    return _resolve_conflict(
        request, org_slug, session_id, resolve=services.conflict_keep,
        done=_("Kept %(when)s. It is now covered by extra time, so it stays as booked."),
        done_time_off=_("Kept %(when)s. The time off now stops around it, so it stays as booked."),
    )


@require_POST
@org_view(Perm.BACKOFFICE)
def conflict_cancel(request: HttpRequest, org_slug: str, session_id: int) -> HttpResponse:
    return _resolve_conflict(
        request, org_slug, session_id, resolve=services.conflict_cancel,
        done=_("Cancelled the session of %(when)s."),
    )
