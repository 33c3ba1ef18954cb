"""The scheduling JSON API: coaches, session types, open slots, bookings, recurring bookings, sessions.

Endpoints stay thin: parse, check the role, call one service or selector. A refused scheduling
change is a ``SchedulingError``; ``coachos.api`` turns it into a 409 or 422 problem.
"""

from ninja import Router

from . import bookings, coaches, session_types, sessions, slots

router = Router()
for _module in (coaches, session_types, slots, bookings, sessions):
    router.add_router("", _module.router)

__all__ = ["router"]
