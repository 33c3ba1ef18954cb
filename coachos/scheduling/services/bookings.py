"""Book, hold, reschedule, cancel, complete, no-show: one service per write.

Every write that can collide locks the coach's row first, so the availability check and the
insert that follows cannot interleave with another booking for the same coach. On PostgreSQL
an exclusion constraint refuses overlapping sessions even if something bypassed this; on
SQLite every transaction takes the write lock at its start (settings).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.common import events
from coachos.tenancy import audit

from .. import external_busy, guards
from .. import slots as engine
from ..models import Booking, Coach, Room, SessionType, SlotHold, TrainingSession, WaitlistEntry
from ..selectors import slot_query
from ..spans import session_overlap
from .errors import SchedulingError

HOLD_MINUTES = 10
WAITLIST_OFFER_HOURS = 12

CLIENT, COACH = "client", "coach"

TAKEN_MESSAGE = _("That time was just taken. Please choose another time.")


def _lock_coach(coach: Coach) -> Coach:
    return Coach.objects.select_for_update().select_related("organization", "membership__user").get(pk=coach.pk)


def _local_day(instant: datetime, coach: Coach) -> Any:
    return instant.astimezone(coach.organization.tzinfo).date()


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None:
        raise SchedulingError(_("The time needs a time zone offset, e.g. 2026-03-10T10:00:00-05:00."))


def _assert_open_for_client(*, coach: Coach, session_type: SessionType, starts_at: datetime,
                            exclude_hold: SlotHold | None = None, exclude_session: TrainingSession | None = None,
                            now: datetime | None = None) -> int | None:
    """The start must be one of the open slots a client would be offered. Returns its room."""
    day = _local_day(starts_at, coach)
    query = slot_query(coach=coach, session_type=session_type, first_day=day, last_day=day, now=now,
                       exclude_hold=exclude_hold, exclude_session=exclude_session)
    for slot in engine.compute_slots(query):
        if slot.start == starts_at:
            return slot.room
    problem, _room = engine.check_start(query, starts_at)
    messages = {
        engine.TAKEN: (TAKEN_MESSAGE, "taken"),
        engine.HELD: (_("Someone is booking that time right now. Please choose another time."), "held"),
        engine.NOTICE: (_("That time is too soon to book online."), "unavailable"),
        engine.HORIZON: (_("That time is too far ahead to book yet."), "unavailable"),
        engine.LIMIT: (_("The coach is fully booked that day or week."), "limit"),
        engine.ROOM_FULL: (_("The room is taken at that time."), "taken"),
    }
    message, code = messages.get(problem or "", (_("That time is not open for booking."), "unavailable"))
    raise SchedulingError(message, code)


def _assert_no_overlap(*, coach: Coach, starts_at: datetime, ends_at: datetime,
                       exclude_session: TrainingSession | None = None) -> None:
    """The coach's own calendar may place a session outside availability, never on another."""
    clash = TrainingSession.objects.filter(session_overlap(starts_at, ends_at), coach=coach,
                                           status__in=TrainingSession.ACTIVE)
    if exclude_session is not None:
        clash = clash.exclude(pk=exclude_session.pk)
    if clash.exists():
        raise SchedulingError(_("The coach already has a session at that time."), "taken")


def _check_room(room: Room | None, starts_at: datetime, ends_at: datetime,
                exclude_session: TrainingSession | None = None) -> None:
    if room is None:
        return
    room = Room.objects.select_for_update().get(pk=room.pk)
    overlapping = TrainingSession.objects.filter(session_overlap(starts_at, ends_at), room=room,
                                                 status__in=TrainingSession.ACTIVE)
    if exclude_session is not None:
        overlapping = overlapping.exclude(pk=exclude_session.pk)
    if overlapping.count() >= room.capacity:
        raise SchedulingError(_("%(room)s is taken at that time.") % {"room": room.name}, "taken")


def _save_session(session: TrainingSession) -> TrainingSession:
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as exc:
        raise SchedulingError(TAKEN_MESSAGE, "taken") from exc
    return session


