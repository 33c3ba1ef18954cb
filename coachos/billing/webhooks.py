"""Receiving Stripe events: verify, store by id, then act exactly once.

``receive(payload, sig_header)`` is the one entry point — the /webhooks/stripe view and the
local test checkout both call it with a raw body and a ``Stripe-Signature`` header.

1. The signature is verified with the official SDK (``gateway.construct_event``): a wrong
   secret, a tampered body or a timestamp older than 5 minutes is refused (400) before any write.
2. The event is stored under its Stripe id (unique constraint) and committed, before it acts.
3. It is processed inside a transaction holding that row's lock; a processed event is never
   processed again. Ten deliveries at once: one acts, nine find it done.
4. A failure is recorded on the row and answered 500, so Stripe retries later.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import stripe
from django.db import transaction
from django.utils import timezone

from . import events, gateway
from .models import WebhookEvent

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: int
    result: str
    event_id: str = ""


def receive(payload: bytes | str, sig_header: str | None) -> Outcome:
    raw = payload.encode("utf-8") if isinstance(payload, str) else payload
    try:
        gateway.construct_event(raw, sig_header)
        data = json.loads(raw)
        event_id = str(data["id"])
        event_type = str(data["type"])
        if not isinstance(data.get("data", {}).get("object"), dict):
            raise ValueError("no data.object")
    except stripe.SignatureVerificationError:
        logger.warning("stripe webhook refused: bad signature")
        return Outcome(400, "invalid signature")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
        logger.warning("stripe webhook refused: not an event")
        return Outcome(400, "invalid payload")
    stored = _store(event_id, event_type, data)
    return process(stored.pk)


def _store(event_id: str, event_type: str, data: dict[str, Any]) -> WebhookEvent:
    created = data.get("created")
    stored, is_new = WebhookEvent.objects.get_or_create(stripe_id=event_id[:255], defaults={
        "type": event_type[:100], "account": str(data.get("account") or "")[:64],
        "livemode": bool(data.get("livemode")), "payload": data,
        "created": datetime.fromtimestamp(int(created), tz=UTC) if isinstance(created, int) else None,
    })
    logger.info("stripe event received", extra={"stripe_event_id": event_id, "type": event_type, "new": is_new})
    return stored


def process(pk: int) -> Outcome:
    """Act on a stored event once. Safe to call again (a retry, a replay, an admin action)."""
    keys: list[str] = []
    with transaction.atomic():
        stored = WebhookEvent.objects.select_for_update().get(pk=pk)
        if stored.processed_at is not None and stored.result != WebhookEvent.Result.DEFERRED:
            return Outcome(200, "duplicate", stored.stripe_id)
        stored.attempts += 1
        try:
            with transaction.atomic():
                handled = events.dispatch(stored.payload)
        except Exception as exc:
            logger.exception("stripe event failed", extra={"stripe_event_id": stored.stripe_id, "type": stored.type})
            stored.result = WebhookEvent.Result.FAILED
            stored.error = f"{type(exc).__name__}: {exc}"[:2000]
            stored.save(update_fields=["result", "error", "attempts"])
            return Outcome(500, "failed", stored.stripe_id)
        stored.result = handled.result
        stored.note = handled.note[:300]
        stored.waiting_for = handled.waiting_for[:255]
        stored.business = handled.business
        stored.error = ""
        stored.processed_at = timezone.now()
        stored.save()
        keys = handled.unblocks
    if keys:
        replay_waiting(keys)
    return Outcome(200, stored.result, stored.stripe_id)


def replay_waiting(keys: list[str]) -> int:
    """Process again the events that were waiting for something that now exists."""
    replayed = 0
    for pk in WebhookEvent.objects.filter(result=WebhookEvent.Result.DEFERRED, waiting_for__in=keys) \
            .order_by("created", "pk").values_list("pk", flat=True):
        process(pk)
        replayed += 1
    return replayed
