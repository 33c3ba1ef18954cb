"""Every write of chat: conversations, messages (in the app, by text, by email), edits, deletions,
reactions, read marks, archive and mute, reports, and texts that clients send in.

Each is one transaction. Idempotent where a retry is likely: the client's conversation is made once
(a unique constraint; a race loses to the winner and returns its row), and a message is made once
per ``client_key`` of its sender. Side effects leave after commit: frames to sockets
(``frames``/``realtime.publish``), texts and emails through the comms outbox. Deletions, edits by
text or email, reports and group creation are audited (ids only, never text).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.comms import outbox
from coachos.comms.models import Channel, InboundMessage, Notification
from coachos.tenancy import audit
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from . import alerts, attachments, frames, realtime, selectors, serialize
from .errors import CONFLICT, FORBIDDEN, RATE_LIMITED, ChatError
from .models import (
    Attachment,
    ChatSettings,
    Conversation,
    ConversationState,
    GroupMember,
    Message,
    MessageEdit,
    MessageReport,
    Reaction,
)
from .viewers import Viewer, viewer_for

logger = logging.getLogger("coachos.chat")

Kind = Message.Kind
BODY_MAX = 4000
SMS_MAX = 1600
TITLE_MAX = 120
EDIT_WINDOW = timedelta(minutes=5)
RATE_LIMIT = 30  # messages a person may send a minute
RATE_WINDOW = 60
MAX_ATTACHMENTS = 10
EMOJI_MAX = 16
CHANNEL_KINDS = {"in_app": Kind.IN_APP, "sms": Kind.SMS_OUT, "email": Kind.EMAIL_OUT}


def _viewer(actor: Any, organization: Organization) -> Viewer:
    viewer = viewer_for(user=actor, organization=organization)
    if viewer is None:
        raise ChatError(_("You are not a member of this business."), code=FORBIDDEN)
    return viewer


# --- conversations -------------------------------------------------------------------------------

def conversation_get_or_create(*, client: Client, actor: Any = None) -> tuple[Conversation, bool]:
    """The client's conversation, made on first use: (conversation, created). Two first calls at the
    same moment make one conversation; both get it."""
    existing = Conversation.objects.filter(organization_id=client.organization_id, client=client,
                                           kind=Conversation.Kind.DIRECT).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                organization_id=client.organization_id, client=client, kind=Conversation.Kind.DIRECT,
                created_by=actor if getattr(actor, "is_authenticated", False) else None)
    except IntegrityError:
        return Conversation.objects.get(organization_id=client.organization_id, client=client,
                                        kind=Conversation.Kind.DIRECT), False
    logger.info("conversation created", extra={"conversation_id": conversation.pk,
                                               "organization_id": client.organization_id})
    return conversation, True


@transaction.atomic
def group_create(*, organization: Organization, actor: Any, title: str, clients: Sequence[Client] = (),
                 memberships: Sequence[Membership] = ()) -> Conversation:
    """A group conversation (a class, a cohort) with these clients and team members; its creator joins."""
    viewer = _viewer(actor, organization)
    if not viewer.is_team:
        raise ChatError(_("Only the team can start a group."), code=FORBIDDEN)
    title = " ".join(title.split())
    if not title:
        raise ChatError(_("Give the group a name."), field="title")
    if len(title) > TITLE_MAX:
        raise ChatError(_("The name can be at most %(n)d characters.") % {"n": TITLE_MAX}, field="title")
    visible = set(clients_visible_to(viewer.membership).filter(pk__in=[c.pk for c in clients])
                  .values_list("pk", flat=True))
    if any(c.pk not in visible for c in clients):
        raise ChatError(_("No such client in this business."), field="clients")
    if any(not m.is_team or m.organization_id != organization.pk for m in memberships):
        raise ChatError(_("Only team members can be added as staff."), field="memberships")
    conversation = Conversation.objects.create(organization=organization, kind=Conversation.Kind.GROUP,
                                               title=title, created_by=actor)
    team = {m.pk: m for m in memberships}
    team.setdefault(viewer.membership.pk, viewer.membership)
    GroupMember.objects.bulk_create(
        [GroupMember(organization=organization, conversation=conversation, client=c) for c in
         {c.pk: c for c in clients}.values()]
        + [GroupMember(organization=organization, conversation=conversation, membership=m) for m in team.values()])
    audit.log(organization=organization, actor=actor, action="chat.group_created", obj=conversation,
              data={"clients": len(set(visible)), "team": len(team)})
    return conversation


def _state(conversation: Conversation, user_id: int) -> ConversationState:
    state, _created = ConversationState.objects.get_or_create(
        conversation=conversation, user_id=user_id, defaults={"organization_id": conversation.organization_id})
    return state


@transaction.atomic
def conversation_archive(*, conversation: Conversation, actor: Any, archived: bool,
                         now: datetime | None = None) -> ConversationState:
    """Archive (or bring back) the conversation for this person only."""
    state = _state(conversation, actor.pk)
    if archived and state.archived_at is None:
        state.archived_at = now or timezone.now()
        state.save(update_fields=["archived_at"])
    elif not archived and state.archived_at is not None:
        state.archived_at = None
        state.save(update_fields=["archived_at"])
    return state


@transaction.atomic
def conversation_mute(*, conversation: Conversation, actor: Any, muted: bool) -> ConversationState:
    """No bells or emails about this conversation for this person (they still see the unread count)."""
    state = _state(conversation, actor.pk)
    if state.muted != muted:
        state.muted = muted
        state.save(update_fields=["muted"])
    return state


@transaction.atomic
def conversation_mark_read(*, conversation: Conversation, actor: Any, up_to: int) -> int:
    """This person has read the conversation up to message ``up_to`` (never moves back). Their bell
    entries for those messages count as read too. Returns where their read mark now is."""
    if not Message.objects.filter(conversation=conversation, pk=up_to).exists():
        raise ChatError(_("No such message in this conversation."), field="up_to")
    state = _state(conversation, actor.pk)
    moved = ConversationState.objects.filter(pk=state.pk, last_read_id__lt=up_to).update(
        last_read_id=up_to, last_delivered_id=Greatest(F("last_delivered_id"), up_to))
    if moved:
        read_ids = Message.objects.filter(conversation=conversation, pk__lte=up_to).values("pk")
        Notification.objects.filter(organization_id=conversation.organization_id, user=actor,
                                    related_type="message", related_id__in=read_ids,
                                    read_at__isnull=True).update(read_at=timezone.now())
        frames.message_read(conversation, user_id=actor.pk, up_to=up_to)
    return max(state.last_read_id, up_to)


def conversation_mark_delivered(*, conversation: Conversation, actor: Any, up_to: int) -> None:
    """The person's app has fetched the thread up to ``up_to`` ("delivered" on the sender's side)."""
    updated = ConversationState.objects.filter(conversation=conversation, user=actor,
                                               last_delivered_id__lt=up_to).update(last_delivered_id=up_to)
    if not updated and not ConversationState.objects.filter(conversation=conversation, user=actor).exists():
        try:
            with transaction.atomic():
                ConversationState.objects.create(organization_id=conversation.organization_id,
                                                 conversation=conversation, user=actor, last_delivered_id=up_to)
            updated = 1
        except IntegrityError:
            pass
    if updated:
        _delivered_frame(conversation, actor, up_to)


def _delivered_frame(conversation: Conversation, actor: Any, up_to: int) -> None:
    """The sender's page shows "delivered" as soon as the other side's app has fetched the message: the
    latest in-app message of someone else up to there goes out again with its new state (the pages
    take it as "delivered up to here")."""
    latest = (Message.objects.filter(conversation=conversation, pk__lte=up_to, kind=Kind.IN_APP,
                                     deleted_at__isnull=True).exclude(sender=actor).order_by("-pk").first())
    if latest is not None:
        frames.message_updated(conversation, latest)


# --- messages ------------------------------------------------------------------------------------

def _rate_check(user_id: int) -> None:
    now = time.time()
    key = f"chat:sent:{user_id}:{int(now // RATE_WINDOW)}"
    cache = realtime.chat_cache()
    if cache.add(key, 1, RATE_WINDOW + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, RATE_WINDOW + 5)
            count = 1
    if count > RATE_LIMIT:
        wait = max(1, RATE_WINDOW - int(now % RATE_WINDOW))
        raise ChatError(ngettext_wait(wait), code=RATE_LIMITED, retry_after=wait)


def ngettext_wait(seconds: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("You are sending messages too fast. Try again in %(n)d second.",
                    "You are sending messages too fast. Try again in %(n)d seconds.", seconds) % {"n": seconds}


def _check_body(body: str, *, limit: int, required: bool) -> None:
    if "\x00" in body:
        raise ChatError(_("The message contains a character that cannot be sent."), field="body")
    if required and not body.strip():
        raise ChatError(_("Write a message first."), field="body")
    if len(body) > limit:
        raise ChatError(_("A message can be at most %(n)d characters.") % {"n": limit}, field="body")


def _sender_client(conversation: Conversation, viewer: Viewer) -> Client | None:
    if viewer.is_team:
        return None
    if not conversation.is_group:
        return conversation.client
    member = (GroupMember.objects.filter(conversation=conversation, client_id__in=viewer.client_ids)
              .select_related("client").first())
    return member.client if member is not None else None


def _attachments_for(actor: Any, attachment_ids: Sequence[int]) -> list[Attachment]:
    ids = list(dict.fromkeys(attachment_ids))
    if len(ids) > MAX_ATTACHMENTS:
        raise ChatError(_("At most %(n)d files per message.") % {"n": MAX_ATTACHMENTS}, field="attachments")
    found = list(Attachment.objects.select_for_update().filter(pk__in=ids, uploaded_by=actor, message__isnull=True))
    if len(found) != len(ids):
        raise ChatError(_("No such file to attach (upload it first; a file goes with one message)."),
                        field="attachments")
    return found


def message_send(*, conversation: Conversation, actor: Any, body: str, client_key: str, channel: str = "in_app",
                 attachment_ids: Sequence[int] = (), now: datetime | None = None,
                 viewer: Viewer | None = None) -> tuple[Message, bool]:
    """Send a message in the conversation: (message, created). The same ``client_key`` from the same
    sender is the same message: a retry returns the first one, even when both arrive at once.

    ``channel``: "in_app", or for the team in a client's conversation "sms" / "email" — written to
    the comms outbox (consent, STOP and quiet hours apply; a message that may not go is still shown,
    as failed, with the reason). ``viewer``: the sender's, when the caller has it (saves reading it again).

    A new message carries its JSON for each side (``sent_json``): its frames and the API's answer share it."""
    key = (client_key or "").strip()
    if not key or len(key) > 64:
        raise ChatError(_("Each message needs a key of 1 to 64 characters made by the app."), field="client_key")
    existing = _same_key(conversation, actor, key)
    if existing is not None:
        return _retry(existing, body)
    try:
        with transaction.atomic():
            message = _create(conversation=conversation, actor=actor, body=body, key=key, channel=channel,
                              attachment_ids=attachment_ids, now=now or timezone.now(), viewer=viewer)
    except IntegrityError:
        existing = _same_key(conversation, actor, key)
        if existing is None:
            raise
        return _retry(existing, body)
    return message, True


