"""Every scheduling write. Pages, the API, jobs and the admin call these."""

from .availability import (
    addition_create,
    addition_delete,
    blocked_slot_create,
    blocked_slot_delete,
    coach_ensure,
    coach_update,
    room_create,
    session_type_create,
    session_type_update,
    weekly_availability_replace,
)
from .bookings import (
    CLIENT,
    COACH,
    HOLD_MINUTES,
    booking_cancel,
    booking_client_confirm,
    booking_create,
    booking_reschedule,
    hold_create,
    holds_clear_expired,
    session_cancel,
    session_complete,
    session_create,
    session_move,
    session_no_show,
    session_note,
    waitlist_expire_offers,
    waitlist_join,
    waitlist_offer_next,
)
from .conflicts import conflict_cancel, conflict_keep
from .errors import CONFLICT_CODES, SchedulingError
from .recurring import WEEKS_AHEAD, Extension, occurrences, recurring_cancel, recurring_create, recurring_extend_all

__all__ = [
    "CLIENT", "COACH", "CONFLICT_CODES", "HOLD_MINUTES", "WEEKS_AHEAD", "Extension", "SchedulingError",
    "addition_create", "addition_delete", "blocked_slot_create", "blocked_slot_delete", "booking_cancel",
    "booking_client_confirm", "booking_create", "booking_reschedule", "coach_ensure", "coach_update",
    "conflict_cancel", "conflict_keep", "hold_create", "holds_clear_expired", "occurrences", "recurring_cancel",
    "recurring_create", "recurring_extend_all", "room_create", "session_cancel", "session_complete",
    "session_create", "session_move", "session_no_show", "session_note", "session_type_create",
    "session_type_update", "waitlist_expire_offers", "waitlist_join", "waitlist_offer_next",
    "weekly_availability_replace",
]
