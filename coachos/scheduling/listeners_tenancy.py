"""What tenancy and accounts events mean for scheduling: owners and coaches can be booked, so a new
member or a new role makes sure the person has a Coach record. Required listeners: the record is
written with the membership or not at all."""

from __future__ import annotations

from coachos.common import events
from coachos.tenancy.models import Membership

from .services import coach_ensure

MEMBERSHIP_EVENTS = ["membership.created", "membership.role_changed"]


def membership_changed(event: events.Event) -> None:
    membership = event.instance if isinstance(event.instance, Membership) else None
    if membership is None:
        membership = Membership.objects.get(pk=int(event.object_id or 0))
    coach_ensure(membership=membership)


def register() -> None:
    events.subscribe(membership_changed, MEMBERSHIP_EVENTS, required=True)
