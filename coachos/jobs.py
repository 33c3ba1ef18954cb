"""The platform's periodic jobs, declared in one place.

Beat reads this schedule (``coachos.celery``); so do the docs and, later, the jobs page.
Each entry names a task that takes no objects, only ids or nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: str
    every: timedelta
    description: str


JOBS: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        name="clear-expired-sessions",
        task="coachos.accounts.tasks.clear_expired_sessions",
        every=timedelta(hours=6),
        description="Delete login sessions that have expired.",
    ),
    PeriodicJob(
        name="extend-recurring-bookings",
        task="coachos.scheduling.tasks.extend_recurring_bookings",
        every=timedelta(hours=1),
        description="From 02:00 in each business's zone, materialize recurring bookings 6 weeks ahead.",
    ),
    PeriodicJob(
        name="clear-expired-holds",
        task="coachos.scheduling.tasks.clear_expired_holds",
        every=timedelta(minutes=1),
        description="Free slots held longer than 10 minutes; pass expired waitlist offers on.",
    ),
    PeriodicJob(
        name="complete-past-sessions",
        task="coachos.scheduling.tasks.complete_past_sessions",
        every=timedelta(minutes=15),
        description="Mark sessions completed once each business's grace period has passed; credits are used.",
    ),
    PeriodicJob(
        name="expire-packages",
        task="coachos.credits.tasks.expire_packages",
        every=timedelta(hours=1),
        description="Expire session packages past their date (their credits leave through the ledger).",
    ),
    PeriodicJob(
        name="expire-invitations",
        task="coachos.accounts.tasks.expire_invitations",
        every=timedelta(hours=1),
        description="Mark invitations past their expiry date as expired.",
    ),
)


def beat_schedule() -> dict[str, dict[str, Any]]:
    return {job.name: {"task": job.task, "schedule": job.every} for job in JOBS}
