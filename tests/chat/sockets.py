"""Helpers for the socket tests: open /ws/v1/events on the project's ASGI application in-process.

The tests are sync and drive an async body with ``async_to_sync``: the consumer's database calls
(``database_sync_to_async``) then run in the test's thread, on its connection, inside its transaction.
Channels closes "old" connections around each of those calls, which would end that transaction, so
the tests turn that off (``share_the_test_connection``) instead of paying for a flushed database per
test; frames a test publishes are sent as its "commit" happens (``publish_committed``).

``Socket`` is channels' ``WebsocketCommunicator`` in a few lines: ``channels.testing`` imports daphne
(its live-server case), which this project does not install; uvicorn serves the sockets.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import channels.db
import pytest
from asgiref.testing import ApplicationCommunicator
from django.test import Client as DjangoClient
from django.test import TestCase

from coachos.asgi import application
from coachos.chat import realtime

HOST = "testserver"
ORIGIN = f"http://{HOST}"
IN_MEMORY = {"default": {"BACKEND": "coachos.chat.layers.InMemoryChannelLayer"}}


def share_the_test_connection(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    monkeypatch.setattr(channels.db, "close_old_connections", lambda: None)
    settings.CHANNEL_LAYERS = IN_MEMORY  # a fresh layer for each test, whatever REDIS_URL says


def publish_committed(**kwargs: Any) -> None:
    """realtime.publish as a service calls it, and the commit that sends its frames."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        realtime.publish(**kwargs)


class Socket(ApplicationCommunicator):
    """A WebSocket client of the ASGI application, in-process."""

    def __init__(self, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        parts = urlsplit(path)
        self.scope = {"type": "websocket", "path": parts.path, "query_string": parts.query.encode(),
                      "headers": headers, "subprotocols": []}
        super().__init__(application, self.scope)

    async def connect(self, timeout: float = 3) -> tuple[bool, Any]:
        """(True, None) when accepted; (False, close code) when refused at the handshake."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept", response
        return True, None

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data: Any) -> None:
        await self.send_to(json.dumps(data))

    async def receive_json_from(self, timeout: float = 3) -> Any:
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return json.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 3) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def session_cookie(user: Any) -> str:
    client = DjangoClient()
    client.force_login(user)
    return client.cookies["sessionid"].value


def cookie_socket(user: Any, business: str | None, *, origin: str | None = ORIGIN,
                  host: str = HOST) -> Socket:
    headers = [(b"host", host.encode())]
    if user is not None:
        headers.append((b"cookie", f"sessionid={session_cookie(user)}".encode()))
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    path = "/ws/v1/events" + (f"?business={business}" if business is not None else "")
    return Socket(path, headers)


def token_socket(raw: str, *, business: str | None = None) -> Socket:
    headers = [(b"host", HOST.encode()), (b"authorization", f"Bearer {raw}".encode())]
    path = "/ws/v1/events" + (f"?business={business}" if business is not None else "")
    return Socket(path, headers)


async def opened(communicator: Socket) -> Socket:
    """Connect and prove the socket is admitted: a ping is answered."""
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=3) == {"type": "pong"}
    return communicator


async def refused_with(communicator: Socket) -> int:
    """Connect and return the code the server closed the socket with."""
    connected, code = await communicator.connect()
    if not connected:
        return code
    message = await communicator.receive_output(timeout=3)
    assert message["type"] == "websocket.close", message
    return message["code"]
