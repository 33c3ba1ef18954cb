"""Handing one outbox row to a worker right after the transaction that wrote it commits.

Its own module, below the outbox: the outbox kicks the sender without importing ``tasks.py``
(which also runs the reminder job, and the reminder job writes to the outbox). The task keeps its
historic name, so rows handed over before an upgrade are still sent.
"""

from __future__ import annotations

import logging

from celery import shared_task

from . import sender

logger = logging.getLogger("coachos.comms")


@shared_task(name="coachos.comms.tasks.send_message")
def send_message(message_id: int) -> str:
    """Send one message now (queued right after the transaction that wrote it committed)."""
    return sender.deliver(message_id)


def kick(message_id: int) -> None:
    """Ask a worker to send this row now; if that fails, the periodic sender sends it within a minute."""
    try:
        send_message.delay(message_id)
    except Exception:
        logger.warning("could not hand message to the worker", extra={"message_id": message_id})