def _places_left(session: TrainingSession, *, for_client: Client | None, now: datetime) -> int:
    taken = Booking.objects.filter(session=session, status__in=Booking.ACTIVE).count()
    offers = WaitlistEntry.objects.filter(session=session, status=WaitlistEntry.Status.OFFERED,
                                          offer_expires_at__gt=now)
    if for_client is not None:
        offers = offers.exclude(client=for_client)
    return session.capacity - taken - offers.count()


def _add_booking(*, session: TrainingSession, client: Client, note: str, actor: Any) -> Booking:
    if Booking.objects.filter(session=session, client=client, status__in=Booking.ACTIVE).exists():
        raise SchedulingError(_("This client is already booked into that session."), "duplicate")
    booking = Booking.objects.create(organization=session.organization, session=session, client=client,
                                     note=note[:2000])
    WaitlistEntry.objects.filter(session=session, client=client,
                                 status__in=[WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]).update(
        status=WaitlistEntry.Status.BOOKED)
    audit.log(organization=session.organization, actor=actor, action="booking.created", obj=booking,
              data={"session": session.pk, "starts_at": session.starts_at.isoformat()})
    events.emit("booking.created", organization=session.organization, client=client, obj=booking)
    return booking


@transaction.atomic
def booking_create(
    *,
    coach: Coach,
    session_type: SessionType,
    client: Client,
    starts_at: datetime,
    actor: Any,
    note: str = "",
    mode: str = CLIENT,
    hold: SlotHold | None = None,
    room: Room | None = None,
    now: datetime | None = None,
    announce: bool = True,
    pay_with: str = "",
) -> Booking:
    """Book a client at a time. ``mode=client`` (public page, portal, API): only an open slot.
    ``mode=coach`` (the coach's calendar): any time the coach has free. ``announce=False``: the
    caller sends its own message (a reschedule) instead of the booking confirmation.
    ``pay_with`` (``settlement.PAY_WITH``): the client's choice of how to settle it, for a
    session type that may be paid either way; billing settles it on ``booking.announced``."""
    _require_aware(starts_at)
    now = now or timezone.now()
    if session_type.organization_id != coach.organization_id or client.organization_id != coach.organization_id:
        raise SchedulingError(_("Coach, session type and client must belong to the same business."))
    if mode != COACH:  # the coach decides on their own calendar
        guards.check(client)  # e.g. onboarding's waiver gate, registered in its AppConfig.ready
    if not session_type.active:
        raise SchedulingError(_("This session type is no longer offered."))
    if mode == CLIENT and not session_type.bookable_online:
        raise SchedulingError(_("This session type cannot be booked online."), "unavailable")
    if mode == CLIENT:
        external_busy.refresh_if_stale(coach)  # a connected calendar's copy older than a minute is read again
    coach = _lock_coach(coach)
    if not coach.active and mode == CLIENT:
        raise SchedulingError(_("This coach is not taking bookings."), "unavailable")
    if hold is not None:
        hold = SlotHold.objects.select_for_update().filter(pk=hold.pk, expires_at__gt=now).first()
        if hold is None:
            raise SchedulingError(_("Your hold on this time expired. Please choose a time again."), "unavailable")

    if session_type.is_group:
        existing = (
            TrainingSession.objects.select_for_update()
            .filter(coach=coach, session_type=session_type, starts_at=starts_at, status=TrainingSession.Status.SCHEDULED)
            .first()
        )
        if existing is not None:
            if _places_left(existing, for_client=client, now=now) <= 0:
                raise SchedulingError(_("This class is full. You can join the waitlist."), "full")
            booking = _add_booking(session=existing, client=client, note=note, actor=actor)
            if hold is not None:
                hold.delete()
            if announce:
                events.emit("booking.announced", organization=coach.organization, client=client, obj=booking,
                            data={"by": mode, "actor_id": getattr(actor, "pk", None), "pay_with": pay_with})  # comms: confirmation
            return booking

    ends_at = starts_at + timedelta(minutes=session_type.duration_minutes)
    if mode == CLIENT:
        room_id = _assert_open_for_client(coach=coach, session_type=session_type, starts_at=starts_at,
                                          exclude_hold=hold, now=now)
        if room is None and room_id is not None:
            room = Room.objects.get(pk=room_id)
    else:
        _assert_no_overlap(coach=coach, starts_at=starts_at, ends_at=ends_at)
    room = room or coach.default_room
    _check_room(room, starts_at, ends_at)
    session = _save_session(TrainingSession(
        organization=coach.organization, coach=coach, session_type=session_type, room=room, starts_at=starts_at,
        ends_at=ends_at, capacity=session_type.capacity,
    ))
    if hold is not None:
        hold.delete()
    booking = _add_booking(session=session, client=client, note=note, actor=actor)
    if announce:
        events.emit("booking.announced", organization=coach.organization, client=client, obj=booking,
                    data={"by": mode, "actor_id": getattr(actor, "pk", None), "pay_with": pay_with})  # comms: the confirmation
    return booking


