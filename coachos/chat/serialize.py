"""The JSON of a message and of a conversation: what the API returns and what the socket frames carry.

One shape for both, so a page can put a frame's message where a fetched one would go. It depends on
the side of the viewer only (team or client), never on the person: a frame is built once per side.
A client sees the other people of a conversation by their first names only, and no client record ids
but their own. Times are ISO 8601 in the business's zone, with the offset.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.comms.models import OutboundMessage

from . import links
from .models import Attachment, Conversation, ConversationState, Message

Kind = Message.Kind
OutStatus = OutboundMessage.Status

CHANNELS: dict[str, str] = {Kind.IN_APP: "in_app", Kind.SMS_IN: "sms", Kind.SMS_OUT: "sms", Kind.EMAIL_OUT: "email",
            Kind.SYSTEM: "system"}
OUTBOUND_STATES: dict[str, str] = {
    OutStatus.QUEUED: "sending", OutStatus.DEFERRED: "sending", OutStatus.SENDING: "sending",
    OutStatus.SENT: "sent", OutStatus.DELIVERED: "delivered", OutStatus.FAILED: "failed",
    OutStatus.SUPPRESSED: "failed",
}
PREVIEW_LENGTH = 140


def first_name(user: Any) -> str:
    name = (getattr(user, "name", "") or "").split()
    return name[0] if name else _("Team")


def full_name(user: Any) -> str:
    return (getattr(user, "name", "") or "").strip() or _("Team")


def when(value: datetime | None, conversation: Conversation) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value, conversation.organization.tzinfo).isoformat()


def preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1] + "…"


@dataclass
class ThreadFacts:
    """Who has read and received what in one conversation (its states, loaded once)."""

    conversation: Conversation
    states: dict[int, tuple[int, int]] = field(default_factory=dict)  # user id -> (read up to, delivered up to)

    @classmethod
    def load(cls, conversation: Conversation) -> ThreadFacts:
        rows = ConversationState.objects.filter(conversation=conversation).values_list(
            "user_id", "last_read_id", "last_delivered_id")
        return cls(conversation, {user_id: (read, delivered) for user_id, read, delivered in rows})

    @classmethod
    def new_message(cls, conversation: Conversation) -> ThreadFacts:
        """For a message made in the current transaction: no one else's read or delivered mark can be
        past it yet (marks only ever point at messages they fetched), so no states need reading."""
        return cls(conversation)

    def _others(self, message: Message) -> list[tuple[int, int]]:
        """The pointers of the people on the other side of this message."""
        conversation = self.conversation
        if conversation.is_group or conversation.client is None:
            return [v for user_id, v in self.states.items() if user_id != message.sender_id]
        client_user = conversation.client.user_id
        from_client = message.sender_client_id is not None
        if from_client:
            return [v for user_id, v in self.states.items() if user_id != client_user]
        return [v for user_id, v in self.states.items() if user_id == client_user]

    def state(self, message: Message) -> tuple[str | None, str | None]:
        """(state, error) of a message: sending/sent/delivered/read, or failed with the reason."""
        if message.kind in (Kind.SMS_OUT, Kind.EMAIL_OUT):
            outbound = message.outbound
            if outbound is None:
                return "sent", None
            state = OUTBOUND_STATES.get(outbound.status, "sending")
            return state, (outbound.last_error or None) if state == "failed" else None
        if message.kind in (Kind.SMS_IN, Kind.SYSTEM):
            return None, None
        others = self._others(message)
        if any(read >= message.pk for read, _delivered in others):
            return "read", None
        if any(delivered >= message.pk for _read, delivered in others):
            return "delivered", None
        return "sent", None


def sender_json(message: Message, *, team: bool) -> dict[str, Any]:
    if message.kind == Kind.SYSTEM:
        return {"id": None, "client": None, "name": "", "team": True}
    client = message.sender_client
    if client is not None:
        return {"id": message.sender_id, "client": client.pk if team else None,
                "name": client.full_name if team else client.first_name, "team": False}
    user = message.sender
    return {"id": message.sender_id, "client": None,
            "name": full_name(user) if team else first_name(user), "team": True}


def attachment_json(attachment: Attachment, *, slug: str, team: bool) -> dict[str, Any]:
    return {
        "id": attachment.pk, "name": attachment.name, "size": attachment.size,
        "content_type": attachment.content_type, "is_image": attachment.is_image,
        "url": links.attachment_path(slug=slug, attachment_id=attachment.pk, team=team),
        "thumbnail_url": (links.attachment_path(slug=slug, attachment_id=attachment.pk, team=team, thumbnail=True)
                          if attachment.thumbnail else None),
        "api_url": links.attachment_api_path(attachment.pk),
    }


def _reactions(message: Message) -> list[dict[str, Any]]:
    grouped: dict[str, list[int]] = {}
    for reaction in message.reactions.all():
        grouped.setdefault(reaction.emoji, []).append(reaction.user_id)
    return [{"emoji": emoji, "count": len(users), "users": users} for emoji, users in grouped.items()]


def message_json(message: Message, *, team: bool, facts: ThreadFacts | None = None,
                 just_sent: Sequence[Attachment] | None = None) -> dict[str, Any]:
    """A message as the API and the frames show it. ``just_sent``: the files of a message made in the
    current transaction (which has no reactions yet); otherwise its reactions and files are read (or
    taken from a prefetch, see ``with_details``)."""
    conversation = message.conversation
    facts = facts or ThreadFacts.load(conversation)
    deleted = message.deleted_at is not None
    state, error = facts.state(message)
    slug = conversation.organization.slug
    if deleted:
        reactions: list[dict[str, Any]] = []
        attached: list[dict[str, Any]] = []
    elif just_sent is not None:
        reactions = []
        attached = [attachment_json(a, slug=slug, team=team) for a in just_sent]
    else:
        reactions = _reactions(message)
        attached = [attachment_json(a, slug=slug, team=team) for a in message.attachments.all()]
    return {
        "id": message.pk,
        "conversation": conversation.pk,
        "kind": str(message.kind),
        "channel": CHANNELS.get(message.kind, "in_app"),
        "body": "" if deleted else message.body,
        "sender": sender_json(message, team=team),
        "client_key": message.client_key,
        "created_at": when(message.created_at, conversation),
        "edited_at": when(message.edited_at, conversation),
        "edited": message.edited_at is not None,
        "deleted": deleted,
        "state": state,
        "error": error,
        "reactions": reactions,
        "attachments": attached,
    }


class MessageSides:
    """One message's JSON for each side (team, clients), each built at most once and shared: the
    frames of both sides and the API's answer to the sender are the same dicts."""

    def __init__(self, build: Callable[[bool], dict[str, Any]]) -> None:
        self._build = build
        self._built: dict[bool, dict[str, Any]] = {}

    def side(self, *, team: bool) -> dict[str, Any]:
        if team not in self._built:
            self._built[team] = self._build(team)
        return self._built[team]


