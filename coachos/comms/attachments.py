"""Files attached to emails, built when the email is sent (the outbox row keeps only a reference).

Apps register a builder by name: ``register("receipt", build)`` where
``build(organization, object_id) -> (filename, content, mimetype)``; booking emails get their .ics
from the builder registered here.
"""

from __future__ import annotations

from collections.abc import Callable

from coachos.tenancy.models import Organization

Builder = Callable[[Organization, int], tuple[str, bytes, str]]

_BUILDERS: dict[str, Builder] = {}


def register(name: str, builder: Builder) -> None:
    _BUILDERS[name] = builder


def build(organization: Organization, name: str, object_id: int) -> tuple[str, bytes, str] | None:
    builder = _BUILDERS.get(name)
    if builder is None:
        return None
    return builder(organization, object_id)


def _booking_ics(organization: Organization, booking_id: int) -> tuple[str, bytes, str]:
    from coachos.scheduling.ics_booking import booking_calendar
    from coachos.scheduling.models import Booking

    booking = Booking.objects.select_related("session__session_type", "session__coach__membership__user",
                                             "session__organization").get(organization=organization, pk=booking_id)
    return f"booking-{booking.pk}.ics", booking_calendar(booking), "text/calendar; method=PUBLISH"


register("booking_ics", _booking_ics)