@transaction.atomic
def session_create(*, coach: Coach, session_type: SessionType, starts_at: datetime, actor: Any,
                   room: Room | None = None, notes: str = "") -> TrainingSession:
    """An empty session on the coach's calendar (a group class clients then join)."""
    _require_aware(starts_at)
    coach = _lock_coach(coach)
    ends_at = starts_at + timedelta(minutes=session_type.duration_minutes)
    _assert_no_overlap(coach=coach, starts_at=starts_at, ends_at=ends_at)
    room = room or coach.default_room
    _check_room(room, starts_at, ends_at)
    session = _save_session(TrainingSession(
        organization=coach.organization, coach=coach, session_type=session_type, room=room, starts_at=starts_at,
        ends_at=ends_at, capacity=session_type.capacity, notes=notes,
    ))
    audit.log(organization=coach.organization, actor=actor, action="session.created", obj=session)
    if notes.strip():
        events.emit("session.note_added", organization=coach.organization, obj=session)  # notes keeps it as a Note
    return session


@transaction.atomic
def hold_create(*, coach: Coach, session_type: SessionType, starts_at: datetime,
                now: datetime | None = None) -> SlotHold:
    """Hold an open slot for 10 minutes while a client fills in the booking form."""
    _require_aware(starts_at)
    now = now or timezone.now()
    external_busy.refresh_if_stale(coach)
    coach = _lock_coach(coach)
    if session_type.is_group:
        existing = TrainingSession.objects.filter(coach=coach, session_type=session_type, starts_at=starts_at,
                                                  status=TrainingSession.Status.SCHEDULED).first()
        if existing is not None:
            if _places_left(existing, for_client=None, now=now) <= 0:
                raise SchedulingError(_("This class is full. You can join the waitlist."), "full")
            return SlotHold.objects.create(
                organization=coach.organization, coach=coach, session_type=session_type, starts_at=starts_at,
                ends_at=existing.ends_at, expires_at=now + timedelta(minutes=HOLD_MINUTES),
            )
    _assert_open_for_client(coach=coach, session_type=session_type, starts_at=starts_at, now=now)
    return SlotHold.objects.create(
        organization=coach.organization, coach=coach, session_type=session_type, starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=session_type.duration_minutes),
        expires_at=now + timedelta(minutes=HOLD_MINUTES),
    )


