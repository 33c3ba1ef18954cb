"""Busy intervals from iCalendar events (no Django): what a connected calendar's events block.

- An event marked free (``TRANSP:TRANSPARENT``) or cancelled blocks nothing.
- An all-day event (``DTSTART;VALUE=DATE``) blocks its whole days in the coach's business zone
  (a date has no zone of its own), DST days included (23 or 25 hours).
- A floating time (no zone) is read in the business's zone; a time with a ``TZID`` in its own zone.
- An event Coach OS wrote for one of its own sessions blocks nothing more (the session does).
- An event without an end lasts a day (all-day) or no time (a point: blocks nothing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

OWN_UID_PREFIX = "coachos-session-"  # the UIDs of the events Coach OS writes (writes.event_uid)


@dataclass(frozen=True, order=True)
class Busy:
    starts_at: datetime
    ends_at: datetime


def _instant(value: date | datetime, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=zone)).astimezone(UTC)
    return datetime.combine(value, time.min, tzinfo=zone).astimezone(UTC)


def event_busy(component: Any, zone: tzinfo) -> Busy | None:
    """The busy interval of one VEVENT (an ``icalendar`` component), or None when it blocks nothing."""
    if str(component.get("UID", "")).startswith(OWN_UID_PREFIX):
        return None  # a session Coach OS wrote itself: already busy as a session
    if str(component.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(component.get("STATUS", "")).upper() == "CANCELLED":
        return None
    start_prop = component.get("DTSTART")
    if start_prop is None:
        return None
    start = start_prop.dt
    end_prop = component.get("DTEND")
    if end_prop is not None:
        end = end_prop.dt
    elif component.get("DURATION") is not None:
        end = start + component.get("DURATION").dt
    else:
        end = start + timedelta(days=1) if not isinstance(start, datetime) else start
    starts_at, ends_at = _instant(start, zone), _instant(end, zone)
    if ends_at <= starts_at:
        return None
    return Busy(starts_at, ends_at)


def calendar_busy(calendars: Iterable[Any], zone: tzinfo, lo: datetime, hi: datetime) -> list[Busy]:
    """Every VEVENT's busy interval in these ``icalendar.Calendar`` objects that overlaps [lo, hi)."""
    found = []
    for calendar in calendars:
        for component in calendar.walk("VEVENT"):
            busy = event_busy(component, zone)
            if busy is not None and busy.starts_at < hi and busy.ends_at > lo:
                found.append(busy)
    return sorted(found)
