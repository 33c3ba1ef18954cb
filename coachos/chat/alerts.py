"""Telling people about chat messages they have not seen.

- At once: a bell entry for each person the message is news for (``selectors.recipients_of``),
  unless ``realtime.is_viewing`` says they are looking at the conversation. Preferences apply
  (``chat_message`` for the team, ``chat_message_client`` for clients; in-app on by default).
- Later, if still unread (``UnreadNotice`` rows, claimed by the job so that each is acted on once):
  the client of a direct conversation gets one text after the business's delay (default 30 minutes)
  when they agreed to texts — with a link to the portal — and otherwise one email; everyone else
  gets one email grouping what arrived and stayed unread for 30 minutes. Texts and emails go through
  the comms outbox with a dedupe key (consent, STOP, quiet hours and preferences apply).
Texts from clients (``sms_in``) are announced by comms itself (its "client_message" notification).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_scopes import scope, scopes_disabled

from coachos.accounts.models import User
from coachos.clients.models import Client
from coachos.comms import catalog, notifications, notify, outbox
from coachos.comms.context import absolute, local_time, reader_language
from coachos.comms.models import Channel, Notification
from coachos.comms.policy import suppression_reason
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role

from . import links, realtime, selectors, serialize
from .models import Conversation, ConversationState, Message, MessageReport, UnreadNotice

TEAM_KIND = "chat_message"
CLIENT_KIND = "chat_message_client"
REPORT_KIND = "chat_report"
EMAIL_AFTER = timedelta(minutes=30)
BATCH = 200
TEXT_QUOTE = 240


def register_kinds() -> None:
    """Chat's messages in the comms catalog: their names on the outbox page, and the preferences."""
    kinds = (
        catalog.Kind(TEAM_KIND, gettext_lazy("A new chat message"), audience="team", subject="{message}",
                     notify_default=("in_app", "email")),
        catalog.Kind(CLIENT_KIND, gettext_lazy("New messages in the app"), sms="{message}",
                     subject=gettext_lazy("New messages from {business_name}"), email="{message}"),
        catalog.Kind(REPORT_KIND, gettext_lazy("A message was reported"), audience="team", subject="{message}",
                     notify_default=("in_app", "email")),
    )
    for kind in kinds:
        if kind.key not in catalog.KINDS:
            catalog.register(kind)


def _plain(text: str) -> str:
    """A filled-in text that goes through the catalog's renderer again: braces must not read as placeholders."""
    return text.replace("{", "(").replace("}", ")")


# --- at once ---------------------------------------------------------------------------------------

def message_alerts(conversation: Conversation, message: Message, *, now: datetime,
                   client_side: set[int] | None = None) -> None:
    """Bells now (for whoever is not looking) and the unread notices for later. In the sender's
    transaction. ``client_side``: the client user ids of the audience, when the caller has them."""
    if client_side is None:
        client_side = set(selectors.audience_by_side(conversation)[1])
    recipients = selectors.recipients_of(conversation, message, client_user_ids=client_side)
    _bells(conversation, message, recipients, client_side)
    _notices(conversation, message, recipients, client_side, now)


def _known_users(conversation: Conversation) -> dict[int, Any]:
    """The users a direct conversation's lookup already loaded (its client's login, their coach's)."""
    known: dict[int, Any] = {}
    client = conversation.client if conversation.client_id is not None else None
    if client is not None:
        if client.user_id is not None:
            known[client.user_id] = client.user
        coach = client.coach_membership
        if coach is not None:
            known[coach.user_id] = coach.user
    return known


