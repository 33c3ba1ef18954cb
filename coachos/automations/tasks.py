"""Thin Celery tasks: the platform's job tick and job runner, the automations tick, a business's
due runs, and events."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from celery import shared_task

from coachos.common.events import Event
from coachos.tenancy.tasks import OrgTask

from . import engine, platform_jobs

logger = logging.getLogger("coachos.automations")


@shared_task
def run_due_jobs() -> list[str]:
    """Beat's one periodic task: claim and dispatch every platform job that is due."""
    return platform_jobs.jobs_tick()


@shared_task(acks_late=False)
def run_job(*, name: str, due_at: str) -> str | None:
    """Run one claimed job and record it (not redelivered: a half-run job is recorded as
    interrupted instead of running again behind the record's back)."""
    record = platform_jobs.run_job(name=name, due_at=datetime.fromisoformat(due_at))
    return record.status if record is not None else None


@shared_task
def run_automations() -> dict[str, int]:
    """The platform job: claim due automations and dispatch their runs, business by business."""
    totals = engine.tick()
    if totals.get("runs") or totals.get("interrupted"):
        logger.info("automations tick", extra=totals)
    return totals


@shared_task
def run_due_automations(*, run_ids: list[int]) -> int:
    """A claimed batch of runs (any businesses; each acts in its own scope): see engine.run_due."""
    return engine.run_due(run_ids)


@shared_task(base=OrgTask)
def handle_event(*, organization_id: int, event: dict[str, Any]) -> int:
    from coachos.tenancy.models import Organization

    organization = Organization.objects.get(pk=organization_id)
    return len(engine.handle_event(organization=organization, event=Event.from_dict(event)))