def _same_key(conversation: Conversation, actor: Any, key: str) -> Message | None:
    return Message.objects.filter(conversation=conversation, sender=actor, client_key=key).first()


def _retry(existing: Message, body: str) -> tuple[Message, bool]:
    if existing.body != body and existing.deleted_at is None and existing.edited_at is None:
        raise ChatError(_("This key was already used for another message."), code=CONFLICT, field="client_key")
    return existing, False


def sent_json(message: Message, *, team: bool) -> dict[str, Any]:
    """The JSON of a message ``message_send`` just made, for one side: the very dict its frames carry."""
    sides = getattr(message, "chat_sides", None)
    if isinstance(sides, serialize.MessageSides):
        return sides.side(team=team)
    return serialize.message_json(message, team=team)


def _create(*, conversation: Conversation, actor: Any, body: str, key: str, channel: str,
            attachment_ids: Sequence[int], now: datetime, viewer: Viewer | None) -> Message:
    organization = conversation.organization
    if viewer is None or viewer.user_id != actor.pk or viewer.organization.pk != organization.pk:
        viewer = _viewer(actor, organization)
    kind = CHANNEL_KINDS.get(channel)
    if kind is None:
        raise ChatError(_("Unknown channel."), field="channel")
    if kind != Kind.IN_APP and (not viewer.is_team or conversation.is_group):
        raise ChatError(_("Texts and emails go from the team to one client."), field="channel")
    if kind != Kind.IN_APP and attachment_ids:
        raise ChatError(_("Files can only be sent in the app."), field="attachments")
    _check_body(body, limit=SMS_MAX if kind == Kind.SMS_OUT else BODY_MAX, required=not attachment_ids)
    _rate_check(actor.pk)
    files = _attachments_for(actor, attachment_ids) if attachment_ids else []
    message = Message.objects.create(
        organization=organization, conversation=conversation, kind=kind, sender=actor,
        sender_client=_sender_client(conversation, viewer), body=body, client_key=key, created_at=now)
    if files:
        Attachment.objects.filter(pk__in=[f.pk for f in files]).update(message=message)
    if kind != Kind.IN_APP:
        _send_outside(message, conversation, actor, kind)
    Conversation.objects.filter(pk=conversation.pk, last_activity_at__lt=now).update(last_activity_at=now)
    # A new message brings an archived conversation back for everyone but its sender.
    ConversationState.objects.filter(conversation=conversation, archived_at__isnull=False).exclude(
        user=actor).update(archived_at=None)
    _sender_has_read(conversation, actor.pk, message.pk)
    message.conversation = conversation
    audience = selectors.audience_by_side(conversation)  # once, for the bells and the frames
    if kind == Kind.IN_APP:
        alerts.message_alerts(conversation, message, now=now, client_side=set(audience[1]))
    sides = serialize.new_message_sides(message, files=files)
    frames.message_created(conversation, message, sides=sides, audience=audience)
    message.chat_sides = sides  # type: ignore[attr-defined]  # for sent_json: the API's answer
    logger.info("chat message sent", extra={"message_id": message.pk, "conversation_id": conversation.pk,
                                            "kind": kind, "organization_id": organization.pk})
    return message


