"""The public booking pages: /book/<org_slug>/. Anyone may open them.

Flow: business → session type (and coach) → a week of open times in the visitor's zone →
a 10-minute hold on one time → name, email, phone → (unless signed in as a client of the
business) the 6-digit code emailed to them → confirmation with an .ics file. A full class's
waitlist asks for the same code (name, email → code → on the waitlist).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coachos.accounts.forms import timezone_choices
from coachos.clients.models import Client
from coachos.clients.services import client_set_timezone
from coachos.common import formats, ratelimit
from coachos.tenancy.access import public_org_view
from coachos.tenancy.models import Organization

from . import picker, settlement
from .forms_public import DetailsForm, EmailCodeForm, NameEmailForm
from .ics_booking import ics_response
from .models import Booking, Coach, SessionType, SlotHold, TrainingSession, WaitlistEntry
from .services.bookings import hold_create
from .services.errors import SchedulingError
from .services.public import (
    CODE_MINUTES,
    email_code_challenge,
    public_booking_confirm,
    public_email_code_check,
    public_email_code_send,
    public_hold_release,
    public_waitlist_join,
)
from .zone_menu import zone_options_html

TZ_SESSION_KEY = "booking_tz"
HOLD_SESSION_KEY = "booking_hold"
HOLDS_BY_ORG_KEY = "booking_holds"  # {organization id: hold token}: at most one hold per visitor and business
DONE_SESSION_KEY = "booking_done"
DONE_SALT = "coachos.booking.done"
PENDING_SESSION_KEY = "booking_code"  # {hold token: {challenge, email, data}}: details waiting for a code
WAITLIST_PENDING_KEY = "waitlist_code"  # {class id: {challenge, email, data}}: a waitlist form waiting for a code
PENDING_MAX = 3
DETAIL_FIELDS = ("first_name", "last_name", "email", "phone", "note")
WAITLIST_FIELDS = ("first_name", "last_name", "email")


# --- helpers shared with the portal -----------------------------------------------------------------

def viewer_zone(request: HttpRequest, organization: Organization) -> tuple[str, bool]:
    """The zone to show times in, and whether the person chose it. A ``?tz=`` (set by booking.js
    from the browser, or by the zone menu) is remembered for the visit, and on the record of a
    signed-in client; else the zone on their record; else the business's zone."""
    asked = picker.valid_zone(request.GET.get("tz") or request.POST.get("tz"))
    client = client_of(request)
    if asked:
        if request.session.get(TZ_SESSION_KEY) != asked:
            request.session[TZ_SESSION_KEY] = asked
        if client is not None and client.timezone != asked:
            client_set_timezone(client=client, actor=request.user, zone=asked)
        return asked, True
    stored = picker.valid_zone(request.session.get(TZ_SESSION_KEY))
    if stored:
        return stored, True
    remembered = picker.valid_zone(client.timezone) if client is not None else None
    if remembered:
        return remembered, True
    return organization.timezone, False


def zone_context(request: HttpRequest, organization: Organization) -> dict[str, Any]:
    tz_name, chosen = viewer_zone(request, organization)
    return {
        "tz": ZoneInfo(tz_name), "tz_name": tz_name, "tz_chosen": chosen,
        "business_tz": organization.tzinfo, "business_tz_name": organization.timezone,
        "same_zone": tz_name == organization.timezone,
        "tz_label": formats.zone_name(ZoneInfo(tz_name)), "business_tz_label": formats.zone_name(organization.tzinfo),
    }


def week_context(*, request: HttpRequest, coaches: list[Coach], session_type: SessionType, tz: ZoneInfo,
                 base_url: str, params: dict[str, str],
                 exclude_session: TrainingSession | None = None) -> dict[str, Any]:
    """A week of the slot picker with its navigation links (``params`` are kept in each link)."""
    week = picker.week(coaches=coaches, session_type=session_type, tz=tz,
                       first_day=picker.parse_day(request.GET.get("from")), now=timezone.now(),
                       exclude_session=exclude_session)

    def link(day: Any) -> str | None:
        return f"{base_url}?{urlencode({**params, 'from': day.isoformat()})}" if day else None

    first_open_day = week.first_open.start.astimezone(tz).date() if week.first_open else None
    return {
        "week": week, "prev_url": link(week.prev_day), "next_url": link(week.next_day),
        "first_open_url": link(first_open_day), "week_from": week.first_day.isoformat(),
        "zone_params": {k: v for k, v in {**params, "from": week.first_day.isoformat()}.items() if k != "tz"},
        "slot_fields": {**params, "from": week.first_day.isoformat()},
        "timezones": timezone_choices(),
        "zone_options": zone_options_html(tz.key),  # the menu's options, rendered once per zone (zone_menu.py)
    }