def _bells(conversation: Conversation, message: Message, recipients: list[int], client_side: set[int]) -> None:
    """One bell entry per recipient who is not looking and wants it: presence from the cache first, then
    at most one query for the users the conversation did not load, one per side for preferences, and
    one INSERT for every entry (its dedupe key ``chat:<message id>`` makes a second one a no-op, as
    ``notifications.notification_create`` would): ``notifications.notifications_create_many``)."""
    ringing = [u for u in recipients if not realtime.is_viewing(user_id=u, conversation_id=conversation.pk)]
    if not ringing:
        return
    organization = conversation.organization
    known = {} if conversation.is_group else _known_users(conversation)
    missing = [u for u in ringing if u not in known]
    if missing:
        known.update({u.pk: u for u in User.objects.filter(pk__in=missing, is_active=True)})
    users = [known[u] for u in ringing if u in known]
    prefs = {
        team: notifications.preferences_for(organization=organization, kind=TEAM_KIND if team else CLIENT_KIND,
                                            users=[u for u in users if (u.pk not in client_side) == team])
        for team in (True, False)
    }
    names = {side: serialize.sender_json(message, team=side)["name"] for side in (True, False)}
    preview = serialize.preview(message.body)[:2000]
    rows = []
    for user in users:
        team = user.pk not in client_side
        spec = catalog.kind(TEAM_KIND if team else CLIENT_KIND)
        if not notifications.wants(prefs[team].get(user.pk, {}), spec, "in_app"):
            continue
        with translation.override(reader_language(organization, user=user)):
            name = names[team]
            if conversation.is_group:
                title = _("%(name)s in %(group)s") % {"name": name, "group": conversation.title}
            else:
                title = _("Message from %(name)s") % {"name": name}
        url = links.conversation_path(slug=organization.slug, conversation_id=conversation.pk, team=team,
                                      client_id=conversation.client_id)
        rows.append(Notification(organization=organization, user=user, kind=spec.key, title=title, body=preview,
                                 url=url, related_type="message", related_id=message.pk,
                                 dedupe_key=f"chat:{message.pk}"))
    notifications.notifications_create_many(rows)


def _notices(conversation: Conversation, message: Message, recipients: list[int], client_side: set[int],
             now: datetime) -> None:
    rows: list[UnreadNotice] = []
    covered: int | None = None
    client = conversation.client
    if not conversation.is_group and message.sender_client_id is None and client is not None:
        delay = selectors.chat_settings_for(conversation.organization).unread_text_after_minutes
        rows.append(UnreadNotice(organization_id=conversation.organization_id, message=message, client=client,
                                 user_id=client.user_id, due_at=now + timedelta(minutes=delay)))
        covered = client.user_id
    for user_id in recipients:
        if user_id == covered:
            continue  # the client's own notice above covers their login
        rows.append(UnreadNotice(organization_id=conversation.organization_id, message=message, user_id=user_id,
                                 due_at=now + EMAIL_AFTER))
    UnreadNotice.objects.bulk_create(rows, ignore_conflicts=True)


def report_alert(report: MessageReport) -> None:
    """The owners hear of a reported message (bell; email if they chose it)."""
    message = report.message
    conversation = message.conversation
    organization = conversation.organization
    owners = [m.user for m in Membership.objects.filter(organization=organization, role=Role.OWNER,
                                                        user__is_active=True).select_related("user")]
    text = serialize.preview(report.reason or report.body) or _("(no text)")
    notify.team(organization=organization, kind=REPORT_KIND, users=owners, client=conversation.client,
                context={"message": _plain(_("A message was reported: %(text)s") % {"text": text})},
                dedupe_key=f"chat-report:{report.pk}",
                url=links.conversation_path(slug=organization.slug, conversation_id=conversation.pk, team=True,
                                            client_id=conversation.client_id))


# --- later: the job ----------------------------------------------------------------------------------

def unread_notices_send(*, now: datetime | None = None) -> dict[str, int]:
    """Act on every due notice once: a text or an email for what is still unread. Safe to run in
    several workers at once (rows are claimed with SKIP LOCKED; the outbox's dedupe keys hold too)."""
    now = now or timezone.now()
    counts: dict[str, int] = defaultdict(int)
    with scopes_disabled():
        groups = list(UnreadNotice.objects.filter(done_at__isnull=True, due_at__lte=now)
                      .values_list("organization_id", "user_id", "client_id").distinct()[:BATCH])
        organizations = Organization.objects.in_bulk({g[0] for g in groups})
    for organization_id, user_id, client_id in groups:
        organization = organizations[organization_id]
        with scope(organization=organization):
            outcome = _deliver(organization, user_id=user_id, client_id=client_id, now=now)
        if outcome:
            counts[outcome] += 1
    return dict(counts)


