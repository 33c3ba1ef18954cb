"""The devices a person gets push notifications on, per business: add, remove, list.

A subscription belongs to the person who signed it up in this business. The same browser signed
up again (by them or by whoever uses the device now) updates the one row, so a shared device
never keeps getting the previous person's notifications.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import push
from .models import OutboundMessage, PushSubscription
from .outbox import CommsError

logger = logging.getLogger("coachos.comms")


def push_subscriptions_of(*, organization: Organization, user: Any) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(organization=organization, user=user).order_by("-created_at", "-id")


@transaction.atomic
def push_subscribe(*, organization: Organization, user: Any, endpoint: str, p256dh: str, auth: str,
                   label: str = "") -> tuple[PushSubscription, bool]:
    """Start sending this person's push notifications to one browser. (row, created)."""
    if not push.enabled():
        raise CommsError(_("Push notifications are not set up on this server."))
    endpoint, p256dh, auth = endpoint.strip(), p256dh.strip(), auth.strip()
    problem = push.endpoint_problem(endpoint) or push.keys_problem(p256dh, auth)
    if problem:
        raise CommsError(problem)
    label = " ".join(label.split())[:100]
    subscription, created = PushSubscription.objects.select_for_update().update_or_create(
        organization=organization, endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "label": label})
    if created:
        audit.log(organization=organization, actor=user, action="push_subscription.added", obj=subscription)
    logger.info("push subscription saved", extra={"push_subscription_id": subscription.pk, "new": created})
    return subscription, created


@transaction.atomic
def push_unsubscribe(*, organization: Organization, user: Any, endpoint: str) -> bool:
    """The browser turned notifications off: forget it (only the person's own). False if unknown."""
    subscription = PushSubscription.objects.filter(organization=organization, user=user,
                                                   endpoint=endpoint.strip()).first()
    if subscription is None:
        return False
    push_subscription_remove(subscription=subscription, actor=user)
    return True


@transaction.atomic
def push_subscription_remove(*, subscription: PushSubscription, actor: Any) -> None:
    _suppress_pending(subscription.pk, _("The device was removed before this went out."))
    audit.log(organization=subscription.organization, actor=actor, action="push_subscription.removed",
              obj=subscription)
    subscription.delete()


def _suppress_pending(subscription_id: int, reason: str) -> None:
    OutboundMessage.objects.filter(push_subscription_id=subscription_id, status__in=OutboundMessage.PENDING).update(
        status=OutboundMessage.Status.SUPPRESSED, last_error=reason[:500])