def client_of(request: HttpRequest) -> Client | None:
    """The signed-in person's client record in this business (the middleware entered its scope)."""
    if not request.user.is_authenticated:
        return None
    return Client.objects.filter(user=request.user).order_by("pk").first()


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _type_or_404(value: Any) -> SessionType:
    pk = _int(value)
    if pk is None:
        raise Http404("No such session type.")
    return get_object_or_404(picker.bookable_types(), pk=pk)


def _times_url(org_slug: str, *, type_id: int, coach: str = "", day: Any = None, tz: str = "") -> str:
    params = {"type": str(type_id)}
    if coach:
        params["coach"] = coach
    if day:
        params["from"] = day.isoformat()
    if tz:
        params["tz"] = tz
    return f"{reverse('booking:times', kwargs={'org_slug': org_slug})}?{urlencode(params)}"


def _back_to_times(request: HttpRequest, hold: SlotHold, *, tz_name: str = "") -> HttpResponse:
    day = hold.starts_at.astimezone(ZoneInfo(tz_name) if tz_name else hold.organization.tzinfo).date()
    coach = request.session.get("booking_coach_choice", "")
    return redirect(_times_url(hold.organization.slug, type_id=hold.session_type_id, coach=coach, day=day))


def done_token(booking: Booking) -> str:
    return signing.dumps(booking.pk, salt=DONE_SALT)


def _booking_from_token(token: str) -> Booking:
    try:
        pk = signing.loads(token, salt=DONE_SALT)
    except signing.BadSignature:
        raise Http404("No such booking.")
    return get_object_or_404(
        Booking.objects.select_related("session__session_type", "session__coach__membership__user",
                                       "session__organization", "client"),
        pk=pk,
    )


# --- pages ------------------------------------------------------------------------------------------

@public_org_view
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    now = timezone.now()
    return render(request, "scheduling/public/index.html", {
        "types": list(picker.bookable_types()),
        "coaches": list(picker.bookable_coaches(now=now)),
        "client": client_of(request),
    })


@public_org_view
def coach_page(request: HttpRequest, org_slug: str, coach: int) -> HttpResponse:
    found = get_object_or_404(picker.bookable_coaches(now=timezone.now()), pk=coach)
    return render(request, "scheduling/public/coach.html", {
        "coach": found, "types": list(picker.bookable_types()), "client": client_of(request),
    })


@public_org_view
def times(request: HttpRequest, org_slug: str) -> HttpResponse:
    if not request.GET.get("type"):
        return redirect("booking:index", org_slug=org_slug)
    organization = request.organization
    session_type = _type_or_404(request.GET.get("type"))
    coaches = list(picker.bookable_coaches(now=timezone.now()))
    coach_param = request.GET.get("coach", "")
    selected = None
    if coach_param and coach_param != "any":
        selected = next((c for c in coaches if str(c.pk) == coach_param), None)
        if selected is None:
            raise Http404("No such coach.")
    choice = str(selected.pk) if selected else ""
    if request.session.get("booking_coach_choice", "") != choice:  # remembered for "back to times"
        request.session["booking_coach_choice"] = choice
    zone = zone_context(request, organization)
    params = {"type": str(session_type.pk)}
    if selected:
        params["coach"] = str(selected.pk)
    if zone["tz_chosen"]:
        params["tz"] = zone["tz_name"]
    context = {
        **zone, "session_type": session_type, "coaches": coaches, "selected_coach": selected,
        "show_coach": len(coaches) > 1 and (selected is None) and session_type.is_group,
        "client": client_of(request),
        "hold_url": reverse("booking:hold", kwargs={"org_slug": org_slug}),
        "coach_links": [
            {"label": c.name, "url": _times_url(org_slug, type_id=session_type.pk, coach=str(c.pk),
                                                tz=params.get("tz", "")),
             "current": selected is not None and c.pk == selected.pk}
            for c in coaches
        ],
        "any_coach_url": _times_url(org_slug, type_id=session_type.pk, tz=params.get("tz", "")),
    }
    if coaches:
        context.update(week_context(request=request, coaches=[selected] if selected else coaches,
                                    session_type=session_type, tz=zone["tz"],
                                    base_url=reverse("booking:times", kwargs={"org_slug": org_slug}),
                                    params=params))
    return render(request, "scheduling/public/times.html", context)


