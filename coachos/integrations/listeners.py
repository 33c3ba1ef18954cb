"""Booking events (``common.events``) that queue a session for the coach's calendar."""

from __future__ import annotations

import logging

from django.db import transaction

from coachos.common import events
from coachos.scheduling.models import Booking, TrainingSession

from .models import CalendarConnection, RemoteEvent
from .writes import write_queue

logger = logging.getLogger("coachos.integrations.writes")


def _session_of(event: events.Event) -> int | None:
    if event.object_type.endswith("trainingsession") or event.name == "session.moved":
        return event.object_id
    if event.object_id is None:
        return None
    instance = event.instance
    if instance is not None and getattr(instance, "session_id", None):
        return int(instance.session_id)
    return Booking.objects.filter(pk=event.object_id).values_list("session_id", flat=True).first()


def on_booking_event(event: events.Event) -> None:
    session_id = _session_of(event)
    if session_id is None:
        return
    coach_id = TrainingSession.objects.filter(pk=session_id).values_list("coach_id", flat=True).first()
    if coach_id is None:
        return
    has_target = CalendarConnection.objects.filter(coach_id=coach_id, write_target=True).exists()
    if has_target or RemoteEvent.objects.filter(session_id=session_id).exists():
        write_queue(session_id=session_id, organization_id=event.organization_id)
        transaction.on_commit(_kick)


def _kick() -> None:
    from . import tasks

    try:
        tasks.write_calendar_events.delay()
    except Exception:  # the periodic job writes it anyway
        logger.warning("calendar write not dispatched; the job will write it")
