"""Two real server processes on the Redis channel layer: a message POSTed to one reaches a socket held
by the other (the production shape: several web processes behind a load balancer).

Both servers are uvicorn subprocesses serving coachos.asgi on the test's own database (committed
rows: ``transaction=True``) with REDIS_URL set, as in production. Like the other Redis tests, this
runs wherever the suite runs (CI has Redis at 127.0.0.1:6379); it never skips.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

from coachos.accounts.services import api_token_create
from coachos.tenancy.roles import Role

from ..factories import ClientFactory, member

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/14"
IDLE_SECONDS = 6.5
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # straight to 127.0.0.1, whatever *_proxy says
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("redis")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    """The test database (pytest-django's, with its test name) as a URL for the servers."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "coachos.asgi:application", "--host", "127.0.0.1",
             "--port", str(self.port), "--lifespan", "off", "--no-access-log", "--log-level", "warning"],
            cwd=ROOT, env={**env, "PUBLIC_BASE_URL": self.base},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                output = self.proc.stdout.read() if self.proc.stdout else ""
                raise AssertionError(f"server on {self.port} exited: {output}")
            try:
                with HTTP.open(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise AssertionError(f"server on {self.port} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def post(self, path: str, token: str, payload: dict[str, Any]) -> tuple[int, Any]:
        request = urllib.request.Request(
            f"{self.base}{path}", data=json.dumps(payload).encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with HTTP.open(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")

    @contextmanager
    def socket(self, token: str) -> Iterator[ClientConnection]:
        with ws_connect(f"ws://127.0.0.1:{self.port}/ws/v1/events",
                        additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=10,
                        proxy=None) as ws:
            ws.send(json.dumps({"type": "ping"}))  # answered once the socket has joined its group
            assert json.loads(ws.recv(timeout=10)) == {"type": "pong"}
            yield ws


@pytest.fixture
def servers(transactional_db: None) -> Iterator[tuple[Server, Server]]:
    redis.Redis.from_url(REDIS).flushdb()  # no groups or rate counts left from an earlier run
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COACHOS_", "PYTEST"))}
    env.update({"DJANGO_SETTINGS_MODULE": "coachos.settings", "COACHOS_TESTING": "1", "DEBUG": "0",
                "DATABASE_URL": _database_url(), "REDIS_URL": REDIS, "EMAIL_URL": "locmem://",
                "LOG_LEVEL": "WARNING"})
    env.pop("ALLOWED_HOSTS", None)
    pair = (Server(env), Server(env))
    try:
        for server in pair:
            server.wait_ready()
        yield pair
    finally:
        for server in pair:
            server.stop()


def _frame(ws: ClientConnection, kind: str, timeout: float = 10) -> dict[str, Any]:
    """The next frame of this type (a socket may also get its own frames first)."""
    deadline = time.monotonic() + timeout
    while True:
        frame = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        if frame.get("type") == kind:
            return frame


def test_a_message_posted_to_one_process_reaches_a_socket_held_by_another(org, owner, servers):
    server_a, server_b = servers
    dana = member(org, Role.CLIENT, name="Dana Client")
    client = ClientFactory(organization=org, user=dana)
    _token, owner_raw = api_token_create(user=owner, organization=org, name="app")
    _token, dana_raw = api_token_create(user=dana, organization=org, name="app")

    status, conversation = server_a.post("/api/v1/conversations", owner_raw, {"client": client.pk})
    assert status == 201
    with server_b.socket(dana_raw) as dana_on_b, server_a.socket(owner_raw) as owner_on_a:
        # Real idle time, longer than redis-py 8's default socket timeout (5 s): a layer whose blocking
        # read outlives it would have ended both sockets by now (django/channels_redis#422).
        time.sleep(IDLE_SECONDS)
        status, message = server_a.post(f"/api/v1/conversations/{conversation['id']}/messages", owner_raw,
                                        {"body": "Across processes", "client_key": "x-1"})
        assert status == 201
        frame = _frame(dana_on_b, "message.created")
        assert frame["conversation"] == conversation["id"]
        assert frame["message"]["id"] == message["id"] and frame["message"]["body"] == "Across processes"

        # And back: typing on B reaches the owner's socket on A.
        dana_on_b.send(json.dumps({"type": "typing", "conversation": conversation["id"]}))
        typing = _frame(owner_on_a, "typing")
        assert typing == {"type": "typing", "conversation": conversation["id"], "user": dana.pk, "name": "Dana"}
