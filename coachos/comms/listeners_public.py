"""Messages the public booking page asks for. Scheduling (a lower floor) emits the event; this
listener writes the outbox row inside the emitting transaction (``required``): no row, no code.

The event's data carries the visitor's email and the code. Neither is logged here; the code
exists only in the outbox row, which is the email itself.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from coachos.common import events
from coachos.tenancy.models import Organization

from . import outbox
from .models import Channel, OutboundMessage

EMAIL_CODE_REQUESTED = "booking.email_code_requested"
EMAIL_CODE_KIND = "booking_email_code"


def email_code_send(event: events.Event) -> None:
    """Email the visitor their one-time code now: they are waiting for it, so quiet hours never
    hold it (whatever the business chose for other messages), and it is useless once expired."""
    organization = Organization.objects.get(pk=event.organization_id)
    minutes = int(event.data.get("minutes") or 10)
    now = timezone.now()
    message = outbox.enqueue(
        organization=organization, channel=Channel.EMAIL, kind=EMAIL_CODE_KIND, to=str(event.data["email"]),
        context={"code": str(event.data["code"]), "minutes": str(minutes)},
    )
    if message is None:  # the kind cannot be switched off; fail the request rather than pretend
        raise outbox.CommsError("The booking code email is switched off.")
    message.expires_at = now + timedelta(minutes=minutes)  # useless afterwards: never sent late
    fields = ["expires_at", "updated_at"]
    if message.status == OutboundMessage.Status.DEFERRED or not message.quiet_hours_exempt:
        # Held by quiet hours (the business does not exempt what clients ask for): not this one.
        fields += ["quiet_hours_exempt", "status", "scheduled_for"]
        message.quiet_hours_exempt = True
        if message.status == OutboundMessage.Status.DEFERRED:
            message.status = OutboundMessage.Status.QUEUED
            message.scheduled_for = now
            message_id = message.pk
            transaction.on_commit(lambda: outbox._kick(message_id))
    message.save(update_fields=fields)


def register() -> None:
    events.subscribe(email_code_send, [EMAIL_CODE_REQUESTED], required=True)
