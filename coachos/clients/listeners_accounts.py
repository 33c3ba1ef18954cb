"""What accounts' events mean for client records (accounts is below clients and does not import it).

``invitation.accepted`` for a client invitation links the person's account to the business's client
record with their email, or creates the record. A required listener: it happens in the acceptance's
transaction or the acceptance fails."""

from __future__ import annotations

from coachos.accounts.models import Invitation, User
from coachos.common import events
from coachos.tenancy.roles import Role

from .models import Client


def invitation_accepted(event: events.Event) -> None:
    if event.data.get("role") != Role.CLIENT:
        return
    invitation = event.instance
    if not isinstance(invitation, Invitation):
        invitation = Invitation.objects.get(pk=int(event.object_id or 0))
    user = User.objects.get(pk=event.data["user_id"])
    client = Client.objects.filter(email__iexact=user.email).first()
    if client is None:
        first, _sep, last = (user.name or invitation.name or user.email.split("@")[0]).partition(" ")
        client = Client.objects.create(
            organization_id=event.organization_id, email=user.email, first_name=first, last_name=last
        )
    if client.user_id is None:
        client.user = user
        client.save(update_fields=["user", "updated_at"])


def register() -> None:
    events.subscribe(invitation_accepted, ["invitation.accepted"], required=True)