def new_message_sides(message: Message, *, files: Sequence[Attachment] = ()) -> MessageSides:
    """The sides of a message made in the current transaction, without reading anything back: its
    state is "sent" (or its text's or email's), it has no reactions, and its files are ``files``."""
    facts = ThreadFacts.new_message(message.conversation)
    return MessageSides(lambda team: message_json(message, team=team, facts=facts, just_sent=files))


THREAD_RELATED = ("sender", "sender_client", "outbound", "conversation__organization", "conversation__client")


def with_details(messages: Any) -> Any:
    """A message queryset with what ``message_json`` reads, in a fixed number of queries."""
    return messages.select_related(*THREAD_RELATED).prefetch_related("reactions", "attachments")


def messages_json(messages: Sequence[Message], *, team: bool, conversation: Conversation) -> list[dict[str, Any]]:
    facts = ThreadFacts.load(conversation)
    for message in messages:
        message.conversation = conversation  # one organization and client object for all
    return [message_json(m, team=team, facts=facts) for m in messages]


def conversation_title(conversation: Conversation, *, team: bool) -> str:
    if conversation.is_group:
        return conversation.title
    if team and conversation.client is not None:
        return conversation.client.full_name
    return conversation.organization.name


def conversation_json(conversation: Conversation, *, team: bool, unread: int = 0, archived: bool = False,
                      muted: bool = False, last_message: Message | None = None,
                      members: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    coach = conversation.client.coach_membership if conversation.client is not None else None
    owner = None
    if coach is not None and coach.user is not None:
        owner = {"id": coach.user_id, "name": full_name(coach.user) if team else first_name(coach.user)}
    last = None
    if last_message is not None:
        deleted = last_message.deleted_at is not None
        last = {
            "id": last_message.pk, "kind": str(last_message.kind),
            "preview": "" if deleted else preview(last_message.body),
            "sender": sender_json(last_message, team=team)["name"],
            "created_at": when(last_message.created_at, conversation), "deleted": deleted,
        }
    return {
        "id": conversation.pk,
        "kind": str(conversation.kind),
        "client": conversation.client_id,
        "title": conversation_title(conversation, team=team),
        "owner": owner,
        "unread": unread,
        "archived": archived,
        "muted": muted,
        "last_message": last,
        "last_activity_at": when(conversation.last_activity_at, conversation),
        "created_at": when(conversation.created_at, conversation),
        "members": list(members),
    }
