"""The events socket, ``/ws/v1/events``: live chat frames for one person in one business.

Admission (before any frame flows; a refused socket is accepted and closed at once, so that the page
can read why and stop reconnecting):
- ``Authorization: Bearer <api token>`` on the upgrade request (apps): the token's business, checked
  as the REST API checks it (an active token, an active user, a membership there);
- else the session cookie (pages): the Origin must be this site's, and ``?business=<slug>`` names a
  business where the user is a team member or a client.
Close codes: 4401 not signed in (no or bad credentials), 4403 not allowed (Origin, business).

The socket then listens on its group (``chat.<business>.<user>``) and relays what ``realtime.publish``
sends. From the page it takes ``{"type": "typing", "conversation": ID}``, ``{"type": "viewing",
"conversation": ID | null}`` and ``{"type": "ping"}``; every conversation id goes through
``selectors.conversation_for`` in the business's scope, so a foreign id is answered with
``{"type": "error", "error": "not_found", "conversation": ID}`` and never relayed. Other error frames:
``bad_frame`` (not a JSON object), ``unknown_type``, ``rate_limited`` (more than FRAME_BUDGET frames in
FRAME_WINDOW seconds; the rest of the window is dropped). An open socket rechecks its credentials at
most once a RECHECK_INTERVAL and closes with 4401 once they no longer hold (signed out, token revoked,
removed from the business).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import Http404
from django.http.request import split_domain_port, validate_host
from django_scopes import scope

from coachos.accounts.models import ApiToken
from coachos.accounts.tokens import token_authenticate
from coachos.clients.models import Client
from coachos.tenancy.models import Membership, Organization

from . import realtime, selectors

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
# A typing frame per conversation at most this often (the page sends one every few seconds).
TYPING_INTERVAL = 2.0
# How often an open socket checks that its credentials still hold (logout, revoked token, removed member).
RECHECK_INTERVAL = 60.0
MAX_FRAME_CHARS = 4096
# Frames a page may send in a window of FRAME_WINDOW seconds; the rest are dropped (each may cost a query).
FRAME_BUDGET = 60
FRAME_WINDOW = 10.0


@dataclass
class Admission:
    organization: Organization
    user: Any
    first_name: str
    token_id: int | None
    session_key: str | None


# --- admission (sync: runs through database_sync_to_async) ---------------------------------------

def _header(scope_: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope_.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin1")
    return None


def origin_allowed(origin: str | None, host: str | None) -> bool:
    """A page of this site: the public address (or a trusted origin), or the host the socket was
    opened on when that host is one of ALLOWED_HOSTS. No Origin header: not a page of ours."""
    if not origin:
        return False
    parts = urlsplit(origin.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return False
    normalized = f"{parts.scheme}://{parts.netloc}".lower()
    trusted = {settings.PUBLIC_BASE_URL.lower(), *(o.lower() for o in settings.CSRF_TRUSTED_ORIGINS)}
    if normalized in trusted:
        return True
    if not host or parts.netloc.lower() != host.strip().lower():
        return False
    domain, _port = split_domain_port(host.strip())
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def _first_name(user: Any, organization: Organization, membership: Membership) -> str:
    """Others see only a first name: the account's, else (a client) the client record's."""
    name = (getattr(user, "name", "") or "").split()
    if name:
        return name[0]
    if not membership.is_team:
        record = Client.objects.filter(user=user).only("first_name").first()
        if record is not None:
            return record.first_name
    return ""


def admit(scope_: dict[str, Any]) -> Admission | int:
    """The socket's business and user, or the close code that refuses it."""
    authorization = _header(scope_, b"authorization")
    business = parse_qs(bytes(scope_.get("query_string", b"")).decode("latin1")).get("business", [""])[0]
    user: Any
    organization: Organization
    token_id: int | None
    session_key: str | None
    if authorization is not None:
        kind, _, raw = authorization.partition(" ")
        token = token_authenticate(raw.strip()) if kind.lower() == "bearer" and raw.strip() else None
        if token is None or not token.user.is_active:
            return CLOSE_UNAUTHENTICATED
        organization, user = token.organization, token.user
        if business and business != organization.slug:
            return CLOSE_FORBIDDEN
        token_id, session_key = token.pk, None
    else:
        user = scope_.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            return CLOSE_UNAUTHENTICATED
        if not origin_allowed(_header(scope_, b"origin"), _header(scope_, b"host")):
            return CLOSE_FORBIDDEN
        found = Organization.objects.filter(slug=business).first() if business else None
        if found is None:
            return CLOSE_FORBIDDEN
        organization = found
        session = scope_.get("session")
        token_id, session_key = None, getattr(session, "session_key", None)
    with scope(organization=organization):
        membership = Membership.objects.filter(user=user).first()
        if membership is None:
            return CLOSE_UNAUTHENTICATED if token_id is not None else CLOSE_FORBIDDEN
        first_name = _first_name(user, organization, membership)
    return Admission(organization=organization, user=user, first_name=first_name, token_id=token_id,
                     session_key=session_key)


def still_admitted(admission: Admission) -> bool:
    """The credentials the socket opened with still hold: the same checks, without the handshake."""
    user = get_user_model().objects.filter(pk=admission.user.pk, is_active=True).first()
    if user is None:
        return False
    with scope(organization=admission.organization):
        if not Membership.objects.filter(user=user).exists():
            return False
        if admission.token_id is not None:
            return ApiToken.objects.filter(pk=admission.token_id, revoked_at__isnull=True).exists()
    if admission.session_key is None:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    return bool(store.exists(admission.session_key))


