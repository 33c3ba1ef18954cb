"""Writes behind the message pages and API: a message the team types, replies and read marks on
client texts, a business's own template wording, and a client's unsubscribe from promotional email.

Every one is audited (ids only: no bodies, names, numbers or addresses).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coachos.clients.models import Client
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import catalog, outbox
from .models import WRITTEN_CHANNELS, Channel, InboundMessage, MessageTemplate, OutboundMessage

CommsError = outbox.CommsError
SMS_MAX = 1600  # Twilio's limit for one message body
EMAIL_MAX = 5000
# Messages that must stay on: what the team types, and the carrier-required HELP answer.
ALWAYS_ON = frozenset({"custom", "help_reply", "invitation", "team_invitation"})  # never switched off


def unknown_placeholders(names: list[str]) -> str:
    """"Unknown placeholder: {nickname}." / "Unknown placeholders: {a}, {b}."."""
    return ngettext("Unknown placeholder: %(names)s.", "Unknown placeholders: %(names)s.", len(names)) % {
        "names": ", ".join(f"{{{n}}}" for n in names)}


@transaction.atomic
def message_send(*, organization: Organization, actor: Any, channel: str, body: str, client: Client | None = None,
                 to: str | None = None, subject: str = "", dedupe_key: str | None = None) -> OutboundMessage:
    """A one-off message the team typed (kind ``custom``), through the outbox like any other.

    ``{variables}`` in the text are filled like a template's. A message that may not go (no number,
    opted out, no consent) is still written, as ``suppressed`` with the reason.
    """
    if channel not in WRITTEN_CHANNELS:
        raise CommsError(_("Unknown channel."))
    text = body.strip()
    if not text:
        raise CommsError(_("Write a message first."))
    if len(text) > (SMS_MAX if channel == Channel.SMS else EMAIL_MAX):
        raise CommsError(_("The message is too long."))
    unknown = catalog.unknown_variables(text + " " + subject)
    if unknown:
        raise CommsError(unknown_placeholders(unknown))
    message = outbox.enqueue(organization=organization, channel=channel, kind="custom", client=client, to=to,
                             body=text, subject=subject.strip() or None, dedupe_key=dedupe_key)
    if message is None:  # pragma: no cover - "custom" cannot be switched off (ALWAYS_ON)
        raise CommsError(_("Messages you type are switched off."))
    audit.log(organization=organization, actor=actor, action="message.written", obj=message,
              data={"channel": channel, "client": client.pk if client is not None else None,
                    "status": message.status})
    return message


# --- client texts -------------------------------------------------------------------------------

@transaction.atomic
def inbound_mark_read(*, text: InboundMessage, actor: Any, now: datetime | None = None) -> InboundMessage:
    if text.read_at is None:
        InboundMessage.objects.filter(pk=text.pk, read_at__isnull=True).update(read_at=now or timezone.now())
        text.refresh_from_db(fields=["read_at"])
    return text


@transaction.atomic
def inbound_mark_all_read(*, organization: Organization, actor: Any, clients: QuerySet[Client] | None = None,
                          now: datetime | None = None) -> int:
    """Every unread text, or with ``clients`` (``clients_visible_to``) those from these clients and
    from numbers of no client."""
    texts = InboundMessage.objects.filter(organization=organization, read_at__isnull=True)
    if clients is not None:
        texts = texts.filter(Q(client__isnull=True) | Q(client__in=clients))
    return texts.update(read_at=now or timezone.now())


@transaction.atomic
def inbound_reply(*, text: InboundMessage, actor: Any, body: str) -> OutboundMessage:
    """Text back the number that wrote in (and count the text as read)."""
    message = message_send(organization=text.organization, actor=actor, channel=Channel.SMS, body=body,
                           client=text.client, to=text.from_number)
    inbound_mark_read(text=text, actor=actor)
    return message


# --- template wording ---------------------------------------------------------------------------

@transaction.atomic
def message_template_save(*, organization: Organization, actor: Any, kind: str, channel: str, body: str,
                          subject: str = "", enabled: bool = True) -> MessageTemplate:
    """The business's own wording for one message on one channel (replacing the default)."""
    spec = catalog.kind(kind)
    if spec.audience != "client" or channel not in WRITTEN_CHANNELS:
        raise CommsError(_("This message's wording cannot be changed."))
    unknown = catalog.unknown_variables(body + " " + subject)
    if unknown:
        raise CommsError(unknown_placeholders(unknown))
    if not body.strip():
        raise CommsError(_("The message needs some text."))
    if kind in ALWAYS_ON:
        enabled = True
    template, created = MessageTemplate.objects.update_or_create(
        organization=organization, kind=kind, channel=channel,
        defaults={"body": body.strip(), "subject": subject.strip() if channel == Channel.EMAIL else "",
                  "enabled": enabled},
    )
    audit.log(organization=organization, actor=actor, action="message_template.saved", obj=template,
              data={"kind": kind, "channel": channel, "enabled": enabled, "created": created})
    return template


@transaction.atomic
def message_template_reset(*, organization: Organization, actor: Any, kind: str, channel: str) -> bool:
    """Back to the default wording: the business's own is deleted. False when there was none."""
    template = MessageTemplate.objects.filter(organization=organization, kind=kind, channel=channel).first()
    if template is None:
        return False
    audit.log(organization=organization, actor=actor, action="message_template.reset", obj=template,
              data={"kind": kind, "channel": channel})
    template.delete()
    return True


# --- unsubscribe --------------------------------------------------------------------------------

@transaction.atomic
def email_unsubscribe(*, client: Client, how: str) -> bool:
    """The client's "no more promotional emails" from a link in one. True when it changed something.

    ``how`` says which way they asked ("link" or "one-click", RFC 8058) for the audit log.
    """
    from coachos.clients import services as clients

    if not Client.objects.filter(pk=client.pk, email_consent=True).exists():
        return False
    updated = clients.client_update(client=client, actor=None, data={"email_consent": False})
    audit.log(organization=updated.organization, actor=None, action="client.email_unsubscribed", obj=updated,
              data={"via": how})
    return True