def holds_clear_expired(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    deleted, _by_model = SlotHold.objects.filter(expires_at__lte=now).delete()
    return deleted


def _within_window(session: TrainingSession, now: datetime) -> bool:
    """True when it is too late for the client to change the session without it being late."""
    return now > session.starts_at - timedelta(hours=session.coach.cancellation_window_hours)


@transaction.atomic
def booking_cancel(*, booking: Booking, actor: Any, by: str, reason: str = "",
                   now: datetime | None = None) -> Booking:
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().select_related(
        "session__coach__organization", "session__session_type").get(pk=booking.pk)
    session = booking.session
    if booking.status != Booking.Status.CONFIRMED:
        raise SchedulingError(_("This booking is already %(status)s.") % {"status": booking.get_status_display().lower()})
    if session.starts_at <= now:
        raise SchedulingError(_("This session has already started."))
    late = False
    if by == CLIENT and _within_window(session, now):
        if not session.organization.late_cancellation_allowed:
            raise SchedulingError(
                _("Sessions can be cancelled online up to %(h)s hours before they start. Please contact %(org)s.")
                % {"h": session.coach.cancellation_window_hours, "org": session.organization.name}, "too_late")
        late = True
    booking.status = Booking.Status.CANCELLED_BY_CLIENT if by == CLIENT else Booking.Status.CANCELLED_BY_COACH
    booking.late_cancellation = late
    booking.cancelled_at = now
    booking.save(update_fields=["status", "late_cancellation", "cancelled_at", "updated_at"])
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if not session.session_type.is_group and not Booking.objects.filter(session=session,
                                                                         status__in=Booking.ACTIVE).exists():
        session.status = TrainingSession.Status.CANCELLED
        session.cancelled_at = now
        session.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit.log(organization=session.organization, actor=actor, action="booking.cancelled", obj=booking,
              data={"by": by, "late": late, "reason": reason[:500]})
    events.emit("booking.cancelled", organization=session.organization, client=booking.client_id, obj=booking,
                data={"by": by, "late": late})
    if session.session_type.is_group:
        waitlist_offer_next(session=session, now=now)
    return booking


@transaction.atomic
def booking_reschedule(*, booking: Booking, starts_at: datetime, actor: Any, by: str,
                       now: datetime | None = None) -> Booking:
    """Move a booking. Clients may only move to an open slot and outside the cancellation window."""
    _require_aware(starts_at)
    now = now or timezone.now()
    booking = Booking.objects.select_for_update().select_related("session__coach__organization",
                                                                 "session__session_type", "client").get(pk=booking.pk)
    session = booking.session
    if booking.status != Booking.Status.CONFIRMED or session.starts_at <= now:
        raise SchedulingError(_("Only an upcoming, confirmed booking can be moved."))
    if by == CLIENT and _within_window(session, now):
        raise SchedulingError(
            _("Sessions can be moved online up to %(h)s hours before they start. Please contact %(org)s.")
            % {"h": session.coach.cancellation_window_hours, "org": session.organization.name}, "too_late")
    if session.session_type.is_group or session.bookings.exclude(pk=booking.pk).filter(
            status__in=Booking.ACTIVE).exists():
        # Leave the group session and take a place at the new time.
        new_booking = booking_create(coach=session.coach, session_type=session.session_type, client=booking.client,
                                     starts_at=starts_at, actor=actor, note=booking.note, mode=by, now=now,
                                     announce=False)
        booking.status = Booking.Status.CANCELLED_BY_CLIENT if by == CLIENT else Booking.Status.CANCELLED_BY_COACH
        booking.cancelled_at = now
        booking.save(update_fields=["status", "cancelled_at", "updated_at"])
        events.emit("booking.rescheduled", organization=session.organization, client=new_booking.client_id,
                    obj=new_booking, data={"old_starts_at": session.starts_at, "by": by,
                                           "actor_id": getattr(actor, "pk", None)})  # comms: the new time
        waitlist_offer_next(session=session, now=now)
        return new_booking
    _move(session=session, starts_at=starts_at, actor=actor, mode=by, now=now)
    booking.refresh_from_db()
    return booking


def _move(*, session: TrainingSession, starts_at: datetime, actor: Any, mode: str, now: datetime,
          notify: bool = True) -> TrainingSession:
    coach = _lock_coach(session.coach)
    session = TrainingSession.objects.select_for_update().select_related("session_type").get(pk=session.pk)
    duration = session.ends_at - session.starts_at
    ends_at = starts_at + duration
    if mode == CLIENT:
        _assert_open_for_client(coach=coach, session_type=session.session_type, starts_at=starts_at,
                                exclude_session=session, now=now)
    else:
        _assert_no_overlap(coach=coach, starts_at=starts_at, ends_at=ends_at, exclude_session=session)
    _check_room(session.room, starts_at, ends_at, exclude_session=session)
    old = session.starts_at
    session.starts_at, session.ends_at = starts_at, ends_at
    _save_session(session)
    Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED).update(client_confirmed_at=None)
    audit.log(organization=session.organization, actor=actor, action="session.moved", obj=session,
              data={"from": old.isoformat(), "to": starts_at.isoformat(), "notified": notify})
    if old != starts_at:
        # comms: the clients hear (unless the coach chose not to tell them); old reminders retired
        events.emit("session.moved", organization=session.organization, obj=session,
                    data={"old_starts_at": old, "moved_at": now, "notify_client": notify, "by": mode,
                          "actor_id": getattr(actor, "pk", None)})
    return session


