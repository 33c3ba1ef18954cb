"""Thin Celery tasks: each takes ids and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.management import call_command

logger = logging.getLogger(__name__)


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@shared_task
def expire_invitations() -> int:
    from .services import invitations_expire

    count = invitations_expire()
    logger.info("invitations expired", extra={"count": count})
    return count


# ``send_invitation_email`` (an old task name) lives on in coachos/comms/listeners_accounts.py.
__all__ = ["clear_expired_sessions", "expire_invitations"]
