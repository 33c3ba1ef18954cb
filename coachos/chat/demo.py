"""Demo conversations for Northside Strength. Idempotent (every row is found by its key first).

- Olivia (the portal login client@northside.example) and her coach: three days of history, a photo
  of a form check she asked about, a reaction, and her last question still unread by the team.
- The texts clients sent the business's number (comms' demo) in their conversations; for the client
  who was running late, the coach's answer by text, delivered: a thread of texts.
- A group for the Saturday bootcamp: the coach and four clients.

Written as rows, not through the services: this is history, so nobody is notified, nothing is sent
and no frames go out. Times are relative to now.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.comms import outbox
from coachos.comms.models import Channel, InboundMessage, OutboundMessage
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from .models import ChatSettings, Conversation, ConversationState, GroupMember, Message, Reaction

Kind = Message.Kind
GROUP_TITLE = "Saturday bootcamp"

# (minutes before now, who: "coach" | "client", text)
HISTORY: list[tuple[int, str, str]] = [
    (3 * 24 * 60 + 50, "client", "Hi Jordan! Quick question before Thursday: should I eat before a 7 am session?"),
    (3 * 24 * 60 + 35, "coach", "Morning sessions: a banana or a slice of toast 30–45 minutes before is plenty. "
                                "Big breakfast after!"),
    (3 * 24 * 60 + 33, "client", "Perfect, thanks 🙌"),
    (2 * 24 * 60 + 20, "coach", "Great work today. Your squat depth is much better. Homework: 3×10 goblet squats "
                                "on Saturday, light."),
    (2 * 24 * 60 + 5, "client", "Will do! My left knee felt a bit tight at the bottom though."),
    (2 * 24 * 60 + 1, "coach", "Thanks for telling me. Film one set from the side and send it over; we'll look at "
                               "it together."),
    (24 * 60 + 90, "client", "Here's the video frame from my set. Does that look OK?"),
    (24 * 60 + 60, "coach", "Knee tracks over the toes and the back is neutral: that's fine. Add a 5-minute warm-up "
                            "on the bike before."),
    (38, "client", "Can we move Thursday to 6 pm? Work is crazy this week."),
]


def _key(name: str) -> str:
    return f"demo:{name}"


def _message(organization: Organization, conversation: Conversation, *, kind: str, body: str, at: datetime,
             key: str | None = None, sender: Any = None, client: Client | None = None, **extra: Any) -> Message:
    return Message.objects.create(organization=organization, conversation=conversation, kind=kind, body=body,
                                  created_at=at, client_key=key, sender=sender, sender_client=client, **extra)


def _touch(conversation: Conversation) -> None:
    last = Message.objects.filter(conversation=conversation).order_by("-pk").values_list("created_at", flat=True)
    at = last.first()
    if at is not None:
        Conversation.objects.filter(pk=conversation.pk).update(last_activity_at=at)


def _read(conversation: Conversation, user_id: int, up_to: int) -> None:
    ConversationState.objects.update_or_create(
        conversation=conversation, user_id=user_id,
        defaults={"organization_id": conversation.organization_id, "last_read_id": up_to,
                  "last_delivered_id": up_to})


def _conversation(organization: Organization, client: Client, at: datetime) -> Conversation:
    conversation, _created = Conversation.objects.get_or_create(
        organization=organization, client=client, kind=Conversation.Kind.DIRECT,
        defaults={"created_at": at, "last_activity_at": at})
    return conversation


def _history(organization: Organization, client: Client, coach: Any, team: list[int], now: datetime) -> None:
    conversation = _conversation(organization, client, now - timedelta(days=4))
    if Message.objects.filter(conversation=conversation, client_key__startswith=_key("history")).exists():
        return
    made: list[Message] = []
    for n, (minutes, who, text) in enumerate(HISTORY):
        at = now - timedelta(minutes=minutes)
        if who == "coach":
            made.append(_message(organization, conversation, kind=Kind.IN_APP, body=text, at=at, sender=coach,
                                 key=_key(f"history:{n}")))
        else:
            made.append(_message(organization, conversation, kind=Kind.IN_APP, body=text, at=at, sender=client.user,
                                 client=client, key=_key(f"history:{n}")))
    Reaction.objects.get_or_create(organization=organization, message=made[1], user=client.user, emoji="👍")
    if client.user_id is not None:
        _read(conversation, client.user_id, made[-2].pk)  # she read the coach's last answer
    for user_id in team:
        _read(conversation, user_id, made[-2].pk)  # her last question is still unread
    _touch(conversation)


def _texts(organization: Organization, coach: Any, team: list[int], now: datetime) -> None:
    texts = (InboundMessage.objects.filter(handled_as=InboundMessage.Handling.MESSAGE, client__isnull=False)
             .select_related("client").order_by("received_at", "pk"))
    for text in texts:
        conversation = _conversation(organization, text.client, text.received_at - timedelta(days=1))  # type: ignore[arg-type]
        message, created = Message.objects.get_or_create(
            inbound=text, defaults={"organization": organization, "conversation": conversation, "kind": Kind.SMS_IN,
                                    "sender_client": text.client, "body": text.body,
                                    "created_at": text.received_at})
        if text.read_at is not None and created:
            for user_id in team:
                _read(conversation, user_id, message.pk)
            _reply_by_text(organization, conversation, message, coach, text.read_at)
        _touch(conversation)


def _reply_by_text(organization: Organization, conversation: Conversation, question: Message, coach: Any,
                   at: datetime) -> None:
    """The coach's answer to a text, by text: sent and delivered."""
    client = conversation.client
    if client is None or not client.phone:
        return
    key = _key(f"chat-reply:{question.pk}")
    outbound = OutboundMessage.objects.filter(dedupe_key=key).first()
    body = "No problem, see you in a few minutes!"
    if outbound is None:
        outbound = OutboundMessage.objects.create(
            organization=organization, channel=Channel.SMS, kind="custom", client=client, to=client.phone,
            sender=outbox.sender_for(organization, Channel.SMS), body=body, dedupe_key=key, scheduled_for=at,
            status=OutboundMessage.Status.DELIVERED, attempts=1, sent_at=at, delivered_at=at + timedelta(seconds=4),
            provider_id=f"SMdemo{organization.pk:04d}reply{question.pk}"[:64])
    reply = _message(organization, conversation, kind=Kind.SMS_OUT, body=body, at=at, sender=coach, outbound=outbound,
                     key=key)
    OutboundMessage.objects.filter(pk=outbound.pk).update(related_type="message", related_id=reply.pk)


