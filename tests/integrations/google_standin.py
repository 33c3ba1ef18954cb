"""A local stand-in for the Google endpoints Coach OS uses — the OAuth token endpoint and the Calendar
API v3 (calendars.get, events list with sync tokens, insert / patch / delete, watch, channels.stop,
freeBusy) — served on loopback, so that the tests drive the official client libraries against it.
It keeps its calendar in memory and answers the way Google does (409 on a duplicate id, 410 for an
expired sync token or a deleted event, 401 without a valid access token, invalid_grant for a revoked
refresh token)."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

CALENDAR_ID = "coach@example.com"
GRANTED_SCOPES = ("https://www.googleapis.com/auth/calendar.events "
                  "https://www.googleapis.com/auth/calendar.readonly")


@dataclass
class GoogleState:
    base: str = ""
    codes: dict[str, str] = field(default_factory=dict)  # authorization code -> refresh token
    refresh_tokens: set[str] = field(default_factory=set)
    access_tokens: set[str] = field(default_factory=set)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: int = 1
    changed: dict[str, int] = field(default_factory=dict)  # event id -> version of its last change
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    stopped: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    expired_tokens: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def grant(self, code: str = "good-code") -> str:
        refresh = "refresh-" + secrets.token_hex(8)
        self.codes[code] = refresh
        self.refresh_tokens.add(refresh)
        return refresh

    def revoke_all(self) -> None:
        self.refresh_tokens.clear()
        self.access_tokens.clear()

    def put(self, event: dict[str, Any]) -> None:
        """The coach changes their calendar (on their phone)."""
        with self.lock:
            self.version += 1
            event = {"status": "confirmed", "etag": f'"{self.version}"', **event}
            self.events[event["id"]] = event
            self.changed[event["id"]] = self.version

    def remove(self, event_id: str) -> None:
        with self.lock:
            self.version += 1
            self.events[event_id] = {**self.events[event_id], "status": "cancelled"}
            self.changed[event_id] = self.version

    @property
    def api(self) -> str:
        return f"{self.base}/calendar/v3/"


def _handler(state: GoogleState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

        def _send(self, status: int, body: Any = None) -> None:
            raw = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _error(self, status: int, message: str) -> None:
            self._send(status, {"error": {"code": status, "message": message, "errors": [{"reason": message}]}})

        def _body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))

        def _authorized(self) -> bool:
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            if token not in state.access_tokens:
                self._error(401, "Invalid Credentials")
                return False
            return True

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            state.requests.append(("POST", path))
            if path == "/token":
                return self._token(parse_qs(self._body().decode()))
            if not self._authorized():
                return None
            body = json.loads(self._body() or b"{}")
            if path == "/calendar/v3/freeBusy":
                return self._freebusy(body)
            if path == "/calendar/v3/channels/stop":
                state.stopped.append(body.get("id", ""))
                return self._send(204)
            parts = path.split("/")
            if path.endswith("/events/watch"):
                channel = {"kind": "api#channel", "id": body["id"], "resourceId": "resource-" + secrets.token_hex(4),
                           "expiration": str(int(__import__("time").time() * 1000) + int(body["params"]["ttl"]) * 1000)}
                state.channels[body["id"]] = {**channel, "token": body.get("token"), "address": body.get("address")}
                return self._send(200, channel)
            if path.endswith("/events") and len(parts) == 6:
                event_id = body.get("id") or secrets.token_hex(8)
                if event_id in state.events and state.events[event_id].get("status") != "cancelled":
                    return self._error(409, "The requested identifier already exists.")
                if event_id in state.events:
                    return self._error(409, "The requested identifier already exists.")
                state.put({**body, "id": event_id})
                return self._send(200, state.events[event_id])
            return self._error(404, "Not Found")

        def _token(self, form: dict[str, list[str]]) -> None:
            grant = form.get("grant_type", [""])[0]
            if grant == "authorization_code":
                refresh = state.codes.pop(form.get("code", [""])[0], None)
                if refresh is None:
                    return self._send(400, {"error": "invalid_grant", "error_description": "Bad Request"})
            elif grant == "refresh_token":
                refresh = form.get("refresh_token", [""])[0]
                if refresh not in state.refresh_tokens:
                    return self._send(400, {"error": "invalid_grant", "error_description": "Token has been expired "
                                                                                           "or revoked."})
            else:
                return self._send(400, {"error": "unsupported_grant_type"})
            access = "access-" + secrets.token_hex(8)
            state.access_tokens.add(access)
            return self._send(200, {"access_token": access, "expires_in": 3599, "token_type": "Bearer",
                                    "refresh_token": refresh, "scope": GRANTED_SCOPES})

        def _freebusy(self, body: dict[str, Any]) -> None:
            busy = [{"start": e["start"].get("dateTime"), "end": e["end"].get("dateTime")}
                    for e in state.events.values()
                    if e.get("status") != "cancelled" and e.get("transparency") != "transparent"
                    and e["start"].get("dateTime")]
            return self._send(200, {"calendars": {item["id"]: {"busy": busy} for item in body.get("items", [])}})

        def do_GET(self) -> None:  # noqa: N802
            split = urlsplit(self.path)
            state.requests.append(("GET", split.path))
            if not self._authorized():
                return None
            query = {k: v[0] for k, v in parse_qs(split.query).items()}
            if split.path == "/calendar/v3/calendars/primary":
                return self._send(200, {"id": CALENDAR_ID, "summary": "Casey's calendar", "timeZone": "America/Chicago"})
            if split.path.endswith("/events"):
                return self._list(query)
            return self._error(404, "Not Found")

        def _list(self, query: dict[str, str]) -> None:
            if "syncToken" in query:
                token = query["syncToken"]
                if token in state.expired_tokens or not token.isdigit():
                    return self._error(410, "Sync token is no longer valid, a full sync is required.")
                since = int(token)
                items = [state.events[i] for i, v in state.changed.items() if v > since]
            else:
                lo, hi = datetime.fromisoformat(query["timeMin"]), datetime.fromisoformat(query["timeMax"])
                items = [e for e in state.events.values() if e.get("status") != "cancelled"
                         and _start(e) < hi and _end(e) > lo]
            # Two pages, to exercise the client's paging.
            page = int(query.get("pageToken", "0"))
            size = max(1, (len(items) + 1) // 2)
            chunk = items[page * size:(page + 1) * size]
            answer: dict[str, Any] = {"kind": "calendar#events", "items": chunk}
            if (page + 1) * size < len(items):
                answer["nextPageToken"] = str(page + 1)
            else:
                answer["nextSyncToken"] = str(state.version)
            return self._send(200, answer)

        def do_PATCH(self) -> None:  # noqa: N802
            path = unquote(urlsplit(self.path).path)
            state.requests.append(("PATCH", path))
            if not self._authorized():
                return None
            event_id = path.rsplit("/", 1)[1]
            if event_id not in state.events:
                return self._error(404, "Not Found")
            state.put({**state.events[event_id], **json.loads(self._body() or b"{}"), "id": event_id})
            return self._send(200, state.events[event_id])

        def do_DELETE(self) -> None:  # noqa: N802
            path = unquote(urlsplit(self.path).path)
            state.requests.append(("DELETE", path))
            if not self._authorized():
                return None
            event_id = path.rsplit("/", 1)[1]
            if event_id not in state.events:
                return self._error(404, "Not Found")
            if state.events[event_id].get("status") == "cancelled":
                return self._error(410, "Resource has been deleted")
            state.remove(event_id)
            return self._send(204)

    return Handler


def _parse(value: dict[str, Any]) -> datetime:
    if value.get("dateTime"):
        return datetime.fromisoformat(value["dateTime"])
    return datetime.fromisoformat(value["date"] + "T00:00:00+00:00")


def _start(event: dict[str, Any]) -> datetime:
    return _parse(event["start"])


def _end(event: dict[str, Any]) -> datetime:
    return _parse(event["end"])


@contextmanager
def google_standin() -> Iterator[GoogleState]:
    state = GoogleState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
