"""What progress hears from other apps, without importing them:

- ``booking.completed`` (scheduling): a completed session moves the client's attendance goals ("12
  sessions this quarter") — in progress, or achieved when it is the Nth.
- ``note.action_item`` (notes): a line of a coach's note marked as a task for the client becomes the
  client's task — only when the note is shared with the client: a private note's words stay the team's.

Each listener works in the emitting transaction (a rolled-back change moves nothing) inside a savepoint:
if it fails, its own writes are undone and logged (ids only), and the other app's change still stands."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction

from coachos.clients.models import Client
from coachos.common import events

from .models import Goal
from .models.tasks import TITLE_MAX
from .services.goals import goals_refresh
from .services.tasks import task_create

logger = logging.getLogger("coachos.progress")


def on_session_completed(event: events.Event) -> None:
    if event.client_id is None:
        return
    try:
        with transaction.atomic():
            # One cheap query when the client has no open attendance goal (most clients, most sessions).
            if not Goal.objects.filter(organization_id=event.organization_id, client_id=event.client_id,
                                       target_type=Goal.Target.ATTENDANCE, status__in=Goal.OPEN).exists():
                return
            client = Client.objects.select_related("organization").get(pk=event.client_id)
            goals_refresh(client=client, attendance=True)
    except Exception:
        logger.exception("attendance goals not refreshed", extra={"organization_id": event.organization_id,
                                                                  "client_id": event.client_id})


def on_note_action_item(event: events.Event) -> None:
    if event.data.get("assignee") != "client" or not event.data.get("shared") or event.client_id is None:
        return
    text = " ".join(str(getattr(event.instance, "text", "") or "").split())[:TITLE_MAX]
    if not text:
        return
    try:
        with transaction.atomic():
            client = Client.objects.select_related("organization").get(pk=event.client_id)
            task_create(client=client, actor=None, title=text, origin=f"note-item:{event.object_id}")
    except IntegrityError:
        pass  # made already from this line
    except Exception:
        logger.exception("task not made from a note", extra={"organization_id": event.organization_id,
                                                             "object_id": event.object_id})


def register() -> None:
    events.subscribe(on_session_completed, ["booking.completed"])
    events.subscribe(on_note_action_item, ["note.action_item"])
