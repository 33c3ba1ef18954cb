"""What lower apps' events mean for conversations (registered in apps.ChatConfig.ready).

``sms.received`` (comms stored a client's text for the team): the text joins the client's
conversation. Not a required listener: a failure here never loses the text (comms has it, and its
inbox shows it); it runs in a savepoint so that a database error cannot spoil comms' transaction.
"""

from __future__ import annotations

import logging

from django.db import transaction

from coachos.common import events
from coachos.comms.models import InboundMessage

logger = logging.getLogger("coachos.chat")


def sms_received(event: events.Event) -> None:
    from . import services

    if event.client_id is None:
        return  # a number that is no client's: there is no conversation for it
    inbound = event.instance if isinstance(event.instance, InboundMessage) else (
        InboundMessage.objects.filter(pk=event.object_id).first() if event.object_id is not None else None)
    if inbound is None:
        return
    with transaction.atomic():
        services.inbound_text_add(inbound=inbound)


def register() -> None:
    events.subscribe(sms_received, ["sms.received"])