def _sender_has_read(conversation: Conversation, user_id: int, message_id: int) -> None:
    """The sender has read their own message (and all before it): one UPDATE of their state, made
    first (once) when they have none."""
    moves = {"last_read_id": message_id, "last_delivered_id": Greatest(F("last_delivered_id"), message_id)}
    mine = ConversationState.objects.filter(conversation=conversation, user_id=user_id)
    if not mine.filter(last_read_id__lt=message_id).update(**moves):
        state = _state(conversation, user_id)
        ConversationState.objects.filter(pk=state.pk, last_read_id__lt=message_id).update(**moves)


def _send_outside(message: Message, conversation: Conversation, actor: Any, kind: str) -> None:
    """A text or an email the coach wrote in the thread, through the outbox like any other."""
    client = conversation.client
    channel = Channel.SMS if kind == Kind.SMS_OUT else Channel.EMAIL
    template = "{message}" if channel == Channel.SMS else "{message}\n\n{business_name}"
    outbound = outbox.enqueue(organization=conversation.organization, channel=channel, kind="custom", client=client,
                              body=template, context={"message": message.body}, related=message,
                              dedupe_key=f"chat:{message.pk}:{channel}")
    if outbound is None:  # pragma: no cover - "custom" cannot be switched off
        raise ChatError(_("Messages you type are switched off."))
    Message.objects.filter(pk=message.pk).update(outbound=outbound)
    message.outbound = outbound
    audit.log(organization=conversation.organization, actor=actor, action="message.written", obj=outbound,
              data={"channel": channel, "client": client.pk if client is not None else None,
                    "status": outbound.status, "chat_message": message.pk})