@transaction.atomic
def session_move(*, session: TrainingSession, starts_at: datetime, actor: Any,
                 now: datetime | None = None, notify: bool = True) -> TrainingSession:
    """The coach moves a session (drag on the calendar): any free time of the coach.
    ``notify=False``: the clients are not told (no message is written); reminders still follow."""
    _require_aware(starts_at)
    if session.status != TrainingSession.Status.SCHEDULED:
        raise SchedulingError(_("Only a scheduled session can be moved."))
    return _move(session=session, starts_at=starts_at, actor=actor, mode=COACH, now=now or timezone.now(),
                 notify=notify)


@transaction.atomic
def session_cancel(*, session: TrainingSession, actor: Any, reason: str = "",
                   now: datetime | None = None) -> TrainingSession:
    now = now or timezone.now()
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.status != TrainingSession.Status.SCHEDULED:
        raise SchedulingError(_("This session is already %(s)s.") % {"s": session.get_status_display().lower()})
    session.status = TrainingSession.Status.CANCELLED
    session.cancelled_at = now
    session.save(update_fields=["status", "cancelled_at", "updated_at"])
    cancelled = list(Booking.objects.filter(session=session, status=Booking.Status.CONFIRMED))
    Booking.objects.filter(pk__in=[b.pk for b in cancelled]).update(
        status=Booking.Status.CANCELLED_BY_COACH, cancelled_at=now)
    for booking in cancelled:
        events.emit("booking.cancelled", organization=session.organization, client=booking.client_id, obj=booking,
                    data={"by": COACH, "late": False})
    WaitlistEntry.objects.filter(session=session, status__in=[WaitlistEntry.Status.WAITING,
                                                              WaitlistEntry.Status.OFFERED]).update(
        status=WaitlistEntry.Status.EXPIRED)
    audit.log(organization=session.organization, actor=actor, action="session.cancelled", obj=session,
              data={"reason": reason[:500]})
    return session


def _finish(session: TrainingSession, *, actor: Any, status: str, now: datetime | None) -> TrainingSession:
    now = now or timezone.now()
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.status == status:
        return session  # a second click, or a second tab: nothing happens twice
    if session.status not in (TrainingSession.Status.SCHEDULED, TrainingSession.Status.COMPLETED,
                              TrainingSession.Status.NO_SHOW):
        raise SchedulingError(_("A cancelled session cannot be marked."))
    if session.starts_at > now:
        raise SchedulingError(_("A session can be marked only once it has started."))
    session.status = status
    session.completed_at = now if status == TrainingSession.Status.COMPLETED else None
    session.save(update_fields=["status", "completed_at", "updated_at"])
    booking_status = Booking.Status.COMPLETED if status == TrainingSession.Status.COMPLETED else Booking.Status.NO_SHOW
    Booking.objects.filter(session=session, status__in=[Booking.Status.CONFIRMED, Booking.Status.COMPLETED,
                                                        Booking.Status.NO_SHOW]).update(status=booking_status)
    audit.log(organization=session.organization, actor=actor, action=f"session.{status}", obj=session)
    for attendee in Booking.objects.filter(session=session, status=booking_status):
        events.emit(f"booking.{booking_status}", organization=session.organization, client=attendee.client_id,
                    obj=attendee)
    return session


