"""Meeting links for online sessions: Jitsi Meet by default — a random, unguessable room on the
business's chosen Jitsi server, no account needed. One room per session (every booking of a group
session meets in it); only the session's people are given it (messages to them, their calendar
event, the session's pages)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction

from .models import MeetingLink, OnlineSessionType, VideoSettings

DEFAULT_JITSI = "https://meet.jit.si"


def jitsi_base(organization_id: int) -> str:
    found = VideoSettings.objects.filter(organization_id=organization_id).values_list("jitsi_base_url", flat=True).first()
    return (found or DEFAULT_JITSI).rstrip("/")


def is_online(session_type_id: int) -> bool:
    return OnlineSessionType.objects.filter(session_type_id=session_type_id, online=True).exists()


def new_room_url(organization_id: int) -> str:
    # 128 random bits: a room nobody can guess (Jitsi rooms are open to whoever knows the name).
    return f"{jitsi_base(organization_id)}/CoachOS-{secrets.token_hex(16)}"


def link_for(session: Any, *, create: bool = True) -> str:
    """The session's meeting link, made on first use; "" when its type is not online."""
    existing = MeetingLink.objects.filter(session_id=session.pk).values_list("url", flat=True).first()
    if existing:
        return existing
    if not create or not is_online(session.session_type_id):
        return ""
    try:
        with transaction.atomic():
            return MeetingLink.objects.create(organization_id=session.organization_id, session_id=session.pk,
                                              url=new_room_url(session.organization_id)).url
    except IntegrityError:  # made at the same moment elsewhere: use that one
        return MeetingLink.objects.filter(session_id=session.pk).values_list("url", flat=True).first() or ""


def session_type_set_online(*, session_type: Any, online: bool) -> OnlineSessionType:
    row, _created = OnlineSessionType.objects.update_or_create(
        session_type=session_type, defaults={"organization_id": session_type.organization_id, "online": online})
    return row