def _still_unread(notices: list[UnreadNotice], reader_id: int | None) -> list[Message]:
    conversation_ids = {n.message.conversation_id for n in notices}
    read: dict[int, int] = {}
    if reader_id is not None:
        read = dict(ConversationState.objects.filter(conversation_id__in=conversation_ids, user_id=reader_id)
                    .values_list("conversation_id", "last_read_id"))
    return [n.message for n in notices
            if n.message.deleted_at is None and n.message.pk > read.get(n.message.conversation_id, 0)]


@transaction.atomic
def _deliver(organization: Organization, *, user_id: int | None, client_id: int | None, now: datetime) -> str:
    recipient = (Q(user_id=user_id) if user_id is not None else Q(user__isnull=True)) & (
        Q(client_id=client_id) if client_id is not None else Q(client__isnull=True))
    notices = list(UnreadNotice.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(recipient, done_at__isnull=True, due_at__lte=now)
                   .select_related("message__conversation__organization", "message__conversation__client",
                                   "message__sender", "message__sender_client"))
    if not notices:
        return ""
    unread = _still_unread(notices, user_id)
    outcome = "read"
    if unread and client_id is not None and _already_told(client_id, user_id, unread):
        outcome = "covered"
    elif unread:
        if client_id is not None:
            outcome = _tell_client(organization, Client.objects.select_related("user").get(pk=client_id), unread)
        elif user_id is not None:
            outcome = _email_user(organization, User.objects.get(pk=user_id), unread)
    unread_ids = {m.pk for m in unread}
    for notice in notices:
        notice.done_at = now
        notice.outcome = outcome if notice.message_id in unread_ids else "read"
    UnreadNotice.objects.bulk_update(notices, ["done_at", "outcome"])
    return outcome


def _already_told(client_id: int, reader_id: int | None, unread: list[Message]) -> bool:
    """The client was already texted (or emailed) about a message they have not read yet: one nudge
    until they read, however many messages follow."""
    conversation_id = unread[0].conversation_id
    read = 0
    if reader_id is not None:
        read = (ConversationState.objects.filter(conversation_id=conversation_id, user_id=reader_id)
                .values_list("last_read_id", flat=True).first() or 0)
    return UnreadNotice.objects.filter(client_id=client_id, message__conversation_id=conversation_id,
                                       outcome__in=("texted", "emailed"), message_id__gt=read).exists()


def _tell_client(organization: Organization, client: Client, unread: list[Message]) -> str:
    """A text (once per batch of unread messages) if the client may be texted; otherwise an email."""
    last = max(unread, key=lambda m: m.pk)
    language = reader_language(organization, client=client)
    link = ""
    if client.user_id is not None:
        path = links.conversation_path(slug=organization.slug, conversation_id=last.conversation_id, team=False)
        link = absolute(path) if path else ""
    may_text = client.phone and not suppression_reason(organization=organization, channel=Channel.SMS,
                                                       to=client.phone, client=client, promotional=False)
    if may_text:
        with translation.override(language):
            text = _text_for(organization, unread, link)
        outbox.enqueue(organization=organization, channel=Channel.SMS, kind=CLIENT_KIND, client=client,
                       body="{message}", context={"message": text}, related=last,
                       dedupe_key=f"chat-unread:{client.pk}:{last.pk}:sms")
        return "texted"
    if not client.email:
        return "skipped"
    if client.user is not None:
        own = notifications.preferences_for(organization=organization, users=[client.user], kind=CLIENT_KIND)
        if not notifications.wants(own.get(client.user.pk, {}), catalog.kind(CLIENT_KIND), Channel.EMAIL):
            return "skipped"
    with translation.override(language):
        subject, body = _digest(organization, unread, link, team=False)
    outbox.enqueue(organization=organization, channel=Channel.EMAIL, kind=CLIENT_KIND, client=client,
                   subject=_plain(subject), body="{message}", context={"message": body}, related=last,
                   dedupe_key=f"chat-unread:{client.pk}:{last.pk}:email")
    return "emailed"


