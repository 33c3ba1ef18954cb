"""The platform's periodic jobs (coachos.jobs.JOBS), run when due and recorded truthfully.

Beat sends one task, ``run_due_jobs``, every minute (coachos.jobs.beat_schedule_for_celery).
``jobs_tick`` then, for each job:

- makes sure it has a ``JobSchedule`` row (a new job is due at once);
- claims it when due by one conditional UPDATE — ``SET next_run_at = <next> WHERE name = … AND
  next_run_at = <the due time read>`` — that only one caller can win, so two beat processes (or
  two ticks at once) run a job once per due time; a job whose previous run is still going is
  left for a later tick instead of running twice at once;
- runs it through ``run_job``, which writes a ``JobRun`` (unique per job and due time) before
  calling the job's task, then its status, duration, result summary and, on failure, the error
  (exception type and first line, with anything that looks like an email address or a phone
  number removed: no personal data).

Due times are aligned on multiples of the job's interval since the epoch (UTC), so a job stays
on its minute whatever second the tick fires at.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from coachos import jobs as declared
from coachos.jobs import PeriodicJob

from . import schedule
from .dispatch import RUN_JOB, task_by_name
from .models import JobRun, JobSchedule

logger = logging.getLogger("coachos.jobs")

STALE_AFTER = timedelta(hours=1)
KEEP_RUNS_FOR = timedelta(days=30)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def job_named(name: str) -> PeriodicJob | None:
    return next((job for job in declared.JOBS if job.name == name), None)


def safe_error(exc: BaseException) -> str:
    """What went wrong, without personal data: the type and the first line, addresses and numbers
    blanked (a database error's first line names a constraint, never the row's values)."""
    first = (str(exc).strip().splitlines() or [""])[0]
    first = _PHONE.sub("[number]", _EMAIL.sub("[email]", first))
    return f"{type(exc).__name__}: {first}"[:500] if first else type(exc).__name__


def _summary(value: Any) -> dict[str, Any]:
    """The task's return value as a small JSON summary (counts and ids, as the tasks return)."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, int | float | str | bool | None)}
    if isinstance(value, int | float | str | bool):
        return {"result": value}
    return {"result": str(value)[:200]}


def ensure_schedules(*, now: datetime) -> None:
    known = set(JobSchedule.objects.values_list("name", flat=True))
    missing = [JobSchedule(name=job.name, next_run_at=schedule.current_every(now=now, every=job.every))
               for job in declared.JOBS if job.name not in known]
    if missing:
        JobSchedule.objects.bulk_create(missing, ignore_conflicts=True)


def _running(name: str, now: datetime) -> bool:
    return JobRun.objects.filter(name=name, status=JobRun.Status.RUNNING, started_at__gte=now - STALE_AFTER).exists()


def claim(job: PeriodicJob, *, now: datetime) -> datetime | None:
    """The due time this caller won for ``job``, or None (not due, running, or another won)."""
    row = JobSchedule.objects.filter(name=job.name).values_list("next_run_at", flat=True).first()
    if row is None or row > now or _running(job.name, now):
        return None
    won = JobSchedule.objects.filter(name=job.name, next_run_at=row).update(
        next_run_at=schedule.next_every(after=now, every=job.every), updated_at=now)
    return row if won == 1 else None


def _call(task_name: str) -> Any:
    from celery import current_app

    task = current_app.tasks[task_name]
    return task()  # in this process, now: the run is recorded around it


def run_job(*, name: str, due_at: datetime, call: Callable[[str], Any] | None = None) -> JobRun | None:
    """Run one claimed job and record it. None when this due time already has a run."""
    job = job_named(name)
    if job is None:
        return None
    started = timezone.now()
    try:
        with transaction.atomic():
            record = JobRun.objects.create(name=name, due_at=due_at, started_at=started)
    except IntegrityError:
        return None
    clock = time.perf_counter()
    try:
        value = (call or _call)(job.task)
    except Exception as exc:
        record.status, record.error = JobRun.Status.FAILED, safe_error(exc)
        logger.exception("job failed", extra={"job": name})
    else:
        record.status, record.result = JobRun.Status.SUCCEEDED, _summary(value)
    record.duration_ms = int((time.perf_counter() - clock) * 1000)
    record.finished_at = max(timezone.now(), started)
    record.save(update_fields=["status", "error", "result", "duration_ms", "finished_at"])
    logger.info("job ran", extra={"job": name, "status": record.status, "duration_ms": record.duration_ms})
    return record


def sweep(*, now: datetime) -> None:
    JobRun.objects.filter(status=JobRun.Status.RUNNING, started_at__lt=now - STALE_AFTER).update(
        status=JobRun.Status.FAILED, finished_at=now,
        error="Interrupted: the worker stopped before the job finished.")
    JobRun.objects.filter(started_at__lt=now - KEEP_RUNS_FOR).delete()


def _dispatch(name: str, due_at: datetime) -> None:
    task_by_name(RUN_JOB).delay(name=name, due_at=due_at.isoformat())


def jobs_tick(*, now: datetime | None = None, dispatch: Callable[[str, datetime], None] | None = None) -> list[str]:
    """Claim every due job and hand it to a worker; returns the names claimed."""
    now = now or timezone.now()
    ensure_schedules(now=now)
    sweep(now=now)
    claimed = []
    for job in declared.JOBS:
        due_at = claim(job, now=now)
        if due_at is not None:
            claimed.append(job.name)
            (dispatch or _dispatch)(job.name, due_at)
    return claimed


# --- reads (page and API) ------------------------------------------------------------------------

def job_overview() -> list[dict[str, Any]]:
    """Each declared job with its last run and next due time (a few queries in all)."""
    schedules = dict(JobSchedule.objects.values_list("name", "next_run_at"))
    rows = []
    for job in declared.JOBS:
        last = JobRun.objects.filter(name=job.name).exclude(status=JobRun.Status.RUNNING).order_by(
            "-started_at", "-id").first()
        running = JobRun.objects.filter(name=job.name, status=JobRun.Status.RUNNING).exists()
        rows.append({
            "name": job.name, "description": job.description, "task": job.task,
            "every_seconds": int(job.every.total_seconds()),
            "last_run_at": last.started_at if last else None,
            "last_status": last.status if last else None,
            "last_duration_ms": last.duration_ms if last else None,
            "last_error": last.error if last else "",
            "last_result": last.result if last else {},
            "running": running,
            "next_run_at": schedules.get(job.name),
        })
    return rows
