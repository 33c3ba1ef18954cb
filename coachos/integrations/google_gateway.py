"""The one module that talks to Google: OAuth with ``google-auth-oauthlib`` and the Calendar API with
``google-api-python-client`` (events list with sync tokens, insert / patch / delete, watch channels,
free/busy). Endpoints come from settings so that the tests can drive the official client against a
local stand-in: ``GOOGLE_AUTH_URI``, ``GOOGLE_TOKEN_URI``, ``GOOGLE_CALENDAR_API_URL``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import google_auth_httplib2
import httplib2
from django.conf import settings
from google.auth import exceptions as auth_exceptions
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

SCOPES = ["https://www.googleapis.com/auth/calendar.events", "https://www.googleapis.com/auth/calendar.readonly"]
TIMEOUT_SECONDS = 10


class GoogleFailure(Exception):
    """Google refused (``revoked``: the grant is gone) or could not be reached; ``reason`` says why."""

    def __init__(self, reason: str, *, revoked: bool = False, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.revoked = revoked
        self.status = status


def configured() -> bool:
    return bool(settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET)


def flow(*, redirect_uri: str, state: str | None = None) -> Flow:
    config = {"web": {
        "client_id": settings.GOOGLE_CLIENT_ID, "client_secret": settings.GOOGLE_CLIENT_SECRET,
        "auth_uri": settings.GOOGLE_AUTH_URI, "token_uri": settings.GOOGLE_TOKEN_URI, "redirect_uris": [redirect_uri],
    }}
    return Flow.from_client_config(config, scopes=SCOPES, state=state, redirect_uri=redirect_uri)


def _guard(run: Any) -> Any:
    try:
        return run()
    except auth_exceptions.RefreshError as exc:
        raise GoogleFailure(f"Google refused the stored access ({_short(exc)})", revoked=True) from exc
    except HttpError as exc:
        status = int(exc.resp.status)
        raise GoogleFailure(f"Google answered {status}: {_short(exc.reason or '')}", revoked=status == 401,
                            status=status) from exc
    except (OSError, httplib2.HttpLib2Error, TimeoutError) as exc:
        raise GoogleFailure(f"Could not reach Google ({exc.__class__.__name__})") from exc


def _short(value: Any) -> str:
    return " ".join(str(value).split())[:200]


@dataclass(frozen=True)
class Client:
    refresh_token: str

    def service(self) -> Any:
        credentials = Credentials(token=None, refresh_token=self.refresh_token, token_uri=settings.GOOGLE_TOKEN_URI,
                                  client_id=settings.GOOGLE_CLIENT_ID, client_secret=settings.GOOGLE_CLIENT_SECRET,
                                  scopes=SCOPES)
        http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=TIMEOUT_SECONDS))
        options = {"api_endpoint": settings.GOOGLE_CALENDAR_API_URL} if settings.GOOGLE_CALENDAR_API_URL else None
        return build("calendar", "v3", http=http, client_options=options, static_discovery=True,
                     cache_discovery=False)


def calendar_summary(client: Client, calendar_id: str = "primary") -> tuple[str, str]:
    """The calendar's id and name."""
    found = _guard(lambda: client.service().calendars().get(calendarId=calendar_id).execute())
    return str(found.get("id", calendar_id)), str(found.get("summary", ""))


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    sync_token: str
    full: bool  # a full read (replace everything) rather than the changes since the token


def _pages(request_for: Any) -> Iterator[dict[str, Any]]:
    page_token = None
    while True:
        answer = request_for(page_token).execute()
        yield answer
        page_token = answer.get("nextPageToken")
        if not page_token:
            return


def events_read(client: Client, calendar_id: str, *, lo: datetime, hi: datetime, sync_token: str) -> Page:
    """The changes since ``sync_token`` (incremental), or every event in [lo, hi) when there is no
    token or Google says it expired (410)."""
    def run() -> Page:
        events = client.service().events()
        if sync_token:
            try:
                items: list[dict[str, Any]] = []
                token = ""
                for answer in _pages(lambda page: events.list(calendarId=calendar_id, syncToken=sync_token,
                                                              singleEvents=True, pageToken=page)):
                    items.extend(answer.get("items", []))
                    token = answer.get("nextSyncToken", token)
                return Page(items, token, full=False)
            except HttpError as exc:
                if int(exc.resp.status) != 410:
                    raise
        items, token = [], ""
        for answer in _pages(lambda page: events.list(calendarId=calendar_id, timeMin=lo.isoformat(),
                                                      timeMax=hi.isoformat(), singleEvents=True, maxResults=2500,
                                                      pageToken=page)):
            items.extend(answer.get("items", []))
            token = answer.get("nextSyncToken", token)
        return Page(items, token, full=True)
    page: Page = _guard(run)
    return page


def freebusy(client: Client, calendar_id: str, *, lo: datetime, hi: datetime) -> list[tuple[str, str]]:
    """Google's own free/busy answer for the calendar (start, end as RFC 3339 strings)."""
    body = {"timeMin": lo.isoformat(), "timeMax": hi.isoformat(), "items": [{"id": calendar_id}]}
    answer = _guard(lambda: client.service().freebusy().query(body=body).execute())
    busy = answer.get("calendars", {}).get(calendar_id, {}).get("busy", [])
    return [(b["start"], b["end"]) for b in busy]


def event_put(client: Client, calendar_id: str, *, event_id: str, body: dict[str, Any], exists: bool) -> str:
    """Insert the event with our fixed id, or patch it when it exists (an insert answered 409 — it was
    written before the answer got lost — is patched too): never a second event."""
    def run() -> str:
        events = client.service().events()
        if exists:
            try:
                return str(events.patch(calendarId=calendar_id, eventId=event_id, body=body).execute()["id"])
            except HttpError as exc:
                if int(exc.resp.status) not in (404, 410):
                    raise
        try:
            return str(events.insert(calendarId=calendar_id, body={**body, "id": event_id}).execute()["id"])
        except HttpError as exc:
            if int(exc.resp.status) != 409:
                raise
        return str(events.patch(calendarId=calendar_id, eventId=event_id, body=body).execute()["id"])
    event: str = _guard(run)
    return event


def event_delete(client: Client, calendar_id: str, *, event_id: str) -> None:
    def run() -> None:
        try:
            client.service().events().delete(calendarId=calendar_id, eventId=event_id).execute()
        except HttpError as exc:
            if int(exc.resp.status) not in (404, 410):  # already gone
                raise
    _guard(run)


def watch(client: Client, calendar_id: str, *, channel_id: str, token: str, address: str,
          ttl_seconds: int) -> dict[str, Any]:
    body = {"id": channel_id, "type": "web_hook", "address": address, "token": token,
            "params": {"ttl": str(ttl_seconds)}}
    answer: dict[str, Any] = _guard(lambda: client.service().events().watch(calendarId=calendar_id, body=body).execute())
    return answer


def stop(client: Client, *, channel_id: str, resource_id: str) -> None:
    _guard(lambda: client.service().channels().stop(body={"id": channel_id, "resourceId": resource_id}).execute())
