"""Writes behind the public booking page: a person books (or joins a waitlist) with a name
and an email, and becomes a client of the business."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from coachos.clients.models import Client
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from ..models import Booking, SlotHold, TrainingSession, WaitlistEntry
from .bookings import CLIENT, booking_create, waitlist_join


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def client_for_booking(
    *, organization: Organization, first_name: str, last_name: str, email: str, phone: str = "",
    user: Any = None, status: str = Client.Status.ACTIVE,
) -> Client:
    """The client a booking is for: the signed-in person's own record, else the business's client
    with that email, else a new one. A record found by email only gets its empty fields filled
    (whoever types an email must not rename someone else); a person's own record is updated.
    A new record is never linked to the signed-in account: portal access comes by invitation."""
    client = None
    own = False
    if _signed_in(user):
        client = Client.objects.select_for_update().filter(user=user).order_by("pk").first()
        own = client is not None
    if client is None:
        client = Client.objects.select_for_update().filter(email__iexact=email).order_by("pk").first()
    if client is None:
        try:
            with transaction.atomic():
                client = Client.objects.create(
                    organization=organization, first_name=first_name, last_name=last_name, email=email,
                    phone=phone, status=status,
                )
        except IntegrityError:
            # The same email booked twice at once: the other request created the record.
            client = Client.objects.select_for_update().get(email__iexact=email)
        else:
            audit.log(organization=organization, actor=user, action="client.created", obj=client,
                      data={"source": "online_booking"})
            return client

    wanted = {"first_name": first_name, "last_name": last_name, "phone": phone}
    changed = [
        name for name, value in wanted.items()
        if value and getattr(client, name) != value and (own or not getattr(client, name))
    ]
    for name in changed:
        setattr(client, name, wanted[name])
    if client.status == Client.Status.LEAD and status == Client.Status.ACTIVE:
        client.status = Client.Status.ACTIVE
        changed.append("status")
    if changed:
        client.save(update_fields=[*changed, "updated_at"])
        audit.log(organization=organization, actor=user, action="client.updated", obj=client,
                  data={"source": "online_booking", "fields": changed})
    return client


@transaction.atomic
def public_booking_confirm(
    *, hold: SlotHold, first_name: str, last_name: str, email: str, phone: str, note: str,
    user: Any = None, now: datetime | None = None,
) -> Booking:
    """Book the held time for a person: their client record and the booking, or nothing."""
    client = client_for_booking(organization=hold.organization, first_name=first_name, last_name=last_name,
                                email=email, phone=phone, user=user)
    return booking_create(coach=hold.coach, session_type=hold.session_type, client=client,
                          starts_at=hold.starts_at, actor=user if _signed_in(user) else None, note=note,
                          mode=CLIENT, hold=hold, now=now or timezone.now())


def public_hold_release(*, hold: SlotHold) -> None:
    """The person chose another time: free theirs for others at once."""
    SlotHold.objects.filter(pk=hold.pk).delete()


@transaction.atomic
def public_waitlist_join(
    *, session: TrainingSession, first_name: str, last_name: str, email: str, user: Any = None,
) -> WaitlistEntry:
    """Join a full class's waitlist with a name and an email (a new person becomes a lead)."""
    client = client_for_booking(organization=session.organization, first_name=first_name, last_name=last_name,
                                email=email, user=user, status=Client.Status.LEAD)
    return waitlist_join(session=session, client=client, actor=user if _signed_in(user) else None)
