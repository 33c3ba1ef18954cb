"""The platform's jobs page for platform admins (/platform/jobs/): each job's last run, duration,
result and next due time. No organization in the URL, so the tenancy middleware enters no scope;
the job records belong to no business."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import JobRun
from .platform_jobs import job_overview


@staff_member_required
def jobs(request: HttpRequest) -> HttpResponse:
    recent = list(JobRun.objects.order_by("-started_at", "-id")[:50])
    return render(request, "automations/platform_jobs.html", {
        "jobs": job_overview(), "recent": recent, "title": "Periodic jobs",
    })
