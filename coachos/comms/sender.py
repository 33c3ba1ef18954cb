"""Sending due outbox rows: claim, check, send, record. At most once per row.

A row is claimed by one conditional UPDATE (queued/deferred → sending) that only one worker can win,
and that claim is committed *before* the provider is called. If the worker dies after the provider
accepted the message but before the result was written, the row stays ``sending``: it is never picked
up again (that would risk a second text), and ``recover_stale`` later marks it failed with "outcome
unknown" so the coach can decide. Retries with backoff are only for errors that say nothing was sent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from . import emails, gateways, policy, push
from .context import absolute
from .models import Channel, OutboundMessage, PushSubscription, SmsOptOut

logger = logging.getLogger("coachos.comms")

Status = OutboundMessage.Status
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
STALE_AFTER = timedelta(minutes=10)
UNVERIFIED_RETRY = timedelta(minutes=10)  # a business whose owner has not confirmed their email yet
REMINDER_KINDS = frozenset({"reminder_24h", "reminder_2h"})


def claim(message_id: int, *, now: datetime) -> bool:
    """Take the row for this worker. True for exactly one caller, however many try at once."""
    with scopes_disabled():
        won = OutboundMessage.objects.filter(
            pk=message_id, status__in=OutboundMessage.PENDING, scheduled_for__lte=now,
        ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
    return won == 1


def _finish(message: OutboundMessage, **fields: Any) -> None:
    fields["updated_at"] = timezone.now()
    with scopes_disabled():
        OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(**fields)


def _still_wanted(message: OutboundMessage, now: datetime) -> str:
    """A reason not to send after all (the world changed since it was queued), or ""."""
    if message.related_type == "booking" and message.related_id and message.kind != "cancellation":
        from coachos.scheduling.models import Booking

        booking = Booking.objects.select_related("session").filter(pk=message.related_id).first()
        # A follow-up is about a finished session, so only its absence matters.
        if booking is None or (booking.status != Booking.Status.CONFIRMED and message.kind != "follow_up"):
            return _("The booking was cancelled before this went out.")
        if message.kind in REMINDER_KINDS and booking.session.starts_at <= now:
            return _("The session had already started.")
    if message.expires_at is not None and now >= message.expires_at:
        return _("It was no longer useful when it was due (the session had started).")
    if message.channel == Channel.PUSH and message.push_subscription_id is None:
        return _("The device no longer receives notifications.")
    return policy.suppression_reason(organization=message.organization, channel=message.channel, to=message.to,
                                     client=message.client, promotional=message.promotional,
                                     reply=message.kind in policy.REPLY_KINDS)


def _status_callback() -> str:
    try:
        return absolute(reverse("twilio_webhooks:status"))
    except NoReverseMatch:
        return ""


def deliver(message_id: int, *, now: datetime | None = None) -> str:
    """Claim and send one message. Returns its status afterwards (or "" if another worker had it)."""
    now = now or timezone.now()
    if not claim(message_id, now=now):
        return ""
    with scopes_disabled():
        message = OutboundMessage.objects.select_related("organization", "client").get(pk=message_id)
    organization = message.organization
    with scope(organization=organization):
        return _deliver_claimed(message, now)


def _deliver_claimed(message: OutboundMessage, now: datetime) -> str:
    organization = message.organization
    reason = _still_wanted(message, now)
    if reason:
        _finish(message, status=Status.SUPPRESSED, last_error=reason[:500])
        logger.info("message suppressed", extra={"message_id": message.pk, "kind": message.kind})
        return Status.SUPPRESSED
    if not organization.owner_verified and message.client_id is not None:
        # Signed up, email not confirmed yet: nothing goes to clients; it waits (not an attempt).
        _finish(message, status=Status.DEFERRED, scheduled_for=now + UNVERIFIED_RETRY, attempts=F("attempts") - 1)
        return Status.DEFERRED
    if not message.quiet_hours_exempt:
        allowed = policy.schedule(organization, now)
        if allowed != now:
            if message.expires_at is not None and allowed >= message.expires_at:
                _finish(message, status=Status.SUPPRESSED, last_error=_(
                    "Quiet hours would have held it until after it was useful (the session would have started)."))
                return Status.SUPPRESSED
            # Not an attempt: give the attempt back.
            _finish(message, status=Status.DEFERRED, scheduled_for=allowed, attempts=F("attempts") - 1)
            return Status.DEFERRED
    try:
        if message.channel == Channel.SMS:
            provider_id = gateways.sms_gateway().send(gateways.Sms(
                to=message.to, sender=message.sender, body=message.body, status_callback=_status_callback()))
        elif message.channel == Channel.PUSH:
            provider_id = _send_push(message)
        else:
            provider_id = gateways.send_email(emails.build(message))
    except gateways.GatewayError as exc:
        return _failed(message, exc, now)
    except Exception:  # a bug of ours: record it, retry like a transient error
        logger.exception("message sending crashed", extra={"message_id": message.pk})
        return _failed(message, gateways.GatewayError(_("Internal error while sending.")), now)
    _finish(message, status=Status.SENT, sent_at=timezone.now(), provider_id=provider_id[:64],
            last_error="", error_code="")
    logger.info("message sent", extra={"message_id": message.pk, "kind": message.kind, "channel": message.channel})
    return Status.SENT


def _send_push(message: OutboundMessage) -> str:
    subscription = (PushSubscription.objects.filter(pk=message.push_subscription_id).first()
                    if message.push_subscription_id is not None else None)
    if subscription is None:
        raise gateways.GatewayError(_("The device was removed before this went out."), code="push_removed",
                                    permanent=True)
    payload = {"title": message.subject or message.sender, "body": message.body, "url": message.url,
               "tag": f"{message.kind}:{message.related_type}:{message.related_id or message.pk}"}
    ttl = 24 * 3600
    if message.expires_at is not None:  # a reminder is no use after the session started
        ttl = max(60, min(ttl, int((message.expires_at - timezone.now()).total_seconds())))
    provider_id = push.push_gateway().send(push.Push(endpoint=subscription.endpoint, p256dh=subscription.p256dh,
                                                     auth=subscription.auth, payload=payload, ttl=ttl))
    PushSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=timezone.now())
    return provider_id


def push_subscription_gone(subscription_id: int) -> None:
    """The push service forgot the device (404/410): delete it; its other pending pushes say why."""
    with scopes_disabled(), transaction.atomic():
        OutboundMessage.objects.filter(push_subscription_id=subscription_id, status__in=OutboundMessage.PENDING).update(
            status=Status.SUPPRESSED, last_error=_("The device no longer accepts notifications, so it was removed."))
        PushSubscription.objects.filter(pk=subscription_id).delete()
    logger.info("push subscription expired", extra={"push_subscription_id": subscription_id})


def _failed(message: OutboundMessage, exc: gateways.GatewayError, now: datetime) -> str:
    attempts = message.attempts  # loaded after the claim counted this attempt
    if exc.code == gateways.OPTED_OUT_CODE and message.channel == Channel.SMS:
        record_opt_out(organization=message.organization, phone=message.to, source="provider", now=now)
    if exc.code == push.GONE_CODE and message.push_subscription_id is not None:
        push_subscription_gone(message.push_subscription_id)
    if exc.permanent or attempts >= MAX_ATTEMPTS:
        _finish(message, status=Status.FAILED, last_error=str(exc)[:500], error_code=exc.code[:20])
        logger.warning("message failed", extra={"message_id": message.pk, "code": exc.code,
                                                "permanent": exc.permanent})
        return Status.FAILED
    _finish(message, status=Status.QUEUED, last_error=str(exc)[:500], error_code=exc.code[:20],
            scheduled_for=now + BACKOFF[min(attempts, len(BACKOFF)) - 1])
    logger.info("message will be retried", extra={"message_id": message.pk, "attempt": attempts})
    return Status.QUEUED


def record_opt_out(*, organization: Any, phone: str, source: str, now: datetime | None = None) -> None:
    with transaction.atomic():
        SmsOptOut.objects.get_or_create(organization=organization, phone=phone,
                                        defaults={"opted_out_at": now or timezone.now(), "source": source})


def send_due(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The periodic sender: every due row, oldest first. Safe to run in several workers at once."""
    now = now or timezone.now()
    recover_stale(now=now)
    with scopes_disabled():
        due = list(OutboundMessage.objects.filter(status__in=OutboundMessage.PENDING, scheduled_for__lte=now)
                   .order_by("scheduled_for", "id").values_list("pk", flat=True)[:limit])
    counts: dict[str, int] = {}
    for message_id in due:
        status = deliver(message_id, now=now)
        if status:
            counts[status] = counts.get(status, 0) + 1
    return counts


def recover_stale(*, now: datetime | None = None) -> int:
    """Rows left ``sending`` by a worker that died: the provider may or may not have them. Never resend."""
    now = now or timezone.now()
    with scopes_disabled():
        return OutboundMessage.objects.filter(status=Status.SENDING, claimed_at__lt=now - STALE_AFTER).update(
            status=Status.FAILED, error_code="unknown_outcome", updated_at=now,
            last_error=_("The sender stopped while this was being sent, so it may or may not have arrived. "
                         "It was not sent again automatically to avoid a duplicate; use “Send again” if needed."),
        )
