"""The one module that talks CalDAV (Apple iCloud, Fastmail, Nextcloud, Radicale…), with the
``caldav`` library. Every function takes plain values and raises ``CalDAVFailure`` with the
server's reason (never the password) when the server refuses or cannot be reached.

Freshness is polled: the calendar's ctag (CalendarServer's ``getctag``) says whether anything
changed since the last read; only then are the events in the range read again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

import caldav
import icalendar
import requests
from caldav.elements.base import ValuedBaseElement
from caldav.lib import error as dav_error

TIMEOUT_SECONDS = 10


class GetCTag(ValuedBaseElement):
    tag: ClassVar[str] = "{http://calendarserver.org/ns/}getctag"


class CalDAVFailure(Exception):
    """The server refused (``auth``: the credentials) or could not be reached; ``reason`` says why."""

    def __init__(self, reason: str, *, auth: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.auth = auth


@dataclass(frozen=True)
class Account:
    url: str
    username: str
    password: str


@dataclass(frozen=True)
class Found:
    calendar_url: str
    name: str


@dataclass(frozen=True)
class Events:
    ctag: str
    changed: bool
    calendars: list[Any]  # icalendar.Calendar objects; empty when not changed
    etags: list[tuple[str, str]]  # (href, etag) of each object read


def _client(account: Account) -> caldav.DAVClient:
    return caldav.DAVClient(url=account.url, username=account.username or None, password=account.password or None,
                            timeout=TIMEOUT_SECONDS)


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", "") or str(exc) or exc.__class__.__name__
    return " ".join(str(reason).split())[:300]


def _guard(run: Any) -> Any:
    try:
        return run()
    except dav_error.AuthorizationError as exc:
        raise CalDAVFailure(_reason(exc) or "Unauthorized", auth=True) from exc
    except dav_error.DAVError as exc:
        raise CalDAVFailure(_reason(exc)) from exc
    except requests.RequestException as exc:
        raise CalDAVFailure(f"Could not reach the server ({exc.__class__.__name__})") from exc
    except (ValueError, OSError) as exc:
        raise CalDAVFailure(_reason(exc)) from exc


def discover(account: Account) -> Found:
    """Log in and find the calendar: the URL itself when it is one, else the account's first calendar."""
    def run() -> Found:
        client = _client(account)
        principal = client.principal()
        calendars = principal.calendars()
        wanted = account.url.rstrip("/")
        for calendar in calendars:
            if str(calendar.url).rstrip("/") == wanted:
                return Found(str(calendar.url), calendar.name or "")
        if not calendars:
            raise CalDAVFailure("The account has no calendar.")
        first = calendars[0]
        return Found(str(first.url), first.name or "")
    found: Found = _guard(run)
    return found


def read_events(account: Account, calendar_url: str, *, lo: datetime, hi: datetime, known_ctag: str) -> Events:
    """The events overlapping [lo, hi), recurring ones expanded; nothing read when the ctag is unchanged."""
    def run() -> Events:
        calendar = _client(account).calendar(url=calendar_url)
        ctag = calendar.get_property(GetCTag()) or ""
        if ctag and ctag == known_ctag:
            return Events(ctag=ctag, changed=False, calendars=[], etags=[])
        found = calendar.search(start=lo, end=hi, event=True, expand=True)
        calendars, etags = [], []
        for item in found:
            calendars.append(icalendar.Calendar.from_ical(item.data))
            etags.append((str(item.url), str(item.props.get("{DAV:}getetag", "") or "")))
        return Events(ctag=ctag, changed=True, calendars=calendars, etags=etags)
    events: Events = _guard(run)
    return events


def put_event(account: Account, calendar_url: str, *, ics: str) -> str:
    """Create or replace the event with this UID (the object's URL follows from it): a retry updates."""
    def run() -> str:
        calendar = _client(account).calendar(url=calendar_url)
        event = calendar.save_event(ical=ics)
        return str(event.url)
    href: str = _guard(run)
    return href


def delete_event(account: Account, href: str) -> None:
    """Remove the event at ``href``; one already gone is fine."""
    def run() -> None:
        client = _client(account)
        try:
            caldav.Event(client=client, url=href).delete()
        except dav_error.NotFoundError:
            return
    _guard(run)
