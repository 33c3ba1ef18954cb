"""The frames every change sends to the sockets of a conversation's audience (after commit).

``message.created`` / ``message.updated`` carry the message as the API returns it: one JSON for the
team, one for clients (first names only). ``message.read`` says who read up to which id.
"""

from __future__ import annotations

from typing import Any

from . import realtime, selectors, serialize
from .models import Conversation, Message


def _message_frames(conversation: Conversation, message: Message, frame_type: str) -> None:
    team, clients = selectors.audience_by_side(conversation)
    message.conversation = conversation
    facts = serialize.ThreadFacts.load(conversation)
    for user_ids, is_team in ((team, True), (clients, False)):
        if not user_ids:
            continue
        frame = {"type": frame_type, "conversation": conversation.pk,
                 "message": serialize.message_json(message, team=is_team, facts=facts)}
        realtime.publish(organization_id=conversation.organization_id, user_ids=user_ids, frame=frame)


def message_created(conversation: Conversation, message: Message) -> None:
    _message_frames(conversation, message, "message.created")


def message_updated(conversation: Conversation, message: Message) -> None:
    """An edit, a deletion, a reaction, a new delivery state. The message is read again: a caller's copy
    may hold reactions or files prefetched before the change."""
    fresh = serialize.with_details(Message.objects.filter(pk=message.pk)).first()
    _message_frames(conversation, fresh or message, "message.updated")


def message_read(conversation: Conversation, *, user_id: int, up_to: int) -> None:
    frame: dict[str, Any] = {"type": "message.read", "conversation": conversation.pk, "user": user_id,
                             "up_to": up_to}
    realtime.publish(organization_id=conversation.organization_id,
                     user_ids=selectors.audience_user_ids(conversation), frame=frame)