@transaction.atomic
def message_edit(*, message: Message, actor: Any, body: str, now: datetime | None = None) -> Message:
    """Change a message's text: its sender, within 5 minutes, in the app only. The old text is kept."""
    now = now or timezone.now()
    message = Message.objects.select_for_update().select_related("conversation__organization").get(pk=message.pk)
    if message.sender_id != actor.pk:
        raise ChatError(_("Only the person who wrote a message can change it."), code=FORBIDDEN)
    if message.deleted_at is not None:
        raise ChatError(_("A deleted message cannot be changed."), code=CONFLICT)
    if message.kind != Kind.IN_APP:
        raise ChatError(_("A text or an email that has gone out cannot be changed."), code=CONFLICT)
    if now - message.created_at > EDIT_WINDOW:
        raise ChatError(_("A message can be changed for 5 minutes after it is sent."), code=CONFLICT)
    has_files = Attachment.objects.filter(message=message).exists()
    _check_body(body, limit=BODY_MAX, required=not has_files)
    if body == message.body:
        return message
    MessageEdit.objects.create(organization_id=message.organization_id, message=message, body=message.body,
                               edited_at=now)
    message.body = body
    message.edited_at = now
    message.save(update_fields=["body", "edited_at"])
    frames.message_updated(message.conversation, message)
    return message


