"""Writing messages to the outbox. Call ``enqueue`` inside the transaction of the event that causes it.

The row is the message: rendered text, recipient, when it may go, why it was held back. A worker
(``sender.py``) sends due rows after the transaction commits; if the event rolls back, so does
the message. A dedupe key makes a second enqueue of the same message a no-op.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from . import catalog, context, dispatch
from .models import Channel, MessageTemplate, OutboundMessage, PushSubscription

# The rules live in ``policy`` (the sender asks them again before sending); callers know them here.
from .policy import REPLY_KINDS as REPLY_KINDS
from .policy import batch as batch
from .policy import cached
from .policy import is_opted_out as is_opted_out
from .policy import quiet_hours_apply as quiet_hours_apply
from .policy import schedule as schedule
from .policy import suppression_reason as suppression_reason

logger = logging.getLogger("coachos.comms")

Status = OutboundMessage.Status


class CommsError(Exception):
    """A message that cannot be written as asked; the text is for people."""


def template_for(organization: Organization, kind: catalog.Kind,
                 channel: str) -> tuple[str | Promise, str | Promise, bool]:
    """(subject, body, enabled) — the business's own wording, or the default (read once per ``batch()``).

    The default stays lazy: it is worded in the language active when the message is rendered."""
    if channel == Channel.PUSH:
        # No wording of its own: the kind's subject, on if the business sends the kind at all.
        written = Channel.SMS if kind.sms else Channel.EMAIL
        enabled = template_for(organization, kind, written)[2] if (kind.sms or kind.email) else True
        return kind.subject or kind.label, kind.subject or kind.label, enabled

    def load() -> tuple[str | Promise, str | Promise, bool]:
        own = MessageTemplate.objects.filter(organization=organization, kind=kind.key, channel=channel).first()
        if own is not None:
            return own.subject, own.body, own.enabled
        if channel == Channel.SMS:
            return "", kind.sms, True
        return kind.subject, kind.email, True

    return cached(("template", organization.pk, kind.key, channel), load)


def sender_for(organization: Organization, channel: str) -> str:
    if channel == Channel.SMS:
        return organization.sms_number
    if channel == Channel.PUSH:
        return organization.name[:254]
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">").strip()
    name = organization.name.replace('"', "'")
    return f'"{name}" <{address}>'


def _address(channel: str, client: Client | None, user: Any, to: str | None) -> str:
    if to:
        return to
    if channel == Channel.SMS:
        return client.phone if client is not None else ""
    if client is not None and client.email:
        return client.email
    return getattr(user, "email", "") or ""


def enqueue(*, organization: Organization, channel: str, kind: str, client: Client | None = None,
            user: Any = None, to: str | None = None, context: dict[str, Any] | None = None, related: models.Model | None = None,
            dedupe_key: str | None = None, send_after: datetime | None = None, expires_at: datetime | None = None,
            attachments: list[tuple[str, int]] | None = None, promotional: bool | None = None,
            subject: str | None = None, body: str | Promise | None = None, reply: bool = False,
            requested: bool | None = None, push_subscription: PushSubscription | None = None,
            url: str = "") -> OutboundMessage | None:
    """Write one message to the outbox and return it (or the earlier one with the same dedupe key).

    Returns None when the business has switched this message off. A message that may not be sent
    (no number, opted out, no consent, would arrive too late) is still written, as ``suppressed``
    with the reason, so the coach can see why a client heard nothing.
    ``subject``/``body`` replace the template's wording (a message the coach types).
    ``reply=True`` (only for REPLY_KINDS): an answer to the client's own text, sent without texting consent.
    ``requested``: the client's own action caused it (see ``policy.quiet_hours_apply``); None: the kind's default.
    ``push_subscription`` (channel push): the device it goes to; ``url``: the page a tap opens.
    """
    if channel not in Channel.values:
        raise CommsError(_("Unknown channel."))
    if reply and kind not in REPLY_KINDS:
        raise CommsError(_("Only an answer to the client's own text may be sent without their consent."))
    spec = catalog.kind(kind)
    default_subject, template_body, enabled = template_for(organization, spec, channel)
    if not enabled:
        return None
    if dedupe_key is not None:
        existing = OutboundMessage.objects.filter(organization=organization, dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    # Worded for its reader: the language they chose for their account, else the business's.
    language = _reader_language(organization, client, user)
    with translation.override(language):
        variables = _context_build(organization, client, related, dict(context or {}), channel, language)
        text = catalog.render(body if body is not None else template_body, variables)
        rendered_subject = catalog.render(subject if subject is not None else default_subject, variables)[:200]
    if not text:
        raise CommsError(_("The message is empty."))
    promotional = spec.promotional if promotional is None else promotional
    now = timezone.now()
    address = _address(channel, client, user, to)
    if channel == Channel.PUSH:
        address = (push_subscription.label or _("Device #%(id)s") % {"id": push_subscription.pk}
                   if push_subscription is not None else "")[:254]
    message = OutboundMessage(
        organization=organization, channel=channel, kind=kind, client=client, user=user, to=address,
        sender=sender_for(organization, channel),
        subject=rendered_subject,
        body=text, dedupe_key=dedupe_key, scheduled_for=send_after or now, expires_at=expires_at,
        promotional=promotional, quiet_hours_exempt=not quiet_hours_apply(organization, spec, channel, user, requested),
        attachments=[list(a) for a in (attachments or [])], push_subscription=push_subscription, url=url[:500],
    )
    if related is not None:
        message.related_type = related._meta.model_name or ""
        message.related_id = related.pk
    reason = suppression_reason(organization=organization, channel=channel, to=address, client=client,
                                promotional=promotional, reply=reply)
    if not reason and not message.quiet_hours_exempt:
        allowed = schedule(organization, message.scheduled_for)
        if allowed != message.scheduled_for:
            message.status = Status.DEFERRED
            message.scheduled_for = allowed
    if not reason and expires_at is not None and message.scheduled_for >= expires_at:
        reason = _("Quiet hours would have held it until after it was useful (the session would have started).")
    if reason:
        message.status = Status.SUPPRESSED
        message.last_error = reason
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        if dedupe_key is None:
            raise
        return OutboundMessage.objects.get(organization=organization, dedupe_key=dedupe_key)
    logger.info("message queued", extra={"message_id": message.pk, "kind": kind, "channel": channel,
                                         "status": message.status})
    if message.status == Status.QUEUED and message.scheduled_for <= now:
        message_id = message.pk
        transaction.on_commit(lambda: _kick(message_id))
    return message


def _context_build(organization: Organization, client: Client | None, related: models.Model | None,
                   extra: dict[str, Any], channel: str | None = None, language: str | None = None) -> dict[str, str]:
    return context.build(organization=organization, client=client, related=related, extra=extra, channel=channel,
                         language=language)


def _reader_language(organization: Organization, client: Client | None, user: Any) -> str:
    return context.reader_language(organization, client=client, user=user)


def _kick(message_id: int) -> None:
    dispatch.kick(message_id)


def resend(*, message: OutboundMessage, actor: Any) -> OutboundMessage:
    """Send a failed or held-back message again, as a new outbox row (the old one stays as it was)."""
    if message.status not in (Status.FAILED, Status.SUPPRESSED):
        raise CommsError(_("Only failed or unsent messages can be sent again."))
    keep_to = message.client is None or message.channel == Channel.PUSH
    copy = OutboundMessage.objects.create(
        organization=message.organization, channel=message.channel, kind=message.kind, client=message.client,
        user=message.user, to=message.to if keep_to else _address(message.channel, message.client, message.user, None),
        sender=sender_for(message.organization, message.channel), subject=message.subject, body=message.body,
        related_type=message.related_type, related_id=message.related_id, scheduled_for=timezone.now(),
        promotional=message.promotional, quiet_hours_exempt=True, attachments=message.attachments,
        push_subscription_id=message.push_subscription_id, url=message.url,
    )
    reason = suppression_reason(organization=message.organization, channel=copy.channel, to=copy.to,
                                client=copy.client, promotional=copy.promotional, reply=copy.kind in REPLY_KINDS)
    if reason:
        copy.status = Status.SUPPRESSED
        copy.last_error = reason
        copy.save(update_fields=["status", "last_error", "updated_at"])
    else:
        transaction.on_commit(lambda: _kick(copy.pk))
    from coachos.tenancy import audit

    audit.log(organization=message.organization, actor=actor, action="message.resent", obj=copy,
              data={"original": message.pk})
    return copy
