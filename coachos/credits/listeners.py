"""Where sessions meet credits: the credits app listens to what scheduling says happened.

Scheduling (floor 2) never imports credits (floor 3): it emits ``booking.*`` events in the
transaction of the change, and this required listener (subscribed in ``apps.py``) makes the
booking's credit follow its new state in that same transaction — a failed credit write fails the
booking change, and a booking change that rolls back moves no credit.
"""

from __future__ import annotations

from coachos.common.events import Event
from coachos.scheduling.models import Booking

from .services import booking_credit_follow

BOOKING_EVENTS = ["booking.completed", "booking.no_show", "booking.cancelled", "booking.reinstated"]


def booking_changed(event: Event) -> None:
    """A booking was completed, marked no-show, cancelled or reinstated: settle its credit.

    The booking is read again (not taken from ``event.instance``): a service that changed
    several bookings with one UPDATE emits objects whose status in memory is the old one."""
    if event.object_id is None:
        return
    booking = Booking.objects.select_related("organization", "client", "session__session_type") \
        .filter(pk=event.object_id).first()
    if booking is None:
        return
    booking_credit_follow(booking=booking, actor=None)
