"""The platform's periodic jobs, declared in one place.

Each entry names a task that takes no objects, only ids or nothing. Beat does not run them one
by one: it sends one tick a minute (``celery_beat_schedule``), and the tick
(``coachos.automations.platform_jobs``) runs each job when it is due — claimed atomically, so
two beats make one run per due time — and records every run (status, duration, result, error).
The jobs page (/platform/jobs/) and ``GET /api/v1/jobs`` read those records.
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
        name="send-due-messages",
        task="coachos.comms.tasks.send_due_messages",
        every=timedelta(minutes=1),
        description="Send due texts and emails: retries, messages held by quiet hours, anything not yet sent.",
    ),
    PeriodicJob(
        name="send-reminders",
        task="coachos.comms.tasks.send_reminders",
        every=timedelta(minutes=5),
        description="Write session reminders (24 hours and 2 hours before) that are due, once per booking.",
    ),
    PeriodicJob(
        name="pause-overdue-memberships",
        task="coachos.billing.tasks.pause_overdue_memberships",
        every=timedelta(hours=1),
        description="Pause memberships whose payment failed longer ago than the business's grace period.",
    ),
    PeriodicJob(
        name="expire-unpaid-bookings",
        task="coachos.billing.tasks.expire_unpaid_bookings",
        every=timedelta(minutes=1),
        description="Cancel card bookings still unpaid when their 10-minute hold ends: the time is free again.",
    ),
    PeriodicJob(
        name="expire-invitations",
        task="coachos.accounts.tasks.expire_invitations",
        every=timedelta(hours=1),
        description="Mark invitations past their expiry date as expired.",
    ),
    PeriodicJob(
        name="chat-unread-notices",
        task="coachos.chat.tasks.send_unread_notices",
        every=timedelta(minutes=1),
        description="Text a client an in-app message they have not read after the business's delay (once), "
                    "and email what stayed unread for 30 minutes.",
    ),
    PeriodicJob(
        name="chat-prune-uploads",
        task="coachos.chat.tasks.prune_unsent_uploads",
        every=timedelta(hours=1),
        description="Delete files uploaded for a chat message that was never sent (after a day).",
    ),
    PeriodicJob(
        name="journal-goal-reminders",
        task="coachos.notes.tasks.send_journal_reminders",
        every=timedelta(hours=1),
        description="From Thursday 18:00 in each client's zone, remind clients behind their weekly journal goal "
                    "(once a week at most; their preferences apply).",
    ),
    PeriodicJob(
        name="progress-overdue-tasks",
        task="coachos.progress.tasks.note_overdue_tasks",
        every=timedelta(minutes=15),
        description="Announce (task.overdue) each client task newly overdue in its business's zone, once per "
                    "task and missed day or week.",
    ),
    PeriodicJob(
        name="progress-monthly-reports",
        task="coachos.progress.tasks.send_monthly_reports",
        every=timedelta(hours=1),
        description="From the 1st at 08:00 in each business's zone, email the clients who get it their previous "
                    "month's progress report (PDF attached), once per client and month.",
    ),
    PeriodicJob(
        name="library-due-shares",
        task="coachos.library.tasks.deliver_due_shares",
        every=timedelta(minutes=1),
        description="Deliver library shares scheduled for now and the next item of each due drip (weekly or "
                    "monthly at the same local time), once per share and run; clients are told.",
    ),
    PeriodicJob(
        name="insights-weekly-digest",
        task="coachos.insights.tasks.send_weekly_digests",
        every=timedelta(minutes=15),
        description="From Monday 08:00 in each business's zone, email its owners last week's numbers and the "
                    "insight cards worth acting on (as each chose), once per business and week.",
    ),
    PeriodicJob(
        name="write-calendar-events",
        task="coachos.integrations.tasks.write_calendar_events",
        every=timedelta(minutes=1),
        description="Write booked, moved and cancelled sessions to each coach's chosen calendar (once per change; "
                    "failed writes retried with backoff).",
    ),
    PeriodicJob(
        name="sync-calendars",
        task="coachos.integrations.tasks.sync_calendars",
        every=timedelta(minutes=1),
        description="Re-read connected calendars whose busy times are over 5 minutes old (CalDAV ctag, Google sync "
                    "tokens) and renew Google watch channels a day before they expire.",
    ),
    PeriodicJob(
        name="run-automations",
        task="coachos.automations.tasks.run_automations",
        every=timedelta(minutes=1),
        description="Run the automations that are due (schedules; daily condition checks), once per due time.",
    ),
)


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The declared schedule, job by job (what the tick runs and when)."""
    return {job.name: {"task": job.task, "schedule": job.every} for job in JOBS}


TICK_TASK = "coachos.automations.tasks.run_due_jobs"


def celery_beat_schedule() -> dict[str, dict[str, Any]]:
    """What beat itself sends: one tick a minute that runs whichever jobs are due."""
    return {"run-due-jobs": {"task": TICK_TASK, "schedule": timedelta(minutes=1)}}
