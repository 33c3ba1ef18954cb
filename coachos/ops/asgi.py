"""Counting open websocket connections (the ``coachos_websocket_connections`` gauge)."""

from __future__ import annotations

from typing import Any

from .metrics import WEBSOCKETS


def count_websockets(app: Any) -> Any:
    async def counted(scope: dict[str, Any], receive: Any, send: Any) -> None:
        accepted = False

        async def watch(message: dict[str, Any]) -> None:
            nonlocal accepted
            if message.get("type") == "websocket.accept" and not accepted:
                accepted = True
                WEBSOCKETS.inc()
            elif message.get("type") == "websocket.close" and accepted:
                accepted = False
                WEBSOCKETS.dec()
            await send(message)

        try:
            await app(scope, receive, watch)
        finally:
            if accepted:
                WEBSOCKETS.dec()

    return counted
