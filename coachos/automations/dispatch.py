"""Queue this app's own tasks by name.

``tasks.py`` is the thin Celery layer over ``engine`` and ``platform_jobs``; those modules hand work
to a worker without importing ``tasks`` back (no import cycle), the way ``coachos/jobs.py`` names
the periodic tasks."""

from __future__ import annotations

from typing import Any

RUN_DUE_AUTOMATIONS = "coachos.automations.tasks.run_due_automations"
HANDLE_EVENT = "coachos.automations.tasks.handle_event"
RUN_JOB = "coachos.automations.tasks.run_job"


def task_by_name(name: str) -> Any:
    """The registered task (``.delay`` honours eager mode, unlike ``send_task``)."""
    from celery import current_app

    return current_app.tasks[name]