def audience_for(admission: Admission, conversation_id: int) -> list[int] | None:
    """Who may read the conversation, or None when this socket's user may not see it."""
    with scope(organization=admission.organization):
        try:
            conversation = selectors.conversation_for(
                user=admission.user, organization=admission.organization, conversation_id=conversation_id
            )
        except Http404:
            return None
        return list(selectors.audience_user_ids(conversation))


def may_view(admission: Admission, conversation_id: int) -> bool:
    with scope(organization=admission.organization):
        try:
            selectors.conversation_for(
                user=admission.user, organization=admission.organization, conversation_id=conversation_id
            )
        except Http404:
            return False
    return True


def _conversation_id(value: Any) -> int | None:
    return value if type(value) is int and 0 < value < 2**63 else None


class EventsConsumer(AsyncJsonWebsocketConsumer):
    groups: list[str]  # set to [] by the base class; the socket's one group once admitted
    admission: Admission | None = None
    viewing: int | None = None

    async def connect(self) -> None:
        self.socket_id = uuid.uuid4().hex
        self.typing_at: dict[int, float] = {}
        self.checked_at = time.monotonic()
        self.window_started, self.window_frames = time.monotonic(), 0
        result = await database_sync_to_async(admit)(self.scope)
        await self.accept()
        if isinstance(result, int):
            logger.info("socket refused", extra={"code": result})
            await self.close(code=result)
            return
        self.admission = result
        group = realtime.group_name(result.organization.pk, result.user.pk)
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups.append(group)  # websocket_disconnect leaves it

    async def disconnect(self, code: int) -> None:
        if self.admission is not None and self.viewing is not None:
            await database_sync_to_async(realtime.presence_leave)(
                user_id=self.admission.user.pk, conversation_id=self.viewing, socket_id=self.socket_id
            )
        self.admission = None

    # --- from the layer ----------------------------------------------------------------------------

    async def chat_frame(self, event: dict[str, Any]) -> None:
        """A frame from ``realtime``: already JSON text, sent as it is. (``frame``: a dict, from a
        process that published before frames were encoded once.)"""
        if self.admission is None:
            return
        text = event.get("text")
        if isinstance(text, str):
            await self.send(text_data=text)
        else:
            await self.send_json(event["frame"])

    # --- from the page -----------------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if self.admission is None:
            return
        now = time.monotonic()
        if now - self.window_started >= FRAME_WINDOW:
            self.window_started, self.window_frames = now, 0
        self.window_frames += 1
        if self.window_frames > FRAME_BUDGET:
            if self.window_frames == FRAME_BUDGET + 1:
                await self.send_json({"type": "error", "error": "rate_limited"})
            return
        try:
            content = json.loads(text_data) if text_data and len(text_data) <= MAX_FRAME_CHARS else None
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": "bad_frame"})
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        admission = self.admission
        if admission is None:
            return
        if time.monotonic() - self.checked_at >= RECHECK_INTERVAL:
            self.checked_at = time.monotonic()
            if not await database_sync_to_async(still_admitted)(admission):
                await self._end(CLOSE_UNAUTHENTICATED)
                return
        kind = content.get("type")
        if kind == "ping":
            await self._ping()
        elif kind == "viewing":
            await self._viewing(admission, content.get("conversation"))
        elif kind == "typing":
            await self._typing(admission, content.get("conversation"))
        else:
            await self.send_json({"type": "error", "error": "unknown_type"})

    async def _end(self, code: int) -> None:
        await self.disconnect(code)
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups = []
        await self.close(code=code)

    async def _not_found(self, value: Any) -> None:
        await self.send_json({"type": "error", "error": "not_found",
                              "conversation": value if type(value) is int else None})

    async def _ping(self) -> None:
        if self.admission is not None and self.viewing is not None:
            await database_sync_to_async(realtime.presence_enter)(
                user_id=self.admission.user.pk, conversation_id=self.viewing, socket_id=self.socket_id
            )
        await self.send_json({"type": "pong"})

    async def _viewing(self, admission: Admission, value: Any) -> None:
        conversation_id = _conversation_id(value)
        if value is not None and (conversation_id is None
                                  or not await database_sync_to_async(may_view)(admission, conversation_id)):
            await self._not_found(value)
            return
        await database_sync_to_async(self._move_presence)(admission.user.pk, conversation_id)

    def _move_presence(self, user_id: int, conversation_id: int | None) -> None:
        if self.viewing is not None and self.viewing != conversation_id:
            realtime.presence_leave(user_id=user_id, conversation_id=self.viewing, socket_id=self.socket_id)
        if conversation_id is not None:
            realtime.presence_enter(user_id=user_id, conversation_id=conversation_id, socket_id=self.socket_id)
        self.viewing = conversation_id

    async def _typing(self, admission: Admission, value: Any) -> None:
        conversation_id = _conversation_id(value)
        now = time.monotonic()
        last = self.typing_at.get(conversation_id) if conversation_id is not None else None
        if last is not None and now - last < TYPING_INTERVAL:
            return  # said a moment ago (only ever noted for a conversation the user may see)
        audience = (await database_sync_to_async(audience_for)(admission, conversation_id)
                    if conversation_id is not None else None)
        if conversation_id is None or audience is None:
            await self._not_found(value)
            return
        self.typing_at[conversation_id] = now
        frame = {"type": "typing", "conversation": conversation_id, "user": admission.user.pk,
                 "name": admission.first_name}
        others = [user_id for user_id in audience if user_id != admission.user.pk]
        await realtime.send_frames(self.channel_layer, admission.organization.pk, others, frame)
