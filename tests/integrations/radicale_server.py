"""A real CalDAV server for the tests: Radicale (from PyPI) served on loopback from a thread, with
one user and one calendar in a temporary folder."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from radicale import Application, config


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        return


class _Threaded(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


@dataclass
class Radicale:
    base: str
    username: str
    password: str
    users_file: Path

    @property
    def calendar_url(self) -> str:
        return f"{self.base}/{self.username}/work/"

    def set_password(self, password: str) -> None:
        self.users_file.write_text(f"{self.username}:{password}\n")
        self.password = password

    def put(self, uid: str, body: str) -> None:
        """Add or replace an event directly (what the coach's phone would do)."""
        ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//test//EN\r\n" + body.strip().replace("\n", "\r\n")
               + "\r\nEND:VCALENDAR\r\n")
        response = requests.put(f"{self.calendar_url}{uid}.ics", data=ics.encode(), auth=(self.username, self.password),
                                headers={"Content-Type": "text/calendar"}, timeout=10)
        assert response.status_code in (201, 204), response.text

    def delete(self, uid: str) -> None:
        requests.delete(f"{self.calendar_url}{uid}.ics", auth=(self.username, self.password), timeout=10)

    def events(self) -> list[str]:
        """The calendar's objects (their hrefs), read straight from the server."""
        body = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/></d:prop></d:propfind>')
        response = requests.request("PROPFIND", self.calendar_url, data=body, headers={"Depth": "1"},
                                    auth=(self.username, self.password), timeout=10)
        import re

        return sorted(h for h in re.findall(r"<[^>]*href>([^<]+)</[^>]*href>", response.text) if h.endswith(".ics"))

    def get(self, href: str) -> str:
        url = href if href.startswith("http") else self.base + href
        return requests.get(url, auth=(self.username, self.password), timeout=10).text


@contextmanager
def radicale(folder: Path, *, username: str = "coach", password: str = "app-password-1") -> Iterator[Radicale]:
    users = folder / "users"
    users.write_text(f"{username}:{password}\n")
    configuration = config.load()
    configuration.update({
        "auth": {"type": "htpasswd", "htpasswd_filename": str(users), "htpasswd_encryption": "plain", "delay": "0"},
        "storage": {"filesystem_folder": str(folder / "collections")},
        "logging": {"level": "warning"},
    }, "test", privileged=True)
    server = make_server("127.0.0.1", 0, Application(configuration), server_class=_Threaded, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    found = Radicale(f"http://127.0.0.1:{server.server_port}", username, password, users)
    try:
        response = requests.request("MKCALENDAR", found.calendar_url, auth=(username, password), timeout=10)
        assert response.status_code == 201, response.text
        yield found
    finally:
        server.shutdown()
        server.server_close()
