"""Demo messages for Northside Strength: an outbox with a history, and texts from clients. Idempotent.

- The booking confirmations the earlier demo steps caused were written "now", as the seeding ran;
  here they get the history they would have had: sent when the booking was made.
- A week of reminders by text, most delivered; one refused by Twilio with error 21610 (the client
  had texted STOP to the carrier), which also records the opt-out.
- A low-credits text suppressed because the client never agreed to texts (the outbox's own reason).
- A promotional text due tonight, deferred by quiet hours to the morning.
- Texts in: a "Y" confirming tomorrow's session (with the reply), a question waiting for an answer,
  one from a number that is not a client, and an older one already read.

Every row carries a dedupe key (``demo:…``, or the key the real job would use for the same message,
so a running worker never sends a second one) or a provider id; a second run finds them and writes
nothing. Times are relative to now, in the business's zone.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import F, Q
from django.utils import timezone
from django_scopes import scope

from coachos.clients.models import Client
from coachos.scheduling.models import Booking
from coachos.tenancy.models import Organization

from . import catalog, context, outbox, quiet_hours
from .models import Channel, InboundMessage, OutboundMessage, SmsOptOut

Status = OutboundMessage.Status
NO_TEXTS_CLIENT = "elijah.garcia@example.com"  # never agreed to texts: his low-credits text is suppressed
OPTED_OUT_CLIENT = "james.davis@example.com"  # replied STOP to the carrier: Twilio refuses with 21610
UNKNOWN_NUMBER = "+13125550188"


def _render(organization: Organization, kind: str, channel: str, client: Client | None, related: Any = None,
            extra: dict[str, Any] | None = None) -> tuple[str, str]:
    subject, body, _enabled = outbox.template_for(organization, catalog.kind(kind), channel)
    variables = context.build(organization=organization, client=client, related=related, extra=extra)
    return catalog.render(subject, variables)[:200], catalog.render(body, variables)


def _write(organization: Organization, *, key: str, kind: str, client: Client, related: Any = None,
           channel: str = Channel.SMS, status: str = Status.SENT, at: datetime, delivered: bool = False,
           error_code: str = "", last_error: str = "", n: int = 0,
           extra: dict[str, Any] | None = None) -> OutboundMessage | None:
    """One message as it would be after the sender handled it at ``at``."""
    if OutboundMessage.objects.filter(dedupe_key=key).exists():
        return None
    subject, body = _render(organization, kind, channel, client, related, extra)
    done = status in (Status.SENT, Status.DELIVERED)
    message = OutboundMessage.objects.create(
        organization=organization, channel=channel, kind=kind, client=client,
        to=client.phone if channel == Channel.SMS else client.email,
        sender=outbox.sender_for(organization, channel), subject=subject if channel == Channel.EMAIL else "",
        body=body, dedupe_key=key, scheduled_for=at, status=Status.DELIVERED if delivered else status,
        attempts=1, sent_at=at if done else None, delivered_at=at + timedelta(seconds=4) if delivered else None,
        provider_id="SMdemo" + hashlib.sha256(f"{organization.pk}:{key}".encode()).hexdigest()[:26] if done else "",
        error_code=error_code, last_error=last_error,
        related_type=related._meta.model_name if related is not None else "",
        related_id=related.pk if related is not None else None,
    )
    OutboundMessage.objects.filter(pk=message.pk).update(created_at=at - timedelta(seconds=2 + n), updated_at=at)
    return message


def _allowed(organization: Organization, at: datetime) -> datetime:
    return quiet_hours.next_allowed(at, organization.tzinfo, organization.quiet_hours_start,
                                    organization.quiet_hours_end)


def _agree_to_texts(clients: list[Client], now: datetime) -> None:
    Client.objects.filter(pk__in=[c.pk for c in clients], sms_consent=False).exclude(email=NO_TEXTS_CLIENT) \
        .update(sms_consent=True, sms_consent_at=now - timedelta(days=60))
    for client in clients:
        client.refresh_from_db(fields=["sms_consent"])


def _history_of_confirmations(now: datetime) -> None:
    """Confirmations the earlier steps wrote during the seeding went out when each booking was made:
    two days before a session that has taken place, within the last two weeks for one still ahead.
    (Seeded at night, the coach's bookings were held by quiet hours: deferred, and rewritten too.)"""
    queued = OutboundMessage.objects.filter(kind="booking_confirmation", status__in=OutboundMessage.PENDING, attempts=0,
                                            related_type="booking", provider_id="")
    bookings = Booking.objects.select_related("session").in_bulk([m.related_id for m in queued if m.related_id])
    for message in queued:
        booking = bookings.get(message.related_id or 0)
        if booking is None:
            continue
        at = booking.session.starts_at - timedelta(days=2)
        if at >= now - timedelta(hours=1):
            at = now - timedelta(days=1 + booking.pk % 13, hours=booking.pk % 9, minutes=booking.pk % 50)
        OutboundMessage.objects.filter(pk=message.pk, status__in=OutboundMessage.PENDING).update(
            status=Status.SENT, attempts=1, sent_at=at + timedelta(seconds=20), scheduled_for=at, created_at=at,
            provider_id=f"<demo-{message.pk}@coachos>", updated_at=at + timedelta(seconds=20))


def _failed_21610(organization: Organization, now: datetime) -> None:
    """His reminder was refused: he had texted STOP to the carrier, so Twilio answers 21610."""
    client = Client.objects.filter(email=OPTED_OUT_CLIENT).exclude(phone="").first()
    if client is None or OutboundMessage.objects.filter(dedupe_key__startswith="demo:failed-21610").exists():
        return
    _agree_to_texts([client], now)
    booking = Booking.objects.filter(client=client, status=Booking.Status.COMPLETED, session__starts_at__lt=now) \
        .select_related("session__session_type", "session__coach__membership__user") \
        .order_by("-session__starts_at").first()
    at = _allowed(organization, (booking.session.starts_at if booking else now - timedelta(days=2)) - timedelta(hours=24))
    refused = "Twilio 400: Attempt to send to unsubscribed recipient"
    if booking is not None:
        _write(organization, key="demo:failed-21610", kind="reminder_24h", client=client, related=booking, at=at,
               status=Status.FAILED, error_code="21610", last_error=refused)
    else:
        _write(organization, key="demo:failed-21610", kind="custom", client=client, at=at, status=Status.FAILED,
               error_code="21610", last_error=refused,
               extra={"message": f"Hi {client.first_name}, your package runs out next week. Want to book your "
                                 "last sessions? Reply here."})
    SmsOptOut.objects.get_or_create(organization=organization, phone=client.phone,
                                    defaults={"opted_out_at": at, "source": "provider"})


def _reminders(organization: Organization, now: datetime) -> None:
    """A week of 24-hour reminders by text for the sessions that took place (a dozen, spread out)."""
    past = list(Booking.objects.filter(status=Booking.Status.COMPLETED, session__starts_at__lt=now,
                                       session__starts_at__gte=now - timedelta(days=8))
                .exclude(client__phone="").exclude(client__email__in=[NO_TEXTS_CLIENT, OPTED_OUT_CLIENT])
                .select_related("client", "session__session_type", "session__coach__membership__user")
                .order_by("-session__starts_at", "id"))
    chosen = past[::max(1, len(past) // 12)][:12]
    _agree_to_texts([b.client for b in chosen], now)
    for n, booking in enumerate(chosen):
        at = _allowed(organization, booking.session.starts_at - timedelta(hours=24))
        _write(organization, key=f"demo:reminder-24h:{booking.pk}", kind="reminder_24h", client=booking.client,
               related=booking, at=at, delivered=n % 3 != 2, n=n)


def _suppressed_and_deferred(organization: Organization, now: datetime) -> None:
    no_texts = Client.objects.filter(email=NO_TEXTS_CLIENT, sms_consent=False).exclude(phone="").first()
    if no_texts is not None and not OutboundMessage.objects.filter(dedupe_key="demo:low-credits-sms").exists():
        message = outbox.enqueue(organization=organization, channel=Channel.SMS, kind="low_credits", client=no_texts,
                                 context={"credits_left": 1, "package_name": "10 sessions"},
                                 dedupe_key="demo:low-credits-sms")
        if message is not None:
            at = now - timedelta(days=2, hours=3)
            OutboundMessage.objects.filter(pk=message.pk).update(created_at=at, scheduled_for=at, updated_at=at)
    if OutboundMessage.objects.filter(dedupe_key="demo:evening-news").exists():
        return
    fan = Client.objects.filter(sms_consent=True).exclude(phone="").exclude(email=OPTED_OUT_CLIENT) \
        .order_by("-pk").first()
    if fan is None:
        return
    local = timezone.localtime(now, organization.tzinfo)
    tonight = datetime.combine(local.date(), time(21, 30), tzinfo=organization.tzinfo)
    outbox.enqueue(organization=organization, channel=Channel.SMS, kind="promotion", client=fan,
                   send_after=max(now, tonight), dedupe_key="demo:evening-news",
                   context={"message": "New at Northside: a Saturday 9:00 kettlebell class for every level. "
                                       "Book it from your portal. Reply STOP to opt out."})


def _text_in(organization: Organization, *, sid: str, client: Client | None, body: str, at: datetime,
             read: bool, handled_as: str = InboundMessage.Handling.MESSAGE, booking: Booking | None = None,
             ) -> InboundMessage | None:
    provider_id = f"SMdemo{organization.pk:04d}{sid}"
    if InboundMessage.objects.filter(provider_id=provider_id).exists():
        return None
    text = InboundMessage.objects.create(
        organization=organization, provider_id=provider_id, from_number=client.phone if client else UNKNOWN_NUMBER,
        to_number=organization.sms_number, body=body, client=client, handled_as=handled_as, booking=booking,
        read_at=at + timedelta(minutes=12) if read else None)
    InboundMessage.objects.filter(pk=text.pk).update(received_at=at)
    return text


def _to_confirm(now: datetime) -> tuple[Booking | None, bool]:
    """The booking a "Y" confirms: one starting soon whose reminder is due by now, or else the latest
    session that took place (its "Y" came the day before). (booking, upcoming)"""
    bookings = Booking.objects.exclude(client__phone="").exclude(client__email__in=[NO_TEXTS_CLIENT, OPTED_OUT_CLIENT]) \
        .select_related("client", "session__session_type", "session__coach__membership__user")
    upcoming = bookings.filter(status=Booking.Status.CONFIRMED).order_by("session__starts_at", "id")
    for hours in (23, 40):
        found = upcoming.filter(session__starts_at__gt=now + timedelta(hours=3),
                                session__starts_at__lt=now + timedelta(hours=hours)).first()
        if found is not None:
            return found, True
    past = bookings.filter(status=Booking.Status.COMPLETED, session__starts_at__lt=now,
                           session__starts_at__gte=now - timedelta(days=4)).order_by("-session__starts_at", "id")
    return past.first(), False


def _texts_in(organization: Organization, now: datetime) -> None:
    soon, upcoming = _to_confirm(now)
    if soon is not None and organization.sms_number:
        _agree_to_texts([soon.client], now)
        reminded = min(now - timedelta(hours=1), _allowed(organization, soon.session.starts_at - timedelta(hours=24)))
        # An upcoming one gets the real job's key: a running worker will not remind it a second time.
        key = f"reminder-24h:{soon.pk}:sms" if upcoming else f"demo:reminder-24h:{soon.pk}"
        if not OutboundMessage.objects.filter(dedupe_key=key).exists():
            _write(organization, key=key, kind="reminder_24h", client=soon.client, related=soon, at=reminded,
                   delivered=True)
        reminded = OutboundMessage.objects.get(dedupe_key=key).sent_at or reminded
        answered = reminded + timedelta(minutes=9)
        text = _text_in(organization, sid="y", client=soon.client, body="Y", at=answered, read=True,
                        handled_as=InboundMessage.Handling.CONFIRM, booking=soon)
        if text is not None:
            Booking.objects.filter(pk=soon.pk, client_confirmed_at__isnull=True).update(client_confirmed_at=answered)
            _write(organization, key=f"reply:{text.provider_id}", kind="confirm_reply", client=soon.client,
                   related=soon, at=answered + timedelta(seconds=3))
    clients = list(Client.objects.filter(sms_consent=True).exclude(phone="")
                   .exclude(Q(email__in=[NO_TEXTS_CLIENT, OPTED_OUT_CLIENT]) | Q(pk=soon.client_id if soon else None))
                   # Clients without a portal login first: the portal demo's conversation stays as chat's
                   # demo writes it, whichever client the booking above happens to be today.
                   .order_by(F("user").asc(nulls_first=True), "pk")[:2])
    if len(clients) >= 1:
        _text_in(organization, sid="parking", client=clients[0], at=now - timedelta(minutes=40), read=False,
                 body="Hi! Is there parking near the gym, or is the bus easier on Saturday mornings?")
    if len(clients) >= 2:
        _text_in(organization, sid="late", client=clients[1], at=now - timedelta(days=1, hours=2), read=True,
                 body="Running 5 min late, sorry! 🏃")
    _text_in(organization, sid="stranger", client=None, at=now - timedelta(hours=3), read=False,
             body="Hello, do you run group classes for beginners? How much is a class?")


def seed_messages(organization: Organization) -> None:
    now = timezone.now()
    with scope(organization=organization):
        _history_of_confirmations(now)
        _reminders(organization, now)
        _failed_21610(organization, now)
        _suppressed_and_deferred(organization, now)
        _texts_in(organization, now)