@public_org_view
@require_POST
def hold(request: HttpRequest, org_slug: str) -> HttpResponse:
    session_type = _type_or_404(request.POST.get("type"))
    tz_name = picker.valid_zone(request.POST.get("tz")) or ""
    coach_choice = request.session.get("booking_coach_choice", "")
    back = _times_url(org_slug, type_id=session_type.pk, coach=coach_choice,
                      day=picker.parse_day(request.POST.get("from")), tz=tz_name)
    decoded = picker.decode_slot(request.POST.get("slot", ""))
    coach = None
    if decoded is not None:
        coach = picker.bookable_coaches(now=timezone.now()).filter(pk=decoded[0]).first()
    if decoded is None or coach is None:
        messages.error(request, _("Please choose one of the times shown."))
        return redirect(back)
    # A burst of holds from one address (or at one business) is refused before anything is released.
    for limit, key in (("hold_ip", ratelimit.client_ip(request)), ("hold_org", f"org:{request.organization.pk}")):
        wait = ratelimit.hit(limit, key)
        if wait is not None:
            return ratelimit.too_many(request, wait)
    # One hold per visitor and business: a new hold releases the one before (also one taken in
    # another tab after a hold at another business).
    held_by_org = request.session.get(HOLDS_BY_ORG_KEY)
    held_by_org = held_by_org if isinstance(held_by_org, dict) else {}
    previous_tokens = {request.session.get(HOLD_SESSION_KEY) or "-", held_by_org.get(str(request.organization.pk)) or "-"}
    for previous in SlotHold.objects.filter(token__in=previous_tokens):
        public_hold_release(hold=previous)
    try:
        new_hold = hold_create(coach=coach, session_type=session_type, starts_at=decoded[1])
    except SchedulingError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    request.session[HOLD_SESSION_KEY] = new_hold.token
    request.session[HOLDS_BY_ORG_KEY] = {**held_by_org, str(request.organization.pk): new_hold.token}
    url = reverse("booking:details", kwargs={"org_slug": org_slug, "token": new_hold.token})
    return redirect(f"{url}?{urlencode({'tz': tz_name})}" if tz_name else url)


def _held(request: HttpRequest, org_slug: str, token: str) -> tuple[SlotHold | None, HttpResponse | None]:
    """The visitor's hold, or where to send them instead (booked already, hold gone or expired)."""
    held = (SlotHold.objects.select_related("session_type", "coach__membership__user", "organization")
            .filter(token=token).first())
    if held is None:
        done = request.session.get(DONE_SESSION_KEY, {})
        if token in done:
            return None, redirect("booking:done", org_slug=org_slug, token=done[token])
        messages.error(request, _("Your hold on this time has ended. Please choose a time again."))
        return None, redirect("booking:index", org_slug=org_slug)
    if held.expires_at <= timezone.now():
        messages.error(request, _("Your hold on this time expired. Please choose a time again."))
        return None, _back_to_times(request, held, tz_name=viewer_zone(request, request.organization)[0])
    return held, None


def _pending(request: HttpRequest, token: str, *, key: str = PENDING_SESSION_KEY) -> dict[str, Any] | None:
    """What the visitor typed for this hold (or, under ``WAITLIST_PENDING_KEY``, this class) while
    they confirm their email (None: nothing yet)."""
    pending = request.session.get(key)
    found = pending.get(token) if isinstance(pending, dict) else None
    return found if isinstance(found, dict) else None


def _pending_set(request: HttpRequest, token: str, value: dict[str, Any] | None, *,
                 key: str = PENDING_SESSION_KEY) -> None:
    pending = request.session.get(key)
    pending = {k: v for k, v in pending.items() if k != token} if isinstance(pending, dict) else {}
    if value is not None:
        pending = {**dict(list(pending.items())[-(PENDING_MAX - 1):]), token: value}  # a few tabs at most
    request.session[key] = pending


