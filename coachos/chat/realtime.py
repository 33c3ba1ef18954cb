"""Live frames to open sockets, and who is looking at which conversation.

``publish`` hands a frame to the channel layer once the current transaction commits: a socket never
hears of a message that was rolled back, and a layer that is down (Redis gone) never fails the write
that published (the page catches up from the API after a reconnect). Each socket listens on one
group per business and user, so a frame reaches only that user's sockets in that business.

Presence lives in the "chat" cache (Redis in production, so every web process sees it; without
Redis this process's memory, where all of chat's sockets are then) with a short TTL that the
socket's "viewing" and "ping" frames refresh: a closed laptop stops counting as "looking" within a
minute even if its socket never said goodbye.

A frame is encoded to JSON once (``send_frames``) and every socket sends that text as it is.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import caches
from django.db import transaction

logger = logging.getLogger(__name__)

# Presence and the send rate live in the "chat" cache (settings: Redis when there is one, else memory).
CACHE = "chat"


def chat_cache() -> Any:
    return caches[CACHE] if CACHE in settings.CACHES else caches["default"]


# How long a "viewing" frame counts without a refresh; pages ping well within it (every ~25 s).
PRESENCE_TTL = 60
# The layer's message type; the consumer's ``chat_frame`` handler relays it.
FRAME_EVENT = "chat.frame"


def group_name(organization_id: int, user_id: int) -> str:
    return f"chat.{int(organization_id)}.{int(user_id)}"


def publish(*, organization_id: int, user_ids: Iterable[int], frame: dict[str, Any],
            exclude_user_id: int | None = None) -> None:
    """Send ``frame`` to every socket of these users in this business, after the transaction commits."""
    targets = sorted({int(user_id) for user_id in user_ids if user_id is not None} - {exclude_user_id})
    if not targets:
        return
    transaction.on_commit(lambda: _send(int(organization_id), targets, frame))


def _send(organization_id: int, user_ids: list[int], frame: dict[str, Any]) -> None:
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(send_frames)(layer, organization_id, user_ids, frame)
    except Exception as exc:  # the write has committed; a lost frame is caught up by the page
        logger.warning("chat frame not published", extra={
            "organization_id": organization_id, "frame_type": frame.get("type"), "recipients": len(user_ids),
            "error": type(exc).__name__,
        })


def encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


async def send_frames(layer: Any, organization_id: int, user_ids: Iterable[int], frame: dict[str, Any]) -> None:
    """The async half of ``publish`` (the consumer calls it directly for typing frames). The frame is
    encoded once here: every socket sends the same text as it is (no JSON work per socket), and the
    groups are sent to at once (through Redis, one round trip's wait instead of one per user)."""
    message = {"type": FRAME_EVENT, "text": encode(frame)}
    groups = [group_name(organization_id, user_id) for user_id in user_ids]
    if len(groups) == 1:
        await layer.group_send(groups[0], message)
        return
    results = await asyncio.gather(*(layer.group_send(group, message) for group in groups), return_exceptions=True)
    failed = next((r for r in results if isinstance(r, BaseException)), None)
    if failed is not None:
        raise failed


# --- presence --------------------------------------------------------------------------------------
# One cache entry per (user, conversation): {socket id: expiry as a Unix time}. Several tabs of one
# user may look at the same conversation; one of them leaving must not hide the others.

def _presence_key(user_id: int, conversation_id: int) -> str:
    return f"chat:viewing:{int(user_id)}:{int(conversation_id)}"


def _live(entry: Any, now: float) -> dict[str, float]:
    if not isinstance(entry, dict):
        return {}
    return {socket: expires for socket, expires in entry.items() if expires > now}


def presence_enter(*, user_id: int, conversation_id: int, socket_id: str) -> None:
    """This socket says it is looking at the conversation (again): count it for another TTL."""
    key, now = _presence_key(user_id, conversation_id), time.time()
    cache = chat_cache()
    sockets = _live(cache.get(key), now)
    sockets[socket_id] = now + PRESENCE_TTL
    cache.set(key, sockets, PRESENCE_TTL)


def presence_leave(*, user_id: int, conversation_id: int, socket_id: str) -> None:
    """This socket looks elsewhere or closed; other sockets of the user still count."""
    key, now = _presence_key(user_id, conversation_id), time.time()
    cache = chat_cache()
    sockets = _live(cache.get(key), now)
    sockets.pop(socket_id, None)
    if sockets:
        cache.set(key, sockets, max(1, int(max(sockets.values()) - now) + 1))
    else:
        cache.delete(key)


def is_viewing(*, user_id: int, conversation_id: int) -> bool:
    """True while one of the user's open pages says it is looking at this conversation."""
    return bool(_live(chat_cache().get(_presence_key(user_id, conversation_id)), time.time()))