def _group(organization: Organization, coach_membership: Membership | None, now: datetime) -> None:
    if Conversation.objects.filter(kind=Conversation.Kind.GROUP, title=GROUP_TITLE).exists():
        return
    start = now - timedelta(days=6)
    group = Conversation.objects.create(organization=organization, kind=Conversation.Kind.GROUP, title=GROUP_TITLE,
                                        created_at=start, last_activity_at=start,
                                        created_by=coach_membership.user if coach_membership else None)
    members = list(Client.objects.order_by("pk")[:4])  # Olivia (the portal login) among them
    GroupMember.objects.bulk_create([GroupMember(organization=organization, conversation=group, client=c)
                                     for c in members])
    if coach_membership is None:
        return
    GroupMember.objects.create(organization=organization, conversation=group, membership=coach_membership)
    coach = coach_membership.user
    lines = [
        (start + timedelta(hours=1), coach, None, "Welcome to the Saturday bootcamp group! Bring water and a mat. "
                                                  "We start at 8:00 sharp."),
        (start + timedelta(hours=3), None, members[-1] if members else None, "Can't wait. Is there parking?"),
        (start + timedelta(hours=3, minutes=12), coach, None, "Yes, behind the gym, free on Saturdays."),
        (now - timedelta(hours=20), coach, None, "Tomorrow: outdoor if it's dry, the studio if it rains. "
                                                 "I'll post here by 7."),
    ]
    for n, (at, sender, client, text) in enumerate(lines):
        _message(organization, group, kind=Kind.IN_APP, body=text, at=at, key=_key(f"group:{n}"),
                 sender=sender if sender is not None else getattr(client, "user", None), client=client)
    _touch(group)


def seed_chat(organization: Organization) -> None:
    now = timezone.now()
    with scope(organization=organization):
        ChatSettings.objects.get_or_create(organization=organization)
        team = list(Membership.objects.filter(role__in=[Role.OWNER, Role.COACH, Role.STAFF]).order_by("pk"))
        coach_membership = next((m for m in team if m.role == Role.COACH), team[0] if team else None)
        if coach_membership is None:
            return
        coach = coach_membership.user
        team_ids = [m.user_id for m in team]
        portal = Client.objects.filter(user__isnull=False).select_related("user").order_by("pk").first()
        if portal is not None:
            if portal.coach_membership_id is None:
                Client.objects.filter(pk=portal.pk).update(coach_membership=coach_membership)
            _history(organization, portal, coach, team_ids, now)
        _texts(organization, coach, team_ids, now)
        _group(organization, coach_membership, now)
