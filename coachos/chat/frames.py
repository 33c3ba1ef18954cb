"""The frames every change sends to the sockets of a conversation's audience (after commit).

``message.created`` / ``message.updated`` carry the message as the API returns it: one JSON for the
team, one for clients (first names only). ``message.read`` says who read up to which id.
"""

from __future__ import annotations

from typing import Any

from . import realtime, selectors, serialize
from .models import Conversation, Message

Audience = tuple[list[int], list[int]]  # (team user ids, client user ids), as selectors.audience_by_side


def _message_frames(conversation: Conversation, sides: serialize.MessageSides, frame_type: str,
                    audience: Audience | None = None) -> None:
    team, clients = audience if audience is not None else selectors.audience_by_side(conversation)
    for user_ids, is_team in ((team, True), (clients, False)):
        if not user_ids:
            continue
        frame = {"type": frame_type, "conversation": conversation.pk, "message": sides.side(team=is_team)}
        realtime.publish(organization_id=conversation.organization_id, user_ids=user_ids, frame=frame)


def message_created(conversation: Conversation, message: Message, *, sides: serialize.MessageSides | None = None,
                    audience: Audience | None = None) -> None:
    """A message made in the current transaction. ``sides``/``audience``: what the sending service
    already has (the message is serialized once for its frames and the API's answer; the audience is
    read once for the bells and the frames)."""
    message.conversation = conversation
    _message_frames(conversation, sides or serialize.new_message_sides(message), "message.created", audience)


def message_updated(conversation: Conversation, message: Message) -> None:
    """An edit, a deletion, a reaction, a new delivery state. The message is read again: a caller's copy
    may hold reactions or files prefetched before the change."""
    fresh = serialize.with_details(Message.objects.filter(pk=message.pk)).first() or message
    fresh.conversation = conversation
    facts = serialize.ThreadFacts.load(conversation)
    sides = serialize.MessageSides(lambda team: serialize.message_json(fresh, team=team, facts=facts))
    _message_frames(conversation, sides, "message.updated")


def message_read(conversation: Conversation, *, user_id: int, up_to: int) -> None:
    frame: dict[str, Any] = {"type": "message.read", "conversation": conversation.pk, "user": user_id,
                             "up_to": up_to}
    realtime.publish(organization_id=conversation.organization_id,
                     user_ids=selectors.audience_user_ids(conversation), frame=frame)
