"""The client portal's bookings: /portal/<org_slug>/bookings/.

A client sees and changes only their own bookings: every lookup goes through the client
record of the signed-in user, so another client's booking is a 404 like another business's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.clients.models import Client
from coachos.common.text import sentence
from coachos.tenancy.access import org_view
from coachos.tenancy.roles import Perm

from . import picker
from . import slots as engine
from .forms_portal import RecurringRequestForm
from .ics_booking import ics_response
from .models import Booking, RecurringBooking, TrainingSession, WaitlistEntry
from .selectors import bookings_for_client
from .services.bookings import CLIENT, booking_cancel, booking_client_confirm, booking_create, booking_reschedule
from .services.errors import SchedulingError
from .services.recurring import recurring_create
from .templatetags.booking_tags import clock, longday
from .views_public import client_of, week_context, zone_context

RECURRING_SKIPPED_KEY = "recurring_skipped_{}"


def _client_or_404(request: HttpRequest) -> Client:
    client = client_of(request)
    if client is None:
        raise Http404("No client record.")
    return client


def _own_booking(request: HttpRequest, booking_id: int) -> Booking:
    return get_object_or_404(
        Booking.objects.select_related("session__session_type", "session__coach__membership__user",
                                       "session__organization", "client"),
        pk=booking_id, client=_client_or_404(request),
    )


def booking_rules(booking: Booking, now: datetime) -> dict[str, Any]:
    """What the client may do with an upcoming booking (the services enforce the same rules)."""
    session = booking.session
    hours = session.coach.cancellation_window_hours
    inside = now > session.starts_at - timedelta(hours=hours)
    upcoming = booking.status == Booking.Status.CONFIRMED and session.starts_at > now
    late_allowed = session.organization.late_cancellation_allowed
    return {
        "upcoming": upcoming, "hours": hours, "inside_window": inside,
        "can_move": upcoming and not inside,
        "can_cancel": upcoming and (not inside or late_allowed),
        "late": upcoming and inside and late_allowed,
    }


def _index_url(org_slug: str) -> str:
    return reverse("portal_bookings:index", kwargs={"org_slug": org_slug})


@org_view(Perm.PORTAL)
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    zone = zone_context(request, request.organization)
    client = client_of(request)
    if client is None:
        return render(request, "scheduling/portal/index.html", {**zone, "client": None})
    now = timezone.now()
    upcoming = list(bookings_for_client(client=client, upcoming=True).filter(status=Booking.Status.CONFIRMED)
                    .select_related("session__organization"))
    for booking in upcoming:
        booking.rules = booking_rules(booking, now)  # type: ignore[attr-defined]
    history = list(bookings_for_client(client=client).exclude(status=Booking.Status.CONFIRMED,
                                                              session__ends_at__gt=now)
                   .order_by("-session__starts_at")[:30])
    waiting = list(WaitlistEntry.objects.filter(client=client, session__starts_at__gt=now,
                                                status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED])
                   .select_related("session__session_type", "session__coach__membership__user"))
    recurring = list(RecurringBooking.objects.filter(client=client, status=RecurringBooking.Status.ACTIVE)
                     .select_related("session_type", "coach__membership__user"))
    return render(request, "scheduling/portal/index.html", {
        **zone, "client": client, "upcoming": upcoming, "history": history, "waiting": waiting,
        "recurring": recurring,
    })


@org_view(Perm.PORTAL)
@require_POST
def confirm(request: HttpRequest, org_slug: str, booking_id: int) -> HttpResponse:
    booking = _own_booking(request, booking_id)
    if not booking_rules(booking, timezone.now())["upcoming"]:
        messages.error(request, _("Only an upcoming booking can be confirmed."))
    else:
        booking_client_confirm(booking=booking)
        messages.success(request, _("Thanks, %(coach)s knows you're coming.") % {"coach": booking.session.coach.name})
    return redirect(_index_url(org_slug))


@org_view(Perm.PORTAL)
def cancel(request: HttpRequest, org_slug: str, booking_id: int) -> HttpResponse:
    booking = _own_booking(request, booking_id)
    if request.method == "POST":
        try:
            cancelled = booking_cancel(booking=booking, actor=request.user, by=CLIENT,
                                       reason=request.POST.get("reason", "")[:500])
        except SchedulingError as exc:
            messages.error(request, str(exc))
        else:
            if cancelled.late_cancellation:
                messages.warning(request, _("Your booking is cancelled. It was a late cancellation."))
            else:
                messages.success(request, _("Your booking is cancelled."))
        return redirect(_index_url(org_slug))
    rules = booking_rules(booking, timezone.now())
    if not rules["upcoming"]:
        messages.error(request, _("Only an upcoming booking can be cancelled."))
        return redirect(_index_url(org_slug))
    return render(request, "scheduling/portal/cancel.html", {
        **zone_context(request, request.organization), "booking": booking, "session": booking.session,
        "rules": rules,
    })


@org_view(Perm.PORTAL)
def reschedule(request: HttpRequest, org_slug: str, booking_id: int) -> HttpResponse:
    booking = _own_booking(request, booking_id)
    session = booking.session
    here = reverse("portal_bookings:reschedule", kwargs={"org_slug": org_slug, "booking_id": booking.pk})
    if request.method == "POST":
        decoded = picker.decode_slot(request.POST.get("slot", ""))
        back = f"{here}?{urlencode({'from': request.POST.get('from', '')})}"
        if decoded is None or decoded[0] != session.coach_id:
            messages.error(request, _("Please choose one of the times shown."))
            return redirect(back)
        try:
            moved = booking_reschedule(booking=booking, starts_at=decoded[1], actor=request.user, by=CLIENT)
        except SchedulingError as exc:
            messages.error(request, str(exc))
            return redirect(back)
        tz = request.organization.tzinfo
        messages.success(request, sentence(_("Moved to %(day)s at %(time)s.") % {
            "day": longday(moved.session.starts_at, tz), "time": clock(moved.session.starts_at, tz)}))
        return redirect(_index_url(org_slug))

    rules = booking_rules(booking, timezone.now())
    if not rules["upcoming"]:
        messages.error(request, _("Only an upcoming booking can be moved."))
        return redirect(_index_url(org_slug))
    zone = zone_context(request, request.organization)
    context: dict[str, Any] = {**zone, "booking": booking, "session": session, "rules": rules, "hold_url": here,
                               "show_coach": False}
    if rules["can_move"]:
        params = {"tz": zone["tz_name"]} if zone["tz_chosen"] else {}
        context.update(week_context(request=request, coaches=[session.coach], session_type=session.session_type,
                                    tz=zone["tz"], base_url=here, params=params, exclude_session=session))
    return render(request, "scheduling/portal/reschedule.html", context)


@org_view(Perm.PORTAL)
def ics(request: HttpRequest, org_slug: str, booking_id: int) -> HttpResponse:
    return ics_response(_own_booking(request, booking_id))


@org_view(Perm.PORTAL)
@require_POST
def take_offer(request: HttpRequest, org_slug: str, waitlist_id: int) -> HttpResponse:
    """A place opened up in a full class and was offered to this client: book it."""
    entry = get_object_or_404(
        WaitlistEntry.objects.select_related("session__session_type", "session__coach"),
        pk=waitlist_id, client=_client_or_404(request), status=WaitlistEntry.Status.OFFERED,
    )
    session = entry.session
    try:
        booking_create(coach=session.coach, session_type=session.session_type, client=entry.client,
                       starts_at=session.starts_at, actor=request.user, mode=CLIENT)
    except SchedulingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("You're booked into the class."))
    return redirect(_index_url(org_slug))


class _NothingBooked(Exception):
    def __init__(self, skipped: list[dict[str, str]]) -> None:
        self.skipped = skipped


@org_view(Perm.PORTAL)
def recurring(request: HttpRequest, org_slug: str) -> HttpResponse:
    client = _client_or_404(request)
    organization = request.organization
    now = timezone.now()
    types = picker.bookable_types().filter(capacity=1)
    coaches = picker.bookable_coaches(now=now)
    form = RecurringRequestForm(request.POST or None, types=types, coaches=coaches,
                                today=now.astimezone(organization.tzinfo).date(), zone_name=organization.timezone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        coach = data["coach"]
        first = data["start_date"] + timedelta(days=(data["weekday"] - data["start_date"].weekday()) % 7)
        first_start = engine.local_to_utc(first, data["start_time"], organization.tzinfo)
        if data["end_date"] and first > data["end_date"]:
            form.add_error("end_date", _("There is no such day between those dates."))
        elif first_start < now + timedelta(minutes=coach.min_notice_minutes):
            form.add_error("start_date", _("The first session would be too soon to book online. "
                                           "Start from a later date."))
        else:
            try:
                with transaction.atomic():
                    rb, result = recurring_create(
                        coach=coach, client=client, session_type=data["session_type"], weekday=data["weekday"],
                        start_time=data["start_time"], start_date=data["start_date"], end_date=data["end_date"],
                        every_weeks=data["every_weeks"], actor=request.user, now=now,
                    )
                    if result.skipped and not result.created:
                        raise _NothingBooked(result.skipped)  # undo: a request that books nothing changes nothing
            except SchedulingError as exc:
                form.add_error(None, str(exc))
            except _NothingBooked as nothing:
                reasons = sorted({s["message"] for s in nothing.skipped})
                form.add_error(None, _("None of those dates can be booked: %(why)s. Try another day or time.")
                               % {"why": "; ".join(reasons)})
            else:
                request.session[RECURRING_SKIPPED_KEY.format(rb.pk)] = result.skipped
                return redirect("portal_bookings:recurring_result", org_slug=org_slug, recurring_id=rb.pk)
    return render(request, "scheduling/portal/recurring.html", {
        "form": form, "client": client, "available": types.exists() and coaches.exists(),
    })


@org_view(Perm.PORTAL)
def recurring_result(request: HttpRequest, org_slug: str, recurring_id: int) -> HttpResponse:
    client = _client_or_404(request)
    rb = get_object_or_404(RecurringBooking.objects.select_related("session_type", "coach__membership__user"),
                           pk=recurring_id, client=client)
    sessions = list(TrainingSession.objects.filter(recurring_booking=rb, bookings__client=client)
                    .order_by("starts_at").distinct())
    skipped = [
        {**s, "at": datetime.fromisoformat(s["starts_at"])}
        for s in request.session.get(RECURRING_SKIPPED_KEY.format(rb.pk), [])
    ]
    return render(request, "scheduling/portal/recurring_result.html", {
        "rb": rb, "sessions": sessions, "skipped": skipped, "client": client,
    })
