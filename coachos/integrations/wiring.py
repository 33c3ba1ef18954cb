"""What integrations plugs into the floors below it (called from ``AppConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from coachos.common import events

WRITE_EVENTS = ["booking.created", "booking.cancelled", "booking.rescheduled", "booking.reinstated", "session.moved"]


def _meeting_variables(booking: Any) -> dict[str, str]:
    """An online session's messages (confirmation, reminders) say where: its meeting link."""
    from . import video

    link = video.link_for(booking.session)
    return {"session_location": link} if link else {}


def _make_meeting_link(event: events.Event) -> None:
    from coachos.scheduling.models import Booking

    from . import video

    booking = event.instance if isinstance(event.instance, Booking) else None
    if booking is None and event.object_id is not None:
        booking = Booking.objects.select_related("session").filter(pk=event.object_id).first()
    if booking is not None:
        video.link_for(booking.session)


def register() -> None:
    from coachos.comms import context as comms_context
    from coachos.scheduling import external_busy, panel_sections

    from . import listeners, services

    external_busy.register(external_busy.Provider("integrations.calendars", services.busy_for,
                                                  services.refresh_if_stale))
    events.subscribe(listeners.on_booking_event, WRITE_EVENTS)
    # Before the confirmation is written (comms' required listener on booking.announced).
    events.subscribe(_make_meeting_link, ["booking.created"])
    comms_context.register_booking_variables(_meeting_variables)
    panel_sections.register(panel_sections.PanelSection(
        "video", gettext_lazy("Video meeting"), "integrations:session_panel", order=40))
