"""Dates and instants read from a request: a query string, a form field, a slot value, a JSON body.

One reader for all of them, bounded to years a calendar can use. Python's dates end at 9999-12-31,
so a value near that end parses and then overflows in the arithmetic after it (a week later, the
day after, a zone's offset) — a 500 for what is only bad input. Out of range here is the same as
not a date: the caller answers it as it answers any unreadable value (a form error, "choose one of
the times shown", a 422). Pure Python, no Django: the pages, the API types and the services share it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import available_timezones

# Early enough for a birthday, late enough for any booking, series or report; far from both ends
# of Python's dates, so a few centuries of arithmetic on a value cannot overflow.
EARLIEST = date(1900, 1, 1)
LATEST = date(2199, 12, 31)
MAX_OFFSET = timedelta(hours=14)  # the widest UTC offset any zone uses (Kiribati)

_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH_RE = re.compile(r"-?\d{1,12}")
# What datetime.fromisoformat reads, kept to one plain shape: a date, "T" or a space, a time to the
# second (optionally with a fraction), then an optional "Z" or ±HH:MM offset.
_ISO_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


def in_range(value: date | datetime, *, earliest: date = EARLIEST, latest: date = LATEST) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return earliest <= day <= latest


def day_from(value: object, *, earliest: date = EARLIEST, latest: date = LATEST) -> date | None:
    """A calendar date written YYYY-MM-DD (surrounding spaces allowed), or None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _DAY_RE.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if earliest <= day <= latest else None


def instant_from_epoch(value: object, *, earliest: date = EARLIEST, latest: date = LATEST) -> datetime | None:
    """An instant written as whole seconds since 1970 (the slot pickers' values), in UTC, or None."""
    if not isinstance(value, str) or not _EPOCH_RE.fullmatch(value):
        return None
    try:
        moment = datetime.fromtimestamp(int(value), UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return moment if in_range(moment, earliest=earliest, latest=latest) else None


def instant_from_iso(value: object, *, default_zone: tzinfo | None = None, earliest: date = EARLIEST,
                     latest: date = LATEST) -> datetime | None:
    """An ISO 8601 date and time, or None. One with no offset is read in ``default_zone``; without
    a default zone it is not an instant (None). The offset must be one a zone can have."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _ISO_RE.fullmatch(text):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        if default_zone is None:
            return None
        parsed = parsed.replace(tzinfo=default_zone)
    offset = parsed.utcoffset()
    if offset is None or abs(offset) > MAX_OFFSET:
        return None
    if not earliest <= parsed.date() <= latest:
        return None
    return parsed


# Names zoneinfo lists that are no IANA time zone: "localtime" is this machine's /etc/localtime (its
# meaning changes with the server), "Factory" has no offset worth showing, and the posix/ and right/
# trees are copies (right/ counts leap seconds).
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """The IANA time zone names a business, a client or a request may use."""
    return frozenset(name for name in available_timezones()
                     if name not in _NOT_ZONES and not name.startswith(("posix/", "right/")))


def is_zone(name: object) -> bool:
    return isinstance(name, str) and name in zone_names()
