"""Who may read which conversation, and the reads the API, the pages and the socket share.

The one rule (``visible_conversations``): a team member sees the direct conversations of the clients
``clients_visible_to`` gives them (a coach limited to their own clients sees only those) and every
group when they see every client, or the groups they belong to otherwise; a client sees their own
conversation and the groups they belong to. Anything else is a 404 (``conversation_for``), so a
conversation of another client or another business reads the same as no conversation at all.
Call these inside the business's scope.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from coachos.clients.selectors import clients_visible_to, sees_every_client
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import TEAM_ROLES, Role

from . import serialize
from .models import (
    DEFAULT_UNREAD_TEXT_MINUTES,
    ChatSettings,
    Conversation,
    ConversationState,
    GroupMember,
    Message,
)
from .viewers import Viewer, viewer_for

__all__ = ["Viewer", "viewer_for", "conversation_for", "audience_user_ids", "message_json"]

Kind = Message.Kind
MAX_PAGE = 200


def chat_settings_for(organization: Organization) -> ChatSettings:
    """The business's chat settings, or the defaults (unsaved) when it never changed them."""
    found = ChatSettings.objects.filter(organization=organization).first()
    return found or ChatSettings(organization=organization, unread_text_after_minutes=DEFAULT_UNREAD_TEXT_MINUTES)


# --- who sees what ---------------------------------------------------------------------------------

def visible_conversations(viewer: Viewer) -> QuerySet[Conversation]:
    conversations = Conversation.objects.filter(organization=viewer.organization)
    membership = viewer.membership
    if viewer.is_team:
        if sees_every_client(membership):
            return conversations
        in_group = Exists(GroupMember.objects.filter(conversation=OuterRef("pk"), membership=membership))
        return conversations.filter(Q(kind=Conversation.Kind.DIRECT, client__in=clients_visible_to(membership))
                                    | Q(Q(kind=Conversation.Kind.GROUP) & in_group))
    if not viewer.client_ids:
        return conversations.none()
    in_group = Exists(GroupMember.objects.filter(conversation=OuterRef("pk"), client_id__in=viewer.client_ids))
    return conversations.filter(Q(kind=Conversation.Kind.DIRECT, client_id__in=viewer.client_ids)
                                | Q(Q(kind=Conversation.Kind.GROUP) & in_group))


# What the thread, the send and its bells read of a conversation: joined in its one lookup.
CONVERSATION_RELATED = ("organization", "client__coach_membership__user", "client__user")


def conversation_visible_or_none(viewer: Viewer, conversation_id: int) -> Conversation | None:
    found = (visible_conversations(viewer).filter(pk=conversation_id).select_related(*CONVERSATION_RELATED)
             .order_by()[:1])  # one row by its key: no ORDER BY to build
    return next(iter(found), None)


def conversation_visible(viewer: Viewer, conversation_id: int) -> Conversation:
    found = conversation_visible_or_none(viewer, conversation_id)
    if found is None:
        raise Http404("No such conversation.")
    return found


def conversation_for(*, user: Any, organization: Organization, conversation_id: int) -> Conversation:
    """The conversation if this user may read it now; Http404 otherwise (another client's, another
    business's, a coach's who may not see the client, or none)."""
    viewer = viewer_for(user=user, organization=organization)
    if viewer is None:
        raise Http404("No such conversation.")
    return conversation_visible(viewer, conversation_id)


def message_in(conversation: Conversation, message_id: int) -> Message:
    found = serialize.with_details(Message.objects.filter(conversation=conversation, pk=message_id)).first()
    if found is None:
        raise Http404("No such message.")
    found.conversation = conversation
    return found


def _team_who_may_see(conversation: Conversation) -> QuerySet[Membership]:
    team = Membership.objects.filter(organization_id=conversation.organization_id, role__in=TEAM_ROLES,
                                     user__is_active=True)
    limited = Q(role=Role.COACH, sees_all_clients=False)
    if conversation.is_group:
        members = GroupMember.objects.filter(conversation=conversation, membership__isnull=False)
        return team.filter(~limited | Q(pk__in=members.values("membership_id")))
    coach_id = conversation.client.coach_membership_id if conversation.client is not None else None
    return team.filter(~limited | Q(pk=coach_id)) if coach_id else team.exclude(limited)


def _client_user_ids(conversation: Conversation) -> list[int]:
    if conversation.is_group:
        return list(GroupMember.objects.filter(conversation=conversation, client__user__isnull=False,
                                               client__user__is_active=True)
                    .values_list("client__user_id", flat=True))
    client = conversation.client
    if client is None or client.user_id is None:
        return []
    return [client.user_id] if client.user is not None and client.user.is_active else []


