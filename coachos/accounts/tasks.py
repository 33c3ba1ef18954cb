"""Thin Celery tasks: each takes ids and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import timezone

from coachos.tenancy.tasks import OrgTask

from .models import Invitation

logger = logging.getLogger(__name__)


@shared_task(base=OrgTask, bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(self: OrgTask, *, organization_id: int, invitation_id: int) -> None:
    from .services import invitation_url

    invitation = Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        logger.info("invitation not sent: no longer pending", extra={"invitation_id": invitation_id})
        return
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "url": invitation_url(invitation),
        "inviter": invitation.invited_by.get_full_name() if invitation.invited_by else invitation.organization.name,
        "expires_at": invitation.expires_at,
    }
    with timezone.override(invitation.organization.tzinfo):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
        html = render_to_string("accounts/email/invitation.html", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email], html_message=html)
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    logger.info("invitation sent", extra={"invitation_id": invitation_id})


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
