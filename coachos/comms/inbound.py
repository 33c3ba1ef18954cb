"""Texts clients send to the business's number, and Twilio's delivery reports for texts we sent.

Each inbound text is stored once by its provider id (a unique constraint, DESIGN rule 3) in the
transaction that acts on it: a repeat delivery, even two at the same moment, changes nothing.
Keywords (the whole text, any case, punctuation ignored):

- STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT: the number opts out; no reply (the carrier sends one).
- START, UNSTOP: opted back in, with a short reply.
- HELP: the help reply.
- Y, YES (and SI/SÍ, OUI, JA for clients texting in Spanish, French or German): confirms the booking the latest confirmation or reminder asked about (see ``booking_to_confirm``).
- anything else is a message for the coach.

Replies go through the outbox like every other text, so they are recorded and obey opt-outs.
Logs carry provider ids and row ids only: never numbers or message bodies.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from coachos.clients.models import Client
from coachos.common import events
from coachos.tenancy.models import Organization

from . import outbox, sender
from .models import Channel, InboundMessage, OutboundMessage, SmsOptOut

logger = logging.getLogger("coachos.comms")

Handling = InboundMessage.Handling
Status = OutboundMessage.Status

STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP"})
CONFIRM_WORDS = frozenset({"Y", "YES", "SI", "SÍ", "OUI", "JA"})

# The texts that ask for a "Y": the booking confirmation and the reminders (catalog.py wording).
ASKING_KINDS = ("booking_confirmation", "reminder_24h", "reminder_2h")
CONFIRM_GRACE = timedelta(hours=2)  # a "Y" still confirms a session that started at most this long ago


class InboundError(Exception):
    """A webhook request that cannot be acted on; the text is for people."""


def keyword(body: str) -> str:
    """The text as a keyword: upper case, no punctuation, symbols (emoji) or surrounding spaces."""
    kept = "".join(ch for ch in body if unicodedata.category(ch)[0] not in {"P", "S"})
    return " ".join(kept.split()).upper()


# --- inbound texts ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Received:
    """What happened to one inbound text (for the view and tests)."""

    handled_as: str  # an InboundMessage.Handling value; "duplicate" or "unknown_number" when nothing was stored
    message: InboundMessage | None = None


def _param(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name, "")
    return str(value).strip() if value is not None else ""


def sms_receive(*, params: Mapping[str, Any], now: datetime | None = None) -> Received:
    """Store and act on one text Twilio forwarded (the request is already verified as Twilio's)."""
    sid = _param(params, "MessageSid") or _param(params, "SmsSid")
    from_number, to_number = _param(params, "From"), _param(params, "To")
    if not sid or not from_number or not to_number:
        raise InboundError(_("MessageSid, From and To are required."))
    if len(sid) > 64 or len(from_number) > 32 or len(to_number) > 32:
        raise InboundError(_("MessageSid, From or To is too long."))
    body = str(params.get("Body") or "")[:1600]
    with scopes_disabled():  # the number says which business; only then can its scope be entered
        organization = Organization.objects.filter(sms_number=to_number).first()
    if organization is None:
        logger.info("inbound sms to an unknown number", extra={"provider_id": sid})
        return Received("unknown_number")
    with scope(organization=organization):
        return _receive(organization, sid=sid, from_number=from_number, to_number=to_number, body=body,
                        now=now or timezone.now())


@transaction.atomic
def _receive(organization: Organization, *, sid: str, from_number: str, to_number: str, body: str,
             now: datetime) -> Received:
    message = InboundMessage(organization=organization, provider_id=sid, from_number=from_number,
                             to_number=to_number, body=body)
    try:
        with transaction.atomic():  # a savepoint: a repeat (or a concurrent twin) hits the unique id
            message.save()
    except IntegrityError:
        logger.info("inbound sms already received", extra={"provider_id": sid})
        return Received("duplicate")
    word = keyword(body)
    clients = list(Client.objects.filter(phone=from_number).order_by("id"))
    message.client = clients[0] if clients else None
    if word in STOP_WORDS:
        sender.record_opt_out(organization=organization, phone=from_number, source="keyword", now=now)
        message.handled_as = Handling.STOP
    elif word in START_WORDS:
        SmsOptOut.objects.filter(organization=organization, phone=from_number).delete()
        message.handled_as = Handling.START
        _reply(message, "start_reply")
    elif word in HELP_WORDS:
        message.handled_as = Handling.HELP
        _reply(message, "help_reply")
    elif word in CONFIRM_WORDS:
        _confirm(message, clients, now)
    else:
        message.handled_as = Handling.MESSAGE
        _tell_team_message(message)
    message.save(update_fields=["client", "handled_as", "booking"])
    if message.handled_as == Handling.MESSAGE:
        events.emit("sms.received", organization=organization, client=message.client, obj=message)
    logger.info("inbound sms received", extra={"provider_id": sid, "inbound_id": message.pk,
                                               "organization_id": organization.pk,
                                               "handled_as": message.handled_as})
    return Received(message.handled_as, message)


def _reply(message: InboundMessage, kind: str, related: Any = None) -> OutboundMessage | None:
    return outbox.enqueue(organization=message.organization, channel=Channel.SMS, kind=kind, client=message.client,
                          to=message.from_number, related=related, dedupe_key=f"reply:{message.provider_id}",
                          reply=True)


def _local_midnight(organization: Organization, now: datetime) -> datetime:
    today = timezone.localtime(now, organization.tzinfo).date()
    return datetime.combine(today, time.min, tzinfo=organization.tzinfo)


def booking_to_confirm(*, organization: Organization, clients: list[Client], now: datetime) -> Any:
    """The booking a "Y" answers: the one the latest text asking for a Y was about — a booking
    confirmation or a 24 h / 2 h reminder, sent (or delivered) to these clients — among their
    confirmed bookings that start from now on or started at most 2 hours ago, never one from an
    earlier day in the business's zone. None when there is none.

    Already confirmed (the portal button, an earlier "Y"): it is still the answer, so the client
    hears "you're confirmed" again rather than "nothing to confirm"."""
    from coachos.scheduling.models import Booking

    if not clients:
        return None
    asked = (OutboundMessage.objects.filter(related_type="booking", related_id=OuterRef("pk"), channel=Channel.SMS,
                                            kind__in=ASKING_KINDS, status__in=(Status.SENT, Status.DELIVERED))
             .annotate(asked_at=Coalesce("sent_at", "scheduled_for")).order_by("-asked_at", "-pk"))
    earliest = max(now - CONFIRM_GRACE, _local_midnight(organization, now))
    return (Booking.objects.filter(client__in=clients, status=Booking.Status.CONFIRMED,
                                   session__starts_at__gte=earliest)
            .annotate(asked_at=Subquery(asked.values("asked_at")[:1]), asked_id=Subquery(asked.values("pk")[:1]))
            .filter(asked_at__isnull=False).select_related("session", "client")
            .order_by("-asked_at", "-asked_id").first())


def _confirm(message: InboundMessage, clients: list[Client], now: datetime) -> None:
    from coachos.scheduling.services.bookings import booking_client_confirm

    booking = booking_to_confirm(organization=message.organization, clients=clients, now=now)
    if booking is None:
        message.handled_as = Handling.CONFIRM_NONE
        _reply(message, "confirm_none_reply")
        return
    already = booking.client_confirmed_at is not None
    booking = booking_client_confirm(booking=booking, now=now)
    message.handled_as = Handling.CONFIRM
    message.booking = booking
    message.client = booking.client  # several clients may share a phone: the one whose booking it is
    _reply(message, "confirm_reply", related=booking)
    if not already:
        from . import notify

        notify.team(organization=message.organization, kind="client_confirmed", client=booking.client,
                    related=booking, dedupe_key=f"client-confirmed:{booking.pk}")


def _tell_team_message(message: InboundMessage) -> None:
    from . import notify

    name = message.client.full_name if message.client is not None else message.from_number
    text = " ".join(message.body.split()) or _("(a picture or file, no text)")
    notify.team(organization=message.organization, kind="client_message", client=message.client,
                context={"client_name": name, "message": text[:140] + ("…" if len(text) > 140 else "")},
                related=message, dedupe_key=f"inbound:{message.provider_id}")


# --- delivery reports ---------------------------------------------------------------------------

SENT_STATES = frozenset({"accepted", "scheduled", "queued", "sending", "sent"})
DELIVERED_STATES = frozenset({"delivered", "read"})
FAILED_STATES = frozenset({"undelivered", "failed", "canceled"})

# What may move to what: never back from delivered, never from failed to merely sent.
_FROM = {
    Status.SENT: (Status.SENDING,),
    Status.DELIVERED: (Status.SENDING, Status.SENT, Status.FAILED),  # a delivery receipt is the last word
    Status.FAILED: (Status.SENDING, Status.SENT),
}


def error_text(code: str) -> str:
    """A readable reason for a Twilio delivery error code."""
    known = {
        "21610": _("The recipient had replied STOP, so the carrier blocked it. They are now opted out."),
        "21211": _("The phone number is not valid."),
        "21614": _("The number is not a mobile number."),
        "30003": _("The phone was unreachable (switched off or out of coverage)."),
        "30004": _("The message was blocked (the recipient or their carrier blocks it)."),
        "30005": _("The number is unknown or no longer in service."),
        "30006": _("The number is a landline or its carrier cannot receive texts."),
        "30007": _("The carrier filtered the message (spam filter)."),
        "30008": _("The carrier reported an unknown error."),
    }
    if code in known:
        return known[code]
    if code:
        return _("The carrier could not deliver it (Twilio error %(code)s).") % {"code": code}
    return _("The carrier could not deliver it.")


def sms_status(*, params: Mapping[str, Any], now: datetime | None = None) -> str:
    """Apply one delivery report. Returns the message's status afterwards, or "" if it is not ours."""
    sid = _param(params, "MessageSid") or _param(params, "SmsSid")
    state = (_param(params, "MessageStatus") or _param(params, "SmsStatus")).lower()
    code = _param(params, "ErrorCode")[:20]
    if not sid or len(sid) > 64:
        raise InboundError(_("MessageSid is required."))
    with scopes_disabled():  # the provider id says which business
        message = (OutboundMessage.objects.select_related("organization")
                   .filter(provider_id=sid, channel=Channel.SMS).first())
    if message is None:
        logger.info("delivery report for an unknown message", extra={"provider_id": sid})
        return ""
    now = now or timezone.now()
    with scope(organization=message.organization), transaction.atomic():
        fields: dict[str, Any]
        if state in DELIVERED_STATES:
            target = Status.DELIVERED
            fields = {"delivered_at": now, "last_error": "", "error_code": ""}
        elif state in FAILED_STATES:
            target = Status.FAILED
            fields = {"error_code": code or state, "last_error": error_text(code)[:500]}
        elif state in SENT_STATES:
            target, fields = Status.SENT, {}
        else:
            logger.info("delivery report ignored", extra={"provider_id": sid, "state": state[:20]})
            return message.status
        # One conditional UPDATE: two reports racing each other cannot move the status backwards.
        OutboundMessage.objects.filter(pk=message.pk, status__in=_FROM[target]).update(
            status=target, updated_at=now, **fields)
        if code == "21610":
            sender.record_opt_out(organization=message.organization, phone=message.to, source="provider", now=now)
        status = OutboundMessage.objects.values_list("status", flat=True).get(pk=message.pk)
    logger.info("delivery report", extra={"provider_id": sid, "message_id": message.pk, "status": status})
    return status
