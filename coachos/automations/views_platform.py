"""The platform's jobs page for platform admins (/platform/jobs/): each job's last run, duration,
result and next due time, written for people (no raw dicts). No organization in the URL, so the
tenancy middleware enters no scope; the job records belong to no business."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import JobRun
from .platform_jobs import job_overview


def every_text(seconds: int) -> str:
    """300 → "every 5 minutes"; 3600 → "every hour"."""
    if seconds % 86400 == 0:
        days = seconds // 86400
        return ngettext("every day", "every %(n)d days", days) % {"n": days}
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("every hour", "every %(n)d hours", hours) % {"n": hours}
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext("every minute", "every %(n)d minutes", minutes) % {"n": minutes}
    return ngettext("every second", "every %(n)d seconds", seconds) % {"n": seconds}


def duration_text(ms: int | None) -> str:
    """120 → "120 ms"; 2300 → "2.3 s"; 125000 → "2 min 5 s"."""
    if ms is None:
        return ""
    if ms < 1000:
        return _("%(n)d ms") % {"n": ms}
    if ms < 60000:
        return _("%(n)s s") % {"n": f"{ms / 1000:.1f}"}
    return _("%(m)d min %(s)d s") % {"m": ms // 60000, "s": (ms % 60000) // 1000}


def _phrase(key: str, value: Any) -> str:
    words = str(key).replace("_", " ")
    if isinstance(value, bool):
        return words if value else _("not %(what)s") % {"what": words}
    if isinstance(value, int | float):
        return f"{value} {words}"
    if isinstance(value, list | tuple):
        return f"{len(value)} {words}"
    if isinstance(value, dict):
        inner = summary_text(value)
        return f"{words}: {inner}"
    return f"{words}: {value}"


def summary_text(result: Any) -> str:
    """A run's result (the task's counts) as a phrase: {"sent": 3, "skipped": 0} → "3 sent, 0 skipped"."""
    if not result:
        return _("Nothing to do")
    if not isinstance(result, dict):
        return str(result)
    return ", ".join(_phrase(key, value) for key, value in result.items())


STATUS_LABELS = {"succeeded": gettext_lazy("Succeeded"), "failed": gettext_lazy("Failed"),
                 "partial": gettext_lazy("Partly done"), "running": gettext_lazy("Running")}


@staff_member_required
def jobs(request: HttpRequest) -> HttpResponse:
    rows = job_overview()
    for job in rows:
        job["every"] = every_text(job["every_seconds"])
        job["duration"] = duration_text(job["last_duration_ms"])
        job["summary"] = job["last_error"] or (summary_text(job["last_result"]) if job["last_run_at"] else "")
        job["status_label"] = STATUS_LABELS.get(job["last_status"] or "", job["last_status"] or "")
    recent = list(JobRun.objects.order_by("-started_at", "-id")[:50])
    for run in recent:
        run.duration = duration_text(run.duration_ms)  # type: ignore[attr-defined]
        run.summary = run.error or summary_text(run.result)  # type: ignore[attr-defined]
        run.status_label = STATUS_LABELS.get(run.status, run.status)  # type: ignore[attr-defined]
    return render(request, "automations/platform_jobs.html", {
        "jobs": rows, "recent": recent, "title": _("Periodic jobs"),
    })