def _send_code(request: HttpRequest, form: NameEmailForm, *, pending: dict[str, Any] | None,
               data: dict[str, Any], hold: SlotHold | None = None) -> dict[str, Any] | None:
    """Email a code for what the visitor typed: the new pending entry, or None (the error is on the
    form). The same email again within the minute keeps the code already sent (it still works)."""
    same_email = pending is not None and pending["email"] == data["email"]
    challenge = pending["challenge"] if pending is not None and same_email else email_code_challenge()
    try:
        public_email_code_send(organization=request.organization, email=data["email"], challenge=challenge,
                               ip=_ip(request), hold=hold)
    except SchedulingError as exc:
        if not (exc.code == "code_wait" and same_email):
            form.add_error(None, str(exc))
            return None
    return {"challenge": challenge, "email": data["email"], "data": data}


def _ip(request: HttpRequest) -> str:
    # REMOTE_ADDR as the server saw it; behind a proxy the deployment sets it from X-Forwarded-For.
    return request.META.get("REMOTE_ADDR") or ""


def _with_zone(url: str, zone: dict[str, Any]) -> str:
    return f"{url}?{urlencode({'tz': zone['tz_name']})}" if zone["tz_chosen"] else url


def _hold_context(request: HttpRequest, org_slug: str, token: str, held: SlotHold,
                  zone: dict[str, Any]) -> dict[str, Any]:
    seconds_left = max(int((held.expires_at - timezone.now()).total_seconds()), 0)
    return {
        **zone, "hold": held, "seconds_left": seconds_left, "minutes_left": (seconds_left + 59) // 60,
        "release_url": reverse("booking:release", kwargs={"org_slug": org_slug, "token": token}),
        "times_url": _times_url(org_slug, type_id=held.session_type_id,
                                coach=request.session.get("booking_coach_choice", ""),
                                day=held.starts_at.astimezone(zone["tz"]).date(),
                                tz=zone["tz_name"] if zone["tz_chosen"] else ""),
    }


def _pay_with(request: HttpRequest) -> str:
    value = request.POST.get("pay_with", "")
    return value if value in settlement.PAY_WITH else ""


def _book(request: HttpRequest, org_slug: str, token: str, held: SlotHold, zone: dict[str, Any], *,
          data: dict[str, Any], email: str, user: Any) -> HttpResponse:
    try:
        booking = public_booking_confirm(
            hold=held, first_name=data["first_name"], last_name=data["last_name"], email=email,
            phone=data["phone"], note=data["note"], user=user, pay_with=data.get("pay_with", ""),
        )
    except SchedulingError as exc:
        messages.error(request, str(exc))
        return _back_to_times(request, held, tz_name=zone["tz_name"])
    signed = done_token(booking)
    request.session[DONE_SESSION_KEY] = {**request.session.get(DONE_SESSION_KEY, {}), token: signed}
    request.session.pop(HOLD_SESSION_KEY, None)
    _pending_set(request, token, None)
    payment = settlement.describe(booking)
    if payment.get("status") == "pending" and payment.get("checkout_url"):
        return redirect(payment["checkout_url"])  # paid at the checkout; the webhook confirms it
    return redirect(_with_zone(reverse("booking:done", kwargs={"org_slug": org_slug, "token": signed}), zone))


@public_org_view
def details(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """Name, email, phone. A signed-in client of the business books at once, as themselves; anyone
    else is emailed a code first (whether or not the email is a client's: the page is the same)."""
    held, elsewhere = _held(request, org_slug, token)
    if held is None:
        return elsewhere  # type: ignore[return-value]
    zone = zone_context(request, request.organization)
    client = client_of(request)
    pending = _pending(request, token) if client is None else None
    initial: dict[str, Any] = {}
    if client is not None:
        initial = {"first_name": client.first_name, "last_name": client.last_name, "email": client.email,
                   "phone": client.phone}
    elif pending is not None:
        initial = dict(pending["data"])  # back from the code step: what they typed is still there
    form = DetailsForm(request.POST or None, initial=initial, email_locked=bool(client and client.email))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in DETAIL_FIELDS}
        data["pay_with"] = _pay_with(request)
        if client is not None:
            return _book(request, org_slug, token, held, zone, data=data,
                         email=client.email or data["email"], user=request.user)
        sent = _send_code(request, form, pending=pending, data=data, hold=held)
        if sent is not None:
            _pending_set(request, token, sent)
            return redirect(_with_zone(reverse("booking:code", kwargs={"org_slug": org_slug, "token": token}),
                                       zone))
    return render(request, "scheduling/public/details.html", {
        **_hold_context(request, org_slug, token, held, zone), "form": form, "client": client,
        "settle": settlement.preview(client=client, session_type=held.session_type),
        "pay_with": request.POST.get("pay_with", "") or (pending or {}).get("data", {}).get("pay_with", ""),
    })