def audience_user_ids(conversation: Conversation) -> list[int]:
    """Every user who may read the conversation now: the team members who may see it and the client's
    portal login (or, for a group, its members' logins)."""
    team = list(_team_who_may_see(conversation).values_list("user_id", flat=True))
    return sorted(set(team) | set(_client_user_ids(conversation)))


def audience_by_side(conversation: Conversation) -> tuple[list[int], list[int]]:
    """(team user ids, client user ids) of the audience: each side gets its own JSON."""
    clients = set(_client_user_ids(conversation))
    team = set(_team_who_may_see(conversation).values_list("user_id", flat=True)) - clients
    return sorted(team), sorted(clients)


def recipients_of(conversation: Conversation, message: Message,
                  client_user_ids: Iterable[int] | None = None) -> list[int]:
    """Whom a new message is news for (a bell, and an email if they do not read it): the client's coach
    (or the owners when the client has none) for what the client writes; the client for what the team
    writes; the other members of a group. Never the sender, nobody who muted the conversation.
    ``client_user_ids``: the audience's client side when the caller has read it (``audience_by_side``)."""
    clients = list(client_user_ids) if client_user_ids is not None else None
    if conversation.is_group:
        team = GroupMember.objects.filter(conversation=conversation, membership__isnull=False,
                                          membership__user__is_active=True).values_list("membership__user_id",
                                                                                        flat=True)
        users = set(team) | set(clients if clients is not None else _client_user_ids(conversation))
    elif message.sender_client_id is not None or message.kind == Kind.SMS_IN:
        client = conversation.client
        coach = client.coach_membership if client is not None else None
        if coach is not None and coach.is_team and coach.user.is_active:
            users = {coach.user_id}
        else:
            users = set(Membership.objects.filter(organization_id=conversation.organization_id, role=Role.OWNER,
                                                  user__is_active=True).values_list("user_id", flat=True))
    else:
        users = set(clients if clients is not None else _client_user_ids(conversation))
    users.discard(message.sender_id)  # type: ignore[arg-type]
    muted = set(ConversationState.objects.filter(conversation=conversation, user_id__in=users, muted=True)
                .values_list("user_id", flat=True))
    return sorted(users - muted)


# --- messages ------------------------------------------------------------------------------------

def message_json(message: Message, *, viewer: Viewer) -> dict[str, Any]:
    """The API's (and the frames') JSON of one message, for this viewer's side."""
    return serialize.message_json(message, team=viewer.is_team)


@dataclass(frozen=True)
class ThreadQuery:
    after: int | None = None
    before: int | None = None
    limit: int = 50
    q: str = ""


def thread_messages(conversation: Conversation, query: ThreadQuery) -> list[Message]:
    """A page of the thread, oldest first: after an id (what a reconnecting page missed), before an id
    (one page further back in history), or the latest page; ``q`` searches the text."""
    limit = max(1, min(query.limit, MAX_PAGE))
    messages = Message.objects.filter(conversation=conversation)
    if query.q.strip():
        for term in query.q.split()[:5]:
            messages = messages.filter(body__icontains=term)
        messages = messages.filter(deleted_at__isnull=True)
    if query.after is not None:
        page = list(serialize.with_details(messages.filter(pk__gt=query.after).order_by("pk"))[:limit])
        return page
    if query.before is not None:
        messages = messages.filter(pk__lt=query.before)
    page = list(serialize.with_details(messages.order_by("-pk"))[:limit])
    page.reverse()
    return page


# --- the list ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ListFilters:
    unread: bool = False
    mine: bool = False
    archived: bool = False
    q: str = ""


class BadCursor(ValueError):
    pass