@transaction.atomic
def message_delete(*, message: Message, actor: Any, now: datetime | None = None) -> Message:
    """Delete a message (its sender, or an owner): the thread keeps "message deleted"; its text, its
    earlier versions and its files are gone."""
    message = Message.objects.select_for_update().select_related("conversation__organization").get(pk=message.pk)
    viewer = _viewer(actor, message.conversation.organization)
    if message.sender_id != actor.pk and not (viewer.is_team and viewer.membership.role == Role.OWNER):
        raise ChatError(_("Only the person who wrote a message, or an owner, can delete it."), code=FORBIDDEN)
    if message.deleted_at is not None:
        return message
    message.body = ""
    message.deleted_at = now or timezone.now()
    message.deleted_by = actor
    message.save(update_fields=["body", "deleted_at", "deleted_by"])
    MessageEdit.objects.filter(message=message).delete()
    Reaction.objects.filter(message=message).delete()
    files = list(Attachment.objects.filter(message=message))
    Attachment.objects.filter(pk__in=[f.pk for f in files]).delete()
    def remove_files() -> None:
        for found in files:
            attachments.attachment_delete_files(found)

    transaction.on_commit(remove_files)
    audit.log(organization=message.conversation.organization, actor=actor, action="chat.message_deleted",
              obj=message, data={"conversation": message.conversation_id, "own": message.sender_id == actor.pk})
    frames.message_updated(message.conversation, message)
    return message


def _check_emoji(emoji: str) -> str:
    import unicodedata

    emoji = emoji.strip()
    allowed = {"So", "Sk", "Mn", "Me", "Cf"}
    if not emoji or len(emoji) > EMOJI_MAX or any(
            ch.isascii() or unicodedata.category(ch) not in allowed for ch in emoji):
        raise ChatError(_("React with an emoji."), field="emoji")
    return emoji


@transaction.atomic
def reaction_add(*, message: Message, actor: Any, emoji: str) -> Message:
    emoji = _check_emoji(emoji)
    if message.deleted_at is not None:
        raise ChatError(_("A deleted message cannot get reactions."), code=CONFLICT)
    try:
        with transaction.atomic():
            Reaction.objects.create(organization_id=message.organization_id, message=message, user=actor, emoji=emoji)
    except IntegrityError:
        return message  # already there: the same answer
    frames.message_updated(message.conversation, message)
    return message


@transaction.atomic
def reaction_remove(*, message: Message, actor: Any, emoji: str) -> Message:
    deleted, _rows = Reaction.objects.filter(message=message, user=actor, emoji=emoji.strip()).delete()
    if deleted:
        frames.message_updated(message.conversation, message)
    return message


@transaction.atomic
def message_report(*, message: Message, actor: Any, reason: str = "") -> MessageReport:
    """Someone reports a message to the business's owners (a bell entry, and an email if they chose it)."""
    if message.sender_id == actor.pk:
        raise ChatError(_("You cannot report your own message."), code=CONFLICT)
    if message.kind == Kind.SYSTEM:
        raise ChatError(_("This message cannot be reported."), code=CONFLICT)
    reason = reason.strip()
    if len(reason) > 1000 or "\x00" in reason:
        raise ChatError(_("The reason can be at most 1000 characters."), field="reason")
    report, created = MessageReport.objects.get_or_create(
        message=message, reported_by=actor,
        defaults={"organization_id": message.organization_id, "reason": reason, "body": message.body})
    if created:
        alerts.report_alert(report)
        audit.log(organization=message.conversation.organization, actor=actor, action="chat.message_reported",
                  obj=message, data={"conversation": message.conversation_id, "report": report.pk})
    return report


@transaction.atomic
def chat_settings_update(*, organization: Organization, actor: Any, unread_text_after_minutes: int) -> ChatSettings:
    settings, _created = ChatSettings.objects.get_or_create(organization=organization)
    settings.unread_text_after_minutes = unread_text_after_minutes
    settings.full_clean()
    settings.save()
    audit.log(organization=organization, actor=actor, action="chat.settings_updated", obj=settings,
              data={"unread_text_after_minutes": unread_text_after_minutes})
    return settings


# --- texts from clients ----------------------------------------------------------------------------

@transaction.atomic
def inbound_text_add(*, inbound: InboundMessage) -> Message | None:
    """A client's text (comms stored it) joins their conversation. Once per text."""
    if inbound.client_id is None:
        return None
    client = Client.objects.get(pk=inbound.client_id)
    conversation, _created = conversation_get_or_create(client=client)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                organization_id=inbound.organization_id, conversation=conversation, kind=Kind.SMS_IN,
                sender_client=client, body=inbound.body, inbound=inbound, created_at=inbound.received_at)
    except IntegrityError:
        return None
    at = inbound.received_at or timezone.now()
    Conversation.objects.filter(pk=conversation.pk, last_activity_at__lt=at).update(last_activity_at=at)
    ConversationState.objects.filter(conversation=conversation, archived_at__isnull=False).update(archived_at=None)
    conversation = Conversation.objects.select_related("organization", "client").get(pk=conversation.pk)
    frames.message_created(conversation, message)
    return message
