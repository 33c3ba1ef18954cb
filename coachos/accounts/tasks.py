"""Thin Celery tasks: each takes ids and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.management import call_command
from django.db import transaction

from coachos.tenancy.tasks import OrgTask

from .models import Invitation

logger = logging.getLogger(__name__)


@shared_task(base=OrgTask, bind=True)
def send_invitation_email(self: OrgTask, *, organization_id: int, invitation_id: int) -> None:
    """Kept for tasks queued before invitation emails moved to the outbox (the services now write the
    outbox row themselves): write the row for the current link, if missing, and send it now."""
    from coachos.comms import sender
    from coachos.comms.models import OutboundMessage

    from .services import invitation_email_enqueue

    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None or invitation.status != Invitation.Status.PENDING:
            logger.info("invitation not sent: no longer pending", extra={"invitation_id": invitation_id})
            return
        message = invitation_email_enqueue(invitation=invitation)
    if message is not None and message.status == OutboundMessage.Status.QUEUED:
        sender.deliver(message.pk)
    logger.info("invitation email handed to the outbox", extra={"invitation_id": invitation_id})


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")


@shared_task
def expire_invitations() -> int:
    from .services import invitations_expire

    count = invitations_expire()
    logger.info("invitations expired", extra={"count": count})
    return count


__all__ = ["send_invitation_email", "clear_expired_sessions", "expire_invitations"]