@transaction.atomic
def session_complete(*, session: TrainingSession, actor: Any, now: datetime | None = None) -> TrainingSession:
    return _finish(session, actor=actor, status=TrainingSession.Status.COMPLETED, now=now)


@transaction.atomic
def session_no_show(*, session: TrainingSession, actor: Any, now: datetime | None = None) -> TrainingSession:
    return _finish(session, actor=actor, status=TrainingSession.Status.NO_SHOW, now=now)


@transaction.atomic
def session_note(*, session: TrainingSession, actor: Any, notes: str) -> TrainingSession:
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    session.notes = notes[:5000]
    session.save(update_fields=["notes", "updated_at"])
    audit.log(organization=session.organization, actor=actor, action="session.noted", obj=session)
    return session


@transaction.atomic
def booking_client_confirm(*, booking: Booking, now: datetime | None = None) -> Booking:
    """The client says they are coming (portal button; later, an SMS reply)."""
    booking = Booking.objects.select_for_update().get(pk=booking.pk)
    if booking.status == Booking.Status.CONFIRMED and booking.client_confirmed_at is None:
        booking.client_confirmed_at = now or timezone.now()
        booking.save(update_fields=["client_confirmed_at", "updated_at"])
    return booking


# --- waitlist -------------------------------------------------------------------------------------

@transaction.atomic
def waitlist_join(*, session: TrainingSession, client: Client, actor: Any) -> WaitlistEntry:
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    if session.status != TrainingSession.Status.SCHEDULED:
        raise SchedulingError(_("This session is not open."))
    if Booking.objects.filter(session=session, client=client, status__in=Booking.ACTIVE).exists():
        raise SchedulingError(_("You are already booked into this session."), "duplicate")
    entry, created = WaitlistEntry.objects.get_or_create(
        session=session, client=client, status=WaitlistEntry.Status.WAITING,
        defaults={"organization": session.organization},
    )
    if created:
        audit.log(organization=session.organization, actor=actor, action="waitlist.joined", obj=entry)
    return entry


def waitlist_offer_next(*, session: TrainingSession, now: datetime | None = None) -> WaitlistEntry | None:
    """A place freed up: offer it to the next person waiting (they have it first for 12 hours)."""
    now = now or timezone.now()
    WaitlistEntry.objects.filter(session=session, status=WaitlistEntry.Status.OFFERED,
                                 offer_expires_at__lte=now).update(status=WaitlistEntry.Status.EXPIRED)
    if _places_left(session, for_client=None, now=now) <= 0:
        return None
    entry = (WaitlistEntry.objects.select_for_update()
             .filter(session=session, status=WaitlistEntry.Status.WAITING).order_by("created_at", "id").first())
    if entry is None:
        return None
    entry.status = WaitlistEntry.Status.OFFERED
    entry.offered_at = now
    entry.offer_expires_at = min(now + timedelta(hours=WAITLIST_OFFER_HOURS), session.starts_at)
    entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
    audit.log(organization=session.organization, actor=None, action="waitlist.offered", obj=entry)
    events.emit("waitlist.offered", organization=session.organization, client=entry.client_id,
                obj=entry)  # comms: the offer
    return entry


def waitlist_expire_offers(*, now: datetime | None = None) -> int:
    """Pass expired offers on to the next person (a periodic job)."""
    now = now or timezone.now()
    expired = list(WaitlistEntry.objects.filter(status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now)
                   .select_related("session"))
    for entry in expired:
        with transaction.atomic():
            WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.EXPIRED)
            waitlist_offer_next(session=entry.session, now=now)
    return len(expired)
