"""Sharing: a resource or a collection given to one client, several, a tag's or all; now, at a time in
the business's zone, or as a drip (a collection's items one at a time, weekly or monthly).

A share due now is delivered in the transaction that makes it; a later one waits for the due-driven job
(``shares_run_due``, every minute), which claims due shares with ``FOR UPDATE SKIP LOCKED`` so two
workers never deliver the same run twice, and delivers them in batches: each batch's grants in one
INSERT, one message per client per batch (``alerts.announce``). A scheduled or dripping share can be
edited (time, message, audience) or cancelled until it goes; what was already delivered stays. Every
change is in the share's history (``ShareEvent``) and the audit log.

A tag's or everyone's share is read when it is delivered (a client tagged since gets the next run).
A coach limited to their own clients shares only with those, and not with a tag or everyone."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coachos.clients.models import Client, Tag
from coachos.clients.selectors import clients_visible_to, sees_every_client
from coachos.comms import outbox
from coachos.tenancy import audit
from coachos.tenancy.models import Membership, Organization

from . import alerts, schedule
from .errors import CONFLICT, FORBIDDEN, LibraryError
from .models import Collection, CollectionItem, Grant, Resource, Share, ShareEvent

logger = logging.getLogger("coachos.library")

Audience = Share.Audience
Repeat = Share.Repeat
Status = Share.Status
MAX_CLIENTS = 5000
BATCH = 5000
# Archived clients get nothing more.
RECEIVING = [Client.Status.LEAD, Client.Status.ACTIVE, Client.Status.PAUSED]


def _membership(organization: Organization, actor: Any) -> Membership | None:
    if actor is None:
        return None
    return Membership.objects.filter(organization=organization, user=actor).first()


def _audience(organization: Organization, actor: Any, *, client_ids: list[int] | None, tag_id: int | None,
              all_clients: bool) -> tuple[str, list[int], Tag | None]:
    chosen = sum([bool(client_ids), tag_id is not None, bool(all_clients)])
    if chosen != 1:
        raise LibraryError(_("Share with clients, a tag, or all clients (one of them)."), field="clients")
    membership = _membership(organization, actor)
    limited = actor is not None and not sees_every_client(membership)
    if client_ids:
        ids = list(dict.fromkeys(int(pk) for pk in client_ids))
        if len(ids) > MAX_CLIENTS:
            raise LibraryError(_("Share with at most %(count)d clients at once, or use a tag.") % {"count": MAX_CLIENTS},
                               field="clients")
        visible = clients_visible_to(membership) if actor is not None else Client.objects.all()
        found = set(visible.filter(organization=organization, pk__in=ids).values_list("pk", flat=True))
        if len(found) != len(ids):
            raise LibraryError(_("Some of these clients do not exist."), field="clients")
        return Audience.CLIENTS, ids, None
    if limited:
        raise LibraryError(_("You see only your own clients: share with them by name."), code=FORBIDDEN,
                           field="clients")
    if tag_id is not None:
        tag = Tag.objects.filter(organization=organization, pk=tag_id).first()
        if tag is None:
            raise LibraryError(_("That tag does not exist."), field="tag")
        return Audience.TAG, [], tag
    return Audience.ALL, [], None


def _when(organization: Organization, at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if timezone.is_naive(at):  # a wall-clock time is the business's
        at = timezone.make_aware(at, organization.tzinfo)
    return at.astimezone(UTC)


def _describe(share: Share, client_count: int | None = None) -> str:
    if share.audience == Audience.ALL:
        return _("All clients")
    if share.audience == Audience.TAG:
        return _("Clients tagged “%(tag)s”") % {"tag": share.tag.name if share.tag else "?"}
    count = client_count if client_count is not None else share.clients.count()
    if count == 1:
        first = share.clients.first()
        return first.full_name if first is not None else _("1 client")
    return ngettext("%(count)d client", "%(count)d clients", count) % {"count": count}


def _total(share: Share) -> int | None:
    """How many runs a drip has: one per item of its collection."""
    if share.repeat == Repeat.ONCE or share.collection_id is None:
        return None
    return CollectionItem.objects.filter(collection_id=share.collection_id).count()


@transaction.atomic
def share_create(*, organization: Organization, actor: Any, resource: Resource | None = None,
                 collection: Collection | None = None, client_ids: list[int] | None = None, tag_id: int | None = None,
                 all_clients: bool = False, at: datetime | None = None, repeat: str = Repeat.ONCE,
                 message: str = "", now: datetime | None = None) -> Share:
    now = now or timezone.now()
    if (resource is None) == (collection is None):
        raise LibraryError(_("Share a resource or a collection (one of them)."), field="resource")
    if repeat not in Repeat.values:
        raise LibraryError(_("Repeat once, weekly or monthly."), field="repeat")
    if repeat != Repeat.ONCE and collection is None:
        raise LibraryError(_("Only a collection can be dripped: its items go one at a time."), field="repeat")
    if collection is not None and not CollectionItem.objects.filter(collection=collection).exists():
        raise LibraryError(_("This collection is empty: add resources to it first."), field="collection")
    audience, ids, tag = _audience(organization, actor, client_ids=client_ids, tag_id=tag_id, all_clients=all_clients)
    first_at = _when(organization, at, now)
    if at is not None and first_at < now - timedelta(minutes=5):
        raise LibraryError(_("That time has passed. Choose a later one, or share now."), field="at")
    share = Share.objects.create(
        organization=organization, resource=resource, collection=collection, audience=audience, tag=tag,
        message=(message or "").strip()[:2000], repeat=repeat, first_at=first_at, next_run_at=first_at,
        status=Status.SCHEDULED, created_by=actor if getattr(actor, "pk", None) else None)
    if ids:
        share.clients.set(ids)
    ShareEvent.objects.create(organization=organization, share=share, action=ShareEvent.Action.CREATED,
                              actor=share.created_by, audience=_describe(share, len(ids) or None)[:300])
    audit.log(organization=organization, actor=actor, action="library.shared", obj=share,
              data={"audience": audience, "clients": len(ids), "repeat": repeat,
                    "at": first_at.isoformat(), "resource_id": getattr(resource, "pk", None),
                    "collection_id": getattr(collection, "pk", None)})
    if first_at <= now:
        deliver([share], now=now)
    return share


@transaction.atomic
def share_update(*, share: Share, actor: Any, at: datetime | None = None, message: str | None = None,
                 client_ids: list[int] | None = None, tag_id: int | None = None, all_clients: bool = False,
                 now: datetime | None = None) -> Share:
    """Change a share that has not gone yet (or a drip's next runs): its time, message or audience."""
    now = now or timezone.now()
    share = Share.objects.select_for_update().get(pk=share.pk)
    if not share.is_editable:
        raise LibraryError(_("This share has already gone or was cancelled; it can no longer be changed."),
                           code=CONFLICT)
    changed: list[str] = []
    if message is not None and message.strip() != share.message:
        share.message = message.strip()[:2000]
        changed.append("message")
    if client_ids or tag_id is not None or all_clients:
        audience, ids, tag = _audience(share.organization, actor, client_ids=client_ids, tag_id=tag_id,
                                       all_clients=all_clients)
        share.audience, share.tag = audience, tag
        share.clients.set(ids)
        changed.append("audience")
    if at is not None:
        if share.runs:
            raise LibraryError(_("A drip that has started keeps its day and time."), field="at", code=CONFLICT)
        first_at = _when(share.organization, at, now)
        if first_at < now - timedelta(minutes=5):
            raise LibraryError(_("That time has passed. Choose a later one, or share now."), field="at")
        share.first_at = share.next_run_at = first_at
        changed.append("at")
    if not changed:
        return share
    share.save()
    ShareEvent.objects.create(organization=share.organization, share=share, action=ShareEvent.Action.CHANGED,
                              actor=actor if getattr(actor, "pk", None) else None, audience=_describe(share)[:300])
    audit.log(organization=share.organization, actor=actor, action="library.share_changed", obj=share,
              data={"changed": changed})
    if share.next_run_at is not None and share.next_run_at <= now:
        deliver([share], now=now)
    return share


@transaction.atomic
def share_cancel(*, share: Share, actor: Any) -> Share:
    share = Share.objects.select_for_update().get(pk=share.pk)
    if not share.is_editable:
        raise LibraryError(_("This share has already gone or was cancelled."), code=CONFLICT)
    share.status, share.next_run_at = Status.CANCELLED, None
    share.save(update_fields=["status", "next_run_at", "updated_at"])
    ShareEvent.objects.create(organization=share.organization, share=share, action=ShareEvent.Action.CANCELLED,
                              actor=actor if getattr(actor, "pk", None) else None, audience=_describe(share)[:300])
    audit.log(organization=share.organization, actor=actor, action="library.share_cancelled", obj=share)
    return share


# --- delivery -------------------------------------------------------------------------------------

def _recipients(shares: list[Share]) -> dict[int, list[int]]:
    """share id -> client ids, for a batch (one query per kind of audience, and per tag)."""
    found: dict[int, list[int]] = defaultdict(list)
    direct = [s.pk for s in shares if s.audience == Audience.CLIENTS]
    if direct:
        through = Share.clients.through.objects.filter(share_id__in=direct,
                                                       client__status__in=RECEIVING)
        for share_id, client_id in through.values_list("share_id", "client_id"):
            found[share_id].append(client_id)
    tags: dict[int, list[int]] = defaultdict(list)
    for share in shares:
        if share.audience == Audience.TAG and share.tag_id is not None:
            tags[share.tag_id].append(share.pk)
    if tags:
        rows = Client.tags.through.objects.filter(tag_id__in=list(tags), client__status__in=RECEIVING)
        for tag_id, client_id in rows.values_list("tag_id", "client_id"):
            for share_id in tags[tag_id]:
                found[share_id].append(client_id)
    everyone = {s.organization_id for s in shares if s.audience == Audience.ALL}
    if everyone:
        by_org: dict[int, list[int]] = defaultdict(list)
        for org_id, client_id in Client.objects.filter(organization_id__in=everyone,
                                                       status__in=RECEIVING).values_list("organization_id", "pk"):
            by_org[org_id].append(client_id)
        for share in shares:
            if share.audience == Audience.ALL:
                found[share.pk] = by_org.get(share.organization_id, [])
    return found


def deliver(shares: Iterable[Share], *, now: datetime) -> int:
    """Deliver one run of each share (inside the caller's transaction, the shares locked). Returns how
    many grants were written or extended."""
    shares = list(shares)
    if not shares:
        return 0
    recipients = _recipients(shares)
    collection_ids = {s.collection_id for s in shares if s.collection_id is not None}
    sizes = dict(Collection.objects.filter(pk__in=collection_ids).annotate(n=Count("items")).values_list("pk", "n"))
    titles = {("r", pk): title for pk, title in Resource.objects.filter(
        pk__in={s.resource_id for s in shares if s.resource_id}).values_list("pk", "title")}
    titles.update({("c", pk): title for pk, title in Collection.objects.filter(pk__in=collection_ids).values_list(
        "pk", "title")})
    new_grants: list[Grant] = []
    delivered: dict[int, dict[int, alerts.Delivered]] = defaultdict(lambda: defaultdict(alerts.Delivered))
    events: list[ShareEvent] = []
    written = 0
    for share in shares:
        client_ids = recipients.get(share.pk, [])
        drip = share.repeat != Repeat.ONCE
        released = share.runs + 1 if drip else None
        for client_id in client_ids:
            new_grants.append(Grant(organization_id=share.organization_id, client_id=client_id,
                                    resource_id=share.resource_id, collection_id=share.collection_id, share=share,
                                    released=released, message=share.message, granted_at=now))
            got = delivered[share.organization_id][client_id]
            key = ("r", share.resource_id) if share.resource_id else ("c", share.collection_id)
            got.titles.append(titles.get(key, ""))  # type: ignore[arg-type]
            if share.message:
                got.notes.append(share.message)
            got.keys.append(f"{share.pk}:{share.runs}")
            got.resource_id, got.collection_id = share.resource_id, share.collection_id
        if drip and client_ids:
            # Clients who already have the collection see one more item (never fewer: another share's
            # grant may have released more, or all).
            written += Grant.objects.filter(collection_id=int(share.collection_id or 0), client_id__in=client_ids,
                                            released__isnull=False).update(
                released=Greatest(F("released"), released), granted_at=now, seen_at=None, message=share.message)
        share.runs += 1
        total = sizes.get(share.collection_id or 0) if drip else None
        share.next_run_at = schedule.next_after(share.first_at, share.organization.tzinfo, share.repeat, share.runs,
                                                total)
        share.status = Status.ACTIVE if share.next_run_at is not None else Status.SENT
        events.append(ShareEvent(organization_id=share.organization_id, share=share,
                                 action=ShareEvent.Action.DELIVERED, audience="", clients=len(client_ids), at=now))
    if new_grants:
        Grant.objects.bulk_create(new_grants, ignore_conflicts=True, batch_size=2000)
        written += len(new_grants)
    Share.objects.bulk_update(shares, ["runs", "next_run_at", "status", "updated_at"], batch_size=2000)
    ShareEvent.objects.bulk_create(events, batch_size=2000)
    with outbox.batch():  # each business's wording and opt-outs read once for the batch
        for organization_id, per_client in delivered.items():
            organization = next(s.organization for s in shares if s.organization_id == organization_id)
            clients = {c.pk: c for c in Client.objects.filter(pk__in=list(per_client)).select_related("user")}
            alerts.announce(organization=organization, clients=clients, delivered=per_client)
    logger.info("library shares delivered", extra={"shares": len(shares), "grants": written})
    return written


def shares_run_due(*, now: datetime | None = None, limit: int = 50_000) -> dict[str, int]:
    """Deliver every share due by ``now`` (the job). Each batch commits on its own."""
    now = now or timezone.now()
    done = {"shares": 0, "grants": 0}
    from django_scopes import scopes_disabled

    with scopes_disabled():
        while done["shares"] < limit:
            with transaction.atomic():
                batch = list(Share.objects.select_for_update(skip_locked=True, of=("self",))
                             .filter(status__in=[Status.SCHEDULED, Status.ACTIVE], next_run_at__lte=now)
                             .select_related("organization").order_by("next_run_at", "pk")[:BATCH])
                if not batch:
                    break
                done["grants"] += deliver(batch, now=now)
                done["shares"] += len(batch)
    return done


def audience_q(client: Client) -> Q:
    """Shares whose audience includes ``client`` (for the history shown on a client's page)."""
    return (Q(audience=Audience.ALL) | Q(audience=Audience.TAG, tag__in=client.tags.all())
            | Q(audience=Audience.CLIENTS, clients=client))