def _text_for(organization: Organization, unread: list[Message], link: str) -> str:
    last = max(unread, key=lambda m: m.pk)
    name = serialize.first_name(last.sender) if last.sender is not None else organization.name
    quote = serialize.preview(last.body)[:TEXT_QUOTE] or _("(a file)")
    if len(unread) == 1:
        text = _("%(business)s: %(name)s wrote: “%(text)s”") % {"business": organization.name, "name": name,
                                                               "text": quote}
    else:
        text = ngettext("%(business)s: %(count)d new message, the latest from %(name)s: “%(text)s”",
                        "%(business)s: %(count)d new messages, the latest from %(name)s: “%(text)s”",
                        len(unread)) % {"business": organization.name, "count": len(unread), "name": name,
                                        "text": quote}
    if link:
        return text + " " + _("Read and reply: %(link)s") % {"link": link}
    return text + " " + _("Reply to this text to answer.")


def _digest(organization: Organization, unread: list[Message], link: str, *, team: bool) -> tuple[str, str]:
    subject = ngettext("%(count)d unread message at %(business)s", "%(count)d unread messages at %(business)s",
                       len(unread)) % {"count": len(unread), "business": organization.name}
    by_conversation: dict[int, list[Message]] = defaultdict(list)
    for message in sorted(unread, key=lambda m: m.pk):
        by_conversation[message.conversation_id].append(message)
    parts = []
    for messages in by_conversation.values():
        conversation = messages[0].conversation
        lines = [serialize.conversation_title(conversation, team=team)]
        for message in messages:
            sender = serialize.sender_json(message, team=team)["name"]
            text = serialize.preview(message.body) or _("(a file)")
            lines.append(f"{local_time(organization, message.created_at)} {sender}: {text}")
        if team:
            path = links.conversation_path(slug=organization.slug, conversation_id=conversation.pk, team=True,
                                           client_id=conversation.client_id)
            if path:
                lines.append(_("Read and reply: %(link)s") % {"link": absolute(path)})
        parts.append("\n".join(lines))
    if not team and link:
        parts.append(_("Read and reply: %(link)s") % {"link": link})
    parts.append(organization.name)
    return subject, "\n\n".join(parts)


def _email_user(organization: Organization, user: Any, unread: list[Message]) -> str:
    """One email to a person (team member, or a client in a group) for what stayed unread."""
    if not user.email or not user.is_active:
        return "skipped"
    membership = Membership.objects.filter(organization=organization, user=user).first()
    if membership is None:
        return "skipped"
    team = membership.is_team
    kind = TEAM_KIND if team else CLIENT_KIND
    own = notifications.preferences_for(organization=organization, users=[user], kind=kind).get(user.pk, {})
    if not notifications.wants(own, catalog.kind(kind), Channel.EMAIL):
        return "skipped"
    link = ""
    if not team:
        path = links.conversation_path(slug=organization.slug, conversation_id=unread[0].conversation_id,
                                       team=False)
        link = absolute(path) if path else ""
    with translation.override(reader_language(organization, user=user)):
        subject, body = _digest(organization, unread, link, team=team)
    last = max(unread, key=lambda m: m.pk)
    outbox.enqueue(organization=organization, channel=Channel.EMAIL, kind=kind, user=user, to=user.email,
                   subject=_plain(subject), body="{message}", context={"message": body}, related=last,
                   dedupe_key=f"chat-unread:user:{user.pk}:{last.pk}:email")
    return "emailed"
