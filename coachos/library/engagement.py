"""What a client does with what was shared: opened, time spent (beats from the viewer), completed,
downloaded. Each write asks ``selectors.resource_access`` first: something not shared with the client
is a 404 for them, and an item a sequential collection still locks cannot be opened or completed."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Least
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from coachos.clients.models import Client

from .errors import LOCKED, LibraryError
from .models import CollectionItem, Engagement, Grant
from .selectors import Item, resource_access

MAX_BEAT = 60  # seconds one beat may add: the viewer sends one every 15 s while the page is visible
MAX_TOTAL = 24 * 60 * 60 * 30


def open_item(client: Client, resource_id: int) -> Item:
    """The item the client may open now, or 404 (not theirs) / LibraryError (locked)."""
    item = resource_access(client, resource_id)
    if item is None:
        raise Http404("No such resource.")
    if item.locked:
        raise LibraryError(_("This item opens once you complete the one before it."), code=LOCKED)
    return item


def _row(client: Client, resource_id: int, now: datetime) -> Engagement:
    try:
        with transaction.atomic():
            row, _created = Engagement.objects.get_or_create(
                client=client, resource_id=resource_id,
                defaults={"organization_id": client.organization_id, "opened_at": now, "updated_at": now})
    except IntegrityError:  # two first opens at once: the other made it
        row = Engagement.objects.get(client=client, resource_id=resource_id)
    return row


def _seen(client: Client, resource_id: int, now: datetime) -> None:
    """No longer "new": the resource's own grant, and the grants of collections holding it."""
    Grant.objects.filter(client=client, seen_at__isnull=True, resource_id=resource_id).update(seen_at=now)
    holding = CollectionItem.objects.filter(resource_id=resource_id).values("collection_id")
    Grant.objects.filter(client=client, seen_at__isnull=True, collection_id__in=holding).update(seen_at=now)


@transaction.atomic
def engagement_open(*, client: Client, resource_id: int, now: datetime | None = None) -> Engagement:
    now = now or timezone.now()
    open_item(client, resource_id)
    row = _row(client, resource_id, now)
    Engagement.objects.filter(pk=row.pk, opened_at__isnull=True).update(opened_at=now)
    _seen(client, resource_id, now)
    row.refresh_from_db()
    return row


@transaction.atomic
def engagement_beat(*, client: Client, resource_id: int, seconds: int, now: datetime | None = None) -> Engagement:
    """Time the viewer was visible (a hidden tab sends nothing): at most a minute per beat."""
    now = now or timezone.now()
    open_item(client, resource_id)  # something not theirs is a 404 whatever the beat says
    if not 0 < seconds <= MAX_BEAT:
        raise LibraryError(_("A beat counts 1 to %(max)d seconds.") % {"max": MAX_BEAT}, field="seconds")
    row = _row(client, resource_id, now)
    Engagement.objects.filter(pk=row.pk).update(seconds=Least(F("seconds") + seconds, MAX_TOTAL), updated_at=now)
    row.refresh_from_db()
    return row


@transaction.atomic
def engagement_complete(*, client: Client, resource_id: int, done: bool = True,
                        now: datetime | None = None) -> Engagement:
    now = now or timezone.now()
    open_item(client, resource_id)
    row = _row(client, resource_id, now)
    _seen(client, resource_id, now)
    if done:
        Engagement.objects.filter(pk=row.pk, completed_at__isnull=True).update(completed_at=now, updated_at=now)
    else:
        Engagement.objects.filter(pk=row.pk).update(completed_at=None, updated_at=now)
    row.refresh_from_db()
    return row


@transaction.atomic
def engagement_download(*, client: Client, resource_id: int, now: datetime | None = None) -> Item:
    """Count a download of something the client may open (returns it for the response)."""
    now = now or timezone.now()
    item = open_item(client, resource_id)
    row = _row(client, resource_id, now)
    _seen(client, resource_id, now)
    Engagement.objects.filter(pk=row.pk).update(downloads=F("downloads") + 1, updated_at=now)
    return item
