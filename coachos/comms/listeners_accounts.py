"""What accounts' invitation events mean for messages (accounts is below comms and does not import it).

Required listeners (``events.subscribe(..., required=True)``): the outbox rows are written in the
invitation's own transaction, or the invitation is not written either.

- ``invitation.sent``: messages with an older link that have not gone out are suppressed; the current
  link is emailed (and texted to a client who has a mobile number and agreed to texts).
- ``invitation.revoked``: messages with its link that have not gone out are suppressed.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from coachos.accounts.models import Invitation
from coachos.accounts.services import invitation_message_key, invitation_url
from coachos.clients.models import Client
from coachos.common import events
from coachos.tenancy.roles import Role
from coachos.tenancy.tasks import OrgTask

from . import context, outbox, sender
from .models import OutboundMessage

logger = logging.getLogger(__name__)


def _invitation(event: events.Event) -> Invitation:
    if isinstance(event.instance, Invitation):
        return event.instance
    return Invitation.objects.select_related("organization", "invited_by").get(pk=int(event.object_id or 0))


def _invitee_client(invitation: Invitation) -> Client | None:
    """The client record a client invitation is for, if the business already has one. Call in scope."""
    if invitation.role != Role.CLIENT:
        return None
    return Client.objects.filter(email__iexact=invitation.email).order_by("pk").first()


def _suppress_unsent(invitation: Invitation, *, reason: str, keep: str = "") -> None:
    """Messages for this invitation that have not gone out yet carry a link that no longer works
    (resent or revoked): mark them suppressed so the old link is never delivered."""
    unsent = OutboundMessage.objects.filter(
        organization=invitation.organization, related_type=Invitation._meta.model_name, related_id=invitation.pk,
        status__in=OutboundMessage.PENDING,
    )
    if keep:
        unsent = unsent.exclude(dedupe_key__startswith=keep)
    unsent.update(status=OutboundMessage.Status.SUPPRESSED, last_error=reason[:500], updated_at=timezone.now())


def invitation_email_enqueue(*, invitation: Invitation) -> OutboundMessage | None:
    """Write the invitation email to the outbox, in this transaction (it goes after commit; one email
    per link: resending makes a new link and a new row, a repeat for the same link is a no-op).
    ``sent_at`` records when the email was queued; the outbox row records its delivery. None when the
    business has switched this email off. Call inside the business's scope."""
    client = _invitee_client(invitation)
    inviter = invitation.invited_by
    with translation.override(context.reader_language(invitation.organization, client=client)):
        role = str(Role(invitation.role).label).lower()
        first_name = ((client.first_name if client is not None else "") or invitation.name.partition(" ")[0]
                      or _("there"))
    message = outbox.enqueue(
        organization=invitation.organization, channel="email",
        kind="invitation" if invitation.role == Role.CLIENT else "team_invitation",
        client=client, to=invitation.email, related=invitation,
        context={
            "link": invitation_url(invitation),
            "inviter": (inviter.get_full_name() if inviter is not None else "") or invitation.organization.name,
            "role": role,
            "expires_on": invitation.expires_at,
            "client_first_name": first_name,
        },
        dedupe_key=f"{invitation_message_key(invitation)}:email",
    )
    if message is None:
        logger.warning("invitation email switched off by the business", extra={"invitation_id": invitation.pk})
        return None
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])
    return message


def _text_invitation(invitation: Invitation) -> None:
    """A client who has a mobile number and agreed to texts also gets the link by SMS (through the
    outbox, in this transaction; one text per link sent). Call inside the business's scope."""
    if invitation.role != Role.CLIENT:
        return
    client = _invitee_client(invitation)
    if client is None or not client.phone or not client.sms_consent:
        return
    outbox.enqueue(organization=invitation.organization, channel="sms", kind="invitation", client=client,
                   context={"link": invitation_url(invitation)}, related=invitation,
                   dedupe_key=invitation_message_key(invitation))


def invitation_sent(event: events.Event) -> None:
    invitation = _invitation(event)
    _suppress_unsent(invitation, reason=_("A newer invitation link was sent."),
                     keep=invitation_message_key(invitation))
    invitation_email_enqueue(invitation=invitation)
    _text_invitation(invitation)


def invitation_revoked(event: events.Event) -> None:
    _suppress_unsent(_invitation(event), reason=_("The invitation was revoked."))


def register() -> None:
    events.subscribe(invitation_sent, ["invitation.sent"], required=True)
    events.subscribe(invitation_revoked, ["invitation.revoked"], required=True)


@shared_task(base=OrgTask, bind=True, name="coachos.accounts.tasks.send_invitation_email")
def send_invitation_email(self: OrgTask, *, organization_id: int, invitation_id: int) -> None:
    """Kept under its old name for tasks queued before invitation emails moved to the outbox (the
    services now write the outbox row themselves): write the row for the current link, if missing,
    and send it now."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None or invitation.status != Invitation.Status.PENDING:
            logger.info("invitation not sent: no longer pending", extra={"invitation_id": invitation_id})
            return
        message = invitation_email_enqueue(invitation=invitation)
    if message is not None and message.status == OutboundMessage.Status.QUEUED:
        sender.deliver(message.pk)
    logger.info("invitation email handed to the outbox", extra={"invitation_id": invitation_id})
