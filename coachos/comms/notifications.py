"""In-app notifications (the bell) and each person's choices of how to hear about what.

A preference is (user, business, kind, channel) → on/off. No row means the default: for a client
every channel is on; for the team the in-app notification is on and email/SMS follow the kind's
``notify_default`` in the catalog. Reads (``unread_count``, ``notification_list``) always filter
by business *and* user, so they never need a scope of their own to be safe. Each read (and "mark
all read") takes ``clients``: pass ``clients_visible_to(membership)`` for a coach limited to their
own clients, and entries about other clients are neither shown, counted nor touched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from coachos.clients.models import Client
from coachos.tenancy import audit
from coachos.tenancy.models import Organization

from . import catalog, push
from .models import Notification, NotificationPreference

logger = logging.getLogger("coachos.comms")

Via = NotificationPreference.Via
VIAS: tuple[str, ...] = (Via.IN_APP, Via.EMAIL, Via.SMS)


def vias() -> tuple[str, ...]:
    """The channels people choose between: push too when this server can send it (VAPID keys)."""
    return (*VIAS, Via.PUSH) if push.enabled() else VIAS
CLIENT, TEAM = "client", "team"

# What a client may tune. Replies to their own texts, invitations, receipts and the coach's own
# typed messages are not "notifications" they subscribe to; promotions have their own consent.
# ``chat_message_client`` (chat: "new messages in the app") is named here by its key only.
CLIENT_KINDS: tuple[str, ...] = (
    "booking_confirmation", "reminder_24h", "reminder_2h", "follow_up", "cancellation", "reschedule",
    "waitlist_offer", "recurring_skipped", "low_credits", "payment_failed", "payment_link",
    "chat_message_client",
)
# Kinds of the apps above comms that a client may tune too: each app adds its own in its
# ``AppConfig.ready`` (notes: journal prompts and the goal reminder), so comms never imports them.
_client_kinds_added: list[str] = []


def register_client_kind(key: str) -> None:
    """Offer a kind of another app on the client's notification settings (after comms' own)."""
    if key not in CLIENT_KINDS and key not in _client_kinds_added:
        _client_kinds_added.append(key)


def client_kinds() -> tuple[str, ...]:
    return CLIENT_KINDS + tuple(_client_kinds_added)


# --- preferences -------------------------------------------------------------------------------

def default_enabled(kind: catalog.Kind, via: str) -> bool:
    """No choice saved: everything on for clients; for the team the bell, and push like the bell (only a
    device someone turned push on for gets any), email/SMS as the kind says."""
    if kind.audience != TEAM:
        return True
    return via in (Via.IN_APP, Via.PUSH) or via in kind.notify_default


def preference_kinds(audience: str) -> list[catalog.Kind]:
    """The kinds a person of this audience may choose about, in catalog order."""
    if audience == CLIENT:
        return [catalog.KINDS[key] for key in client_kinds() if key in catalog.KINDS]
    return [k for k in catalog.KINDS.values() if k.audience == TEAM]


def preferences_for(*, organization: Organization, users: Iterable[Any], kind: str) -> dict[int, dict[str, bool]]:
    """{user_id: {via: enabled}} for the rows that exist (one query for any number of users)."""
    user_ids = [u.pk for u in users if u is not None]
    found: dict[int, dict[str, bool]] = {pk: {} for pk in user_ids}
    if not user_ids:
        return found
    rows = NotificationPreference.objects.filter(organization=organization, user_id__in=user_ids, kind=kind)
    for user_id, via, enabled in rows.values_list("user_id", "via", "enabled"):
        found[user_id][via] = enabled
    return found


def wants(own: dict[str, bool], kind: catalog.Kind, via: str) -> bool:
    return own.get(via, default_enabled(kind, via))


@dataclass(frozen=True)
class PreferenceRow:
    kind: catalog.Kind
    cells: tuple[tuple[str, bool], ...]  # (via, enabled) in vias() order


def preference_table(*, organization: Organization, user: Any, audience: str) -> list[PreferenceRow]:
    kinds = preference_kinds(audience)
    saved: dict[tuple[str, str], bool] = {
        (kind, via): enabled for kind, via, enabled in NotificationPreference.objects.filter(
            organization=organization, user=user, kind__in=[k.key for k in kinds],
        ).values_list("kind", "via", "enabled")
    }
    return [
        PreferenceRow(kind=k, cells=tuple((via, saved.get((k.key, via), default_enabled(k, via))) for via in vias()))
        for k in kinds
    ]


@transaction.atomic
def preferences_save(*, organization: Organization, user: Any, audience: str,
                     enabled: set[tuple[str, str]]) -> int:
    """Store the person's choice for every kind and channel of their audience: on for the pairs in
    ``enabled``, off for the others. Unknown pairs are ignored. Returns how many changed."""
    kinds = preference_kinds(audience)
    existing = {(p.kind, p.via): p for p in NotificationPreference.objects.select_for_update().filter(
        organization=organization, user=user, kind__in=[k.key for k in kinds])}
    changed: list[NotificationPreference] = []
    new: list[NotificationPreference] = []
    for k in kinds:
        for via in vias():
            on = (k.key, via) in enabled
            row = existing.get((k.key, via))
            if row is None:
                if on != default_enabled(k, via):
                    new.append(NotificationPreference(organization=organization, user=user, kind=k.key, via=via,
                                                      enabled=on))
            elif row.enabled != on:
                row.enabled = on
                changed.append(row)
    if changed:
        NotificationPreference.objects.bulk_update(changed, ["enabled"])
    if new:
        NotificationPreference.objects.bulk_create(new)
    count = len(changed) + len(new)
    if count:
        audit.log(organization=organization, actor=user, action="notification_preferences.updated",
                  data={"changed": count})
    return count


# --- notifications -------------------------------------------------------------------------------

def notification_create(*, organization: Organization, user: Any, kind: str, title: str, body: str = "",
                        url: str = "", related: models.Model | None = None, client: Client | None = None,
                        dedupe_key: str | None = None) -> Notification:
    """One bell entry (about ``client``, if given). With a dedupe key a second call returns the
    first entry (also under a race)."""
    if dedupe_key is not None:
        existing = Notification.objects.filter(organization=organization, user=user, dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    notification = Notification(organization=organization, user=user, kind=kind, title=title[:200],
                                body=body[:2000], url=url[:500], client=client, dedupe_key=dedupe_key)
    if related is not None:
        notification.related_type = related._meta.model_name or ""
        notification.related_id = related.pk
    try:
        with transaction.atomic():
            notification.save()
    except IntegrityError:
        if dedupe_key is None:
            raise
        return Notification.objects.get(organization=organization, user=user, dedupe_key=dedupe_key)
    logger.info("notification created", extra={"notification_id": notification.pk, "kind": kind})
    return notification


def notifications_create_many(entries: list[Notification]) -> int:
    """Many bell entries in one INSERT (a message to everyone in a conversation), cut to the lengths
    ``notification_create`` keeps; an entry whose user already has its dedupe key is skipped, also under
    a race. Returns how many were offered."""
    for entry in entries:
        entry.title, entry.body, entry.url = entry.title[:200], entry.body[:2000], entry.url[:500]
    if entries:
        Notification.objects.bulk_create(entries, ignore_conflicts=True)
        logger.info("notifications created", extra={"count": len(entries),
                                                     "kinds": sorted({entry.kind for entry in entries})})
    return len(entries)


def own_notifications(*, organization: Organization, user: Any,
                      clients: QuerySet[Client] | None = None) -> QuerySet[Notification]:
    """The person's entries in the business; with ``clients``, only those about no client or one
    of them."""
    entries = Notification.objects.filter(organization=organization, user=user)
    if clients is not None:
        entries = entries.filter(Q(client__isnull=True) | Q(client__in=clients))
    return entries


def notification_list(*, organization: Organization, user: Any,
                      clients: QuerySet[Client] | None = None) -> QuerySet[Notification]:
    return own_notifications(organization=organization, user=user, clients=clients).order_by("-created_at", "-id")


def unread_count(*, organization: Organization, user: Any, clients: QuerySet[Client] | None = None) -> int:
    """One indexed COUNT (user, organization, read_at)."""
    return own_notifications(organization=organization, user=user, clients=clients).filter(
        read_at__isnull=True).count()


def notification_read(*, notification: Notification, now: datetime | None = None) -> Notification:
    """Mark one entry read (once: a second call keeps the first time)."""
    if notification.read_at is None:
        now = now or timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_read_all(*, organization: Organization, user: Any, clients: QuerySet[Client] | None = None,
                           now: datetime | None = None) -> int:
    return own_notifications(organization=organization, user=user, clients=clients).filter(
        read_at__isnull=True).update(read_at=now or timezone.now())