def _held_with_code(request: HttpRequest, org_slug: str, token: str) -> tuple[Any, Any, HttpResponse | None]:
    """The held time and the details waiting for their code, or where to send the visitor instead."""
    held, elsewhere = _held(request, org_slug, token)
    if held is None:
        return None, None, elsewhere  # type: ignore[return-value]
    pending = _pending(request, token)
    if pending is None:
        return held, None, redirect("booking:details", org_slug=org_slug, token=token)
    return held, pending, None


def _code_proven(request: HttpRequest, form: EmailCodeForm, pending: dict[str, Any]) -> tuple[bool, bool]:
    """(the posted code is right, a new code is needed); a wrong code is a form error."""
    if request.method != "POST" or not form.is_valid():
        return False, False
    try:
        public_email_code_check(organization=request.organization, email=pending["email"],
                                challenge=pending["challenge"], code=form.cleaned_data["code"])
    except SchedulingError as exc:
        form.add_error("code", str(exc))
        return False, exc.code in ("code_expired", "code_blocked")
    return True, False


@public_org_view
def code(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    """The visitor types the code emailed to them; a right one books the held time."""
    held, pending, elsewhere = _held_with_code(request, org_slug, token)
    if elsewhere is not None:
        return elsewhere
    zone = zone_context(request, request.organization)
    form = EmailCodeForm(request.POST or None)
    proven, need_new = _code_proven(request, form, pending)
    if proven:
        return _book(request, org_slug, token, held, zone, data=pending["data"], email=pending["email"], user=None)
    return render(request, "scheduling/public/code.html", {
        **_hold_context(request, org_slug, token, held, zone), "form": form, "email": pending["email"],
        "need_new": need_new, "code_minutes": CODE_MINUTES,
        "details_url": _with_zone(reverse("booking:details", kwargs={"org_slug": org_slug, "token": token}), zone),
        "resend_url": reverse("booking:code_resend", kwargs={"org_slug": org_slug, "token": token}),
    })


@public_org_view
@require_POST
def code_resend(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    held, pending, elsewhere = _held_with_code(request, org_slug, token)
    if elsewhere is not None:
        return elsewhere
    try:
        public_email_code_send(organization=request.organization, email=pending["email"],
                               challenge=pending["challenge"], ip=_ip(request), hold=held)
    except SchedulingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("We sent a new code. Use the newest one: it replaces the earlier code."))
    zone = zone_context(request, request.organization)
    return redirect(_with_zone(reverse("booking:code", kwargs={"org_slug": org_slug, "token": token}), zone))


@public_org_view
@require_POST
def release(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    held = SlotHold.objects.filter(token=token).first()
    if held is None:
        return redirect("booking:index", org_slug=org_slug)
    tz_name = picker.valid_zone(request.POST.get("tz")) or ""
    public_hold_release(hold=held)
    request.session.pop(HOLD_SESSION_KEY, None)
    return _back_to_times(request, held, tz_name=tz_name)


@public_org_view
def done(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    booking = _booking_from_token(token)
    zone = zone_context(request, request.organization)
    return render(request, "scheduling/public/done.html", {
        **zone, "booking": booking, "session": booking.session, "client": booking.client,
        "payment": settlement.describe(booking),
        "ics_url": reverse("booking:ics", kwargs={"org_slug": org_slug, "token": token}),
        "has_account": booking.client.user_id is not None,
        "again_url": _times_url(org_slug, type_id=booking.session.session_type_id),
    })


@public_org_view
def ics(request: HttpRequest, org_slug: str, token: str) -> HttpResponse:
    return ics_response(_booking_from_token(token))


def _full_class_or_404(request: HttpRequest) -> TrainingSession:
    """The upcoming group class named by ``?session=`` (or the posted field) in this business."""
    pk = _int(request.POST.get("session") or request.GET.get("session"))
    if pk is None:
        raise Http404("No such class.")
    return get_object_or_404(
        TrainingSession.objects.select_related("session_type", "coach__membership__user"),
        pk=pk, status=TrainingSession.Status.SCHEDULED, starts_at__gt=timezone.now(),
        session_type__in=picker.bookable_types(), session_type__capacity__gt=1,
    )


def _waitlist_url(name: str, org_slug: str, session: TrainingSession, zone: dict[str, Any]) -> str:
    params = {"session": str(session.pk), **({"tz": zone["tz_name"]} if zone["tz_chosen"] else {})}
    return f"{reverse(f'booking:{name}', kwargs={'org_slug': org_slug})}?{urlencode(params)}"


def _waitlist_join(session: TrainingSession, *, data: dict[str, Any], email: str, user: Any) -> WaitlistEntry:
    """Raises SchedulingError (already booked into it, no longer open)."""
    return public_waitlist_join(session=session, first_name=data["first_name"], last_name=data["last_name"],
                                email=email, user=user)


@public_org_view
def waitlist(request: HttpRequest, org_slug: str) -> HttpResponse:
    """A full class's waitlist: name and email. A signed-in client of the business joins at once,
    as themselves; anyone else is emailed a code first (the same page whether or not the email is
    a client's)."""
    session = _full_class_or_404(request)
    zone = zone_context(request, request.organization)
    client = client_of(request)
    pending = _pending(request, str(session.pk), key=WAITLIST_PENDING_KEY) if client is None else None
    initial: dict[str, Any] = {}
    if client is not None:
        initial = {"first_name": client.first_name, "last_name": client.last_name, "email": client.email}
    elif pending is not None:
        initial = dict(pending["data"])  # back from the code step: what they typed is still there
    form = NameEmailForm(request.POST or None, initial=initial, email_locked=bool(client and client.email))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in WAITLIST_FIELDS}
        if client is not None:
            try:
                entry = _waitlist_join(session, data=data, email=client.email or data["email"], user=request.user)
            except SchedulingError as exc:
                form.add_error(None, str(exc))
            else:
                return render(request, "scheduling/public/waitlist_done.html", {**zone, "entry": entry,
                                                                                "session": session})
        else:
            sent = _send_code(request, form, pending=pending, data=data)
            if sent is not None:
                _pending_set(request, str(session.pk), sent, key=WAITLIST_PENDING_KEY)
                return redirect(_waitlist_url("waitlist_code", org_slug, session, zone))
    day = session.starts_at.astimezone(zone["tz"]).date()
    return render(request, "scheduling/public/waitlist.html", {
        **zone, "session": session, "form": form, "client": client,
        "back_url": _times_url(org_slug, type_id=session.session_type_id, day=day,
                               tz=zone["tz_name"] if zone["tz_chosen"] else ""),
    })


@public_org_view
def waitlist_code(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The visitor types the code emailed to them; a right one puts them on the waitlist."""
    session = _full_class_or_404(request)
    zone = zone_context(request, request.organization)
    pending = _pending(request, str(session.pk), key=WAITLIST_PENDING_KEY)
    if pending is None:
        return redirect(_waitlist_url("waitlist", org_slug, session, zone))
    form = EmailCodeForm(request.POST or None)
    proven, need_new = _code_proven(request, form, pending)
    if proven:
        _pending_set(request, str(session.pk), None, key=WAITLIST_PENDING_KEY)
        try:
            entry = _waitlist_join(session, data=pending["data"], email=pending["email"], user=None)
        except SchedulingError as exc:
            messages.error(request, str(exc))
            return redirect(_waitlist_url("waitlist", org_slug, session, zone))
        return render(request, "scheduling/public/waitlist_done.html", {**zone, "entry": entry, "session": session})
    return render(request, "scheduling/public/code.html", {
        **zone, "form": form, "email": pending["email"], "need_new": need_new, "code_minutes": CODE_MINUTES,
        "waitlist_session": session,
        "details_url": _waitlist_url("waitlist", org_slug, session, zone),
        "resend_url": _waitlist_url("waitlist_code_resend", org_slug, session, zone),
    })


@public_org_view
@require_POST
def waitlist_code_resend(request: HttpRequest, org_slug: str) -> HttpResponse:
    session = _full_class_or_404(request)
    zone = zone_context(request, request.organization)
    pending = _pending(request, str(session.pk), key=WAITLIST_PENDING_KEY)
    if pending is None:
        return redirect(_waitlist_url("waitlist", org_slug, session, zone))
    try:
        public_email_code_send(organization=request.organization, email=pending["email"],
                               challenge=pending["challenge"], ip=_ip(request))
    except SchedulingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("We sent a new code. Use the newest one: it replaces the earlier code."))
    return redirect(_waitlist_url("waitlist_code", org_slug, session, zone))
