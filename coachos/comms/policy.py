"""Who may be sent what, and when: opt-outs, consent, quiet hours.

Both ends of the outbox ask these questions — ``outbox.enqueue`` when a message is written and the
sender again just before it goes (the world may have changed meanwhile) — so they live here, below
both: the outbox hands rows to the sender, and the sender never needs the outbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.tenancy.models import Organization

from . import catalog, push, quiet_hours
from .models import Channel, SmsOptOut

T = TypeVar("T")

# Inside ``batch()``: what has been read about each business (its templates, its opt-outs).
_batch: ContextVar[dict[Any, Any] | None] = ContextVar("outbox_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Many messages written together (an automation's run for many clients, in one transaction
    that changes neither templates nor opt-outs): each business's wording and SMS opt-outs are read
    once in the block instead of once per message. An opt-out that arrives meanwhile still holds:
    the sender checks again before sending. Outside the block nothing is remembered."""
    if _batch.get() is not None:  # already in one
        yield
        return
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def cached(key: Any, load: Callable[[], T]) -> T:
    """``load()``, remembered for the rest of the current ``batch()`` (not remembered outside one)."""
    cache = _batch.get()
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]  # type: ignore[no-any-return]


# Answers to a text the client sent us (HELP, Y, START): texting us is consent to the answer.
REPLY_KINDS = frozenset({"confirm_reply", "confirm_none_reply", "help_reply", "start_reply"})


def quiet_hours_apply(organization: Organization, kind: catalog.Kind, channel: str, user: Any,
                      requested: bool | None = None) -> bool:
    """Quiet hours protect clients: they hold every text and every email to a client, except what the
    client has just asked for when the business allows that. Notifications to the team are not held.

    ``requested``: whether the client's own action caused this message (the public booking page,
    their portal, their own text) — the caller knows; None takes the kind's default. A booking the
    coach, the API or a job makes is not requested, even though the client's own would be."""
    if kind.audience == "team" and channel == Channel.EMAIL:
        return False
    asked = kind.requested if requested is None else requested
    if asked and organization.quiet_hours_exempt_requested:
        return False
    return True


def schedule(organization: Organization, at: datetime) -> datetime:
    """The first instant at or after ``at`` outside the business's quiet hours."""
    return quiet_hours.next_allowed(at, organization.tzinfo, organization.quiet_hours_start,
                                    organization.quiet_hours_end)


def is_opted_out(organization: Organization, phone: str) -> bool:
    if not phone:
        return False
    if _batch.get() is None:
        return SmsOptOut.objects.filter(organization=organization, phone=phone).exists()
    opted_out = cached(("opted_out", organization.pk), lambda: set(
        SmsOptOut.objects.filter(organization=organization).values_list("phone", flat=True)))
    return phone in opted_out


def suppression_reason(*, organization: Organization, channel: str, to: str, client: Client | None,
                       promotional: bool, reply: bool = False) -> str:
    """Why a message to this recipient must not go, or "" when it may.

    ``reply``: an answer to a text the client just sent; it needs no texting consent, but an
    opt-out (STOP) still holds."""
    if channel == Channel.SMS:
        if not to:
            return _("No mobile number on file.")
        if not organization.sms_number:
            return _("The business has no SMS number yet (Settings).")
        if is_opted_out(organization, to):
            return _("The recipient texted STOP: they have opted out of texts.")
        if client is not None and not client.sms_consent and not reply:
            return _("The client has not agreed to texts.")
    elif channel == Channel.PUSH:
        if not push.enabled():
            return _("Push notifications are not set up on this server.")
        if not to:
            return _("The device no longer receives notifications.")
    else:
        if not to:
            return _("No email address on file.")
        if promotional and client is not None and not client.email_consent:
            return _("The client has not agreed to promotional emails.")
    return ""