def encode_cursor(at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        at, _sep, pk = text.partition("|")
        moment = datetime.fromisoformat(at)
        number = int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadCursor(raw) from None
    if moment.tzinfo is None or not 0 < number < 2**63:
        raise BadCursor(raw)
    return moment, number


def _annotated(viewer: Viewer, conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    mine = ConversationState.objects.filter(conversation=OuterRef("pk"), user=viewer.user)
    unread = (Message.objects.filter(conversation=OuterRef("pk"), pk__gt=OuterRef("my_read"), deleted_at__isnull=True)
              .exclude(kind=Kind.SYSTEM).exclude(sender=viewer.user)
              .order_by().values("conversation").annotate(n=Count("pk")).values("n"))
    latest = Message.objects.filter(conversation=OuterRef("pk")).exclude(kind=Kind.SYSTEM).order_by("-pk")
    return conversations.annotate(
        my_read=Coalesce(Subquery(mine.values("last_read_id")[:1]), Value(0), output_field=IntegerField()),
        my_archived=Exists(mine.filter(archived_at__isnull=False)),
        my_muted=Exists(mine.filter(muted=True)),
    ).annotate(
        unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
        last_message_id=Subquery(latest.values("pk")[:1]),
    )


def conversation_list(viewer: Viewer, filters: ListFilters, *, cursor: str = "",
                      limit: int = 30) -> tuple[list[dict[str, Any]], str | None]:
    """A page of the viewer's conversations, most recent first, as JSON; and the next page's cursor."""
    conversations = _annotated(viewer, visible_conversations(viewer))
    conversations = conversations.filter(Q(my_archived=filters.archived))  # annotations: in Q (see clients)
    if filters.unread:
        conversations = conversations.filter(Q(unread__gt=0))
    if filters.mine and viewer.is_team:
        conversations = conversations.filter(
            Q(client__coach_membership=viewer.membership)
            | Q(Exists(GroupMember.objects.filter(conversation=OuterRef("pk"), membership=viewer.membership))))
    if filters.q.strip():
        for term in filters.q.split()[:5]:
            said = Exists(Message.objects.filter(conversation=OuterRef("pk"), body__icontains=term,
                                                 deleted_at__isnull=True))
            match = Q(title__icontains=term) | Q(said)
            if viewer.is_team:
                match |= Q(client__first_name__icontains=term) | Q(client__last_name__icontains=term)
            conversations = conversations.filter(match)
    if cursor:
        at, pk = decode_cursor(cursor)
        conversations = conversations.filter(Q(last_activity_at__lt=at) | Q(last_activity_at=at, pk__lt=pk))
    limit = max(1, min(limit, 100))
    page = list(conversations.select_related("organization", "client__coach_membership__user")
                .order_by("-last_activity_at", "-pk")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return [conversation_row(viewer, c) for c in _with_last_messages(page)], (
        encode_cursor(page[-1].last_activity_at, page[-1].pk) if more and page else None)


def _with_last_messages(conversations: list[Conversation]) -> list[Conversation]:
    ids = [c.last_message_id for c in conversations if getattr(c, "last_message_id", None)]  # type: ignore[attr-defined]
    found = {m.pk: m for m in Message.objects.filter(pk__in=ids).select_related("sender", "sender_client")}
    groups = [c.pk for c in conversations if c.is_group]
    members: dict[int, list[GroupMember]] = {}
    for member in (GroupMember.objects.filter(conversation_id__in=groups)
                   .select_related("client", "membership__user")):
        members.setdefault(member.conversation_id, []).append(member)
    for conversation in conversations:
        conversation.last_message = found.get(conversation.last_message_id)  # type: ignore[attr-defined]
        conversation.group_members = members.get(conversation.pk, [])  # type: ignore[attr-defined]
    return conversations


def members_json(members: list[GroupMember], *, team: bool) -> list[dict[str, Any]]:
    rows = []
    for member in members:
        if member.client is not None:
            name = member.client.full_name if team else member.client.first_name
            rows.append({"name": name, "team": False, "client": member.client_id if team else None})
        elif member.membership is not None:
            user = member.membership.user
            rows.append({"name": serialize.full_name(user) if team else serialize.first_name(user), "team": True,
                         "client": None})
    return rows


def conversation_row(viewer: Viewer, conversation: Conversation) -> dict[str, Any]:
    """One annotated conversation (``_annotated`` + ``_with_last_messages``) as JSON."""
    return serialize.conversation_json(
        conversation, team=viewer.is_team, unread=getattr(conversation, "unread", 0),
        archived=getattr(conversation, "my_archived", False), muted=getattr(conversation, "my_muted", False),
        last_message=getattr(conversation, "last_message", None),
        members=members_json(getattr(conversation, "group_members", []), team=viewer.is_team))


def conversation_detail(viewer: Viewer, conversation: Conversation) -> dict[str, Any]:
    annotated = _annotated(viewer, Conversation.objects.filter(pk=conversation.pk)).select_related(
        "organization", "client__coach_membership__user").get()
    return conversation_row(viewer, _with_last_messages([annotated])[0])


def state_of(conversation: Conversation, user: Any) -> ConversationState | None:
    return ConversationState.objects.filter(conversation=conversation, user=user).first()
