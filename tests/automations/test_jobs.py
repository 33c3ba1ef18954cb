"""The platform's periodic jobs: one schedule, each run claimed once per due time and recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from celery import shared_task
from django.test import Client as DjangoClient

from coachos import jobs
from coachos.automations import platform_jobs
from coachos.automations.models import JobRun, JobSchedule
from coachos.automations.tasks import run_due_jobs
from tests.concurrency import run_concurrently
from tests.conftest import bearer
from tests.factories import MembershipFactory, UserFactory, member

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 6, 2, 12, 0, 20, tzinfo=UTC)
CALLS: list[str] = []


@shared_task(name="tests.automations.job_ok")
def job_ok() -> dict[str, int]:
    CALLS.append("ok")
    return {"expired": 3}


@shared_task(name="tests.automations.job_broken")
def job_broken() -> None:
    CALLS.append("broken")
    raise ValueError("could not reach ann@example.com at +1 312 555 0100")


TEST_JOBS = (
    jobs.PeriodicJob(name="ok-job", task="tests.automations.job_ok", every=timedelta(minutes=1),
                     description="Works."),
    jobs.PeriodicJob(name="broken-job", task="tests.automations.job_broken", every=timedelta(hours=1),
                     description="Fails."),
)


@pytest.fixture
def test_jobs(monkeypatch):
    CALLS.clear()
    monkeypatch.setattr(jobs, "JOBS", TEST_JOBS)
    return TEST_JOBS


def test_each_due_job_is_claimed_once_per_due_time(test_jobs):
    claimed: list[tuple[str, datetime]] = []
    dispatch = lambda name, due: claimed.append((name, due))  # noqa: E731
    assert platform_jobs.jobs_tick(now=NOON, dispatch=dispatch) == ["ok-job", "broken-job"]
    assert claimed == [("ok-job", datetime(2025, 6, 2, 12, 0, tzinfo=UTC)),
                       ("broken-job", datetime(2025, 6, 2, 12, 0, tzinfo=UTC))]
    assert platform_jobs.jobs_tick(now=NOON + timedelta(seconds=30), dispatch=dispatch) == []
    # The next tick, whatever second it fires at: only the every-minute job is due.
    assert platform_jobs.jobs_tick(now=NOON + timedelta(seconds=41), dispatch=dispatch) == ["ok-job"]
    assert dict(JobSchedule.objects.values_list("name", "next_run_at")) == {
        "ok-job": datetime(2025, 6, 2, 12, 2, tzinfo=UTC), "broken-job": datetime(2025, 6, 2, 13, 0, tzinfo=UTC)}


@pytest.mark.smoke
def test_a_tick_runs_and_records_success_and_failure(test_jobs, time_machine):
    time_machine.move_to(NOON, tick=False)
    assert run_due_jobs.delay().get() == ["ok-job", "broken-job"]
    assert CALLS == ["ok", "broken"]
    ok = JobRun.objects.get(name="ok-job")
    assert ok.status == "succeeded" and ok.result == {"expired": 3} and ok.error == ""
    assert ok.duration_ms is not None and ok.duration_ms >= 0 and ok.finished_at is not None
    assert ok.due_at == datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
    broken = JobRun.objects.get(name="broken-job")
    assert broken.status == "failed" and broken.duration_ms is not None
    assert broken.error == "ValueError: could not reach [email] at [number]"  # no personal data


def test_the_same_due_time_is_never_run_twice(test_jobs):
    due = datetime(2025, 6, 2, 12, 0, tzinfo=UTC)
    assert platform_jobs.run_job(name="ok-job", due_at=due) is not None
    assert platform_jobs.run_job(name="ok-job", due_at=due) is None
    assert CALLS == ["ok"] and JobRun.objects.count() == 1


def test_a_job_still_running_is_not_started_again(test_jobs):
    platform_jobs.jobs_tick(now=NOON, dispatch=lambda name, due: None)
    JobRun.objects.create(name="ok-job", due_at=datetime(2025, 6, 2, 12, 0, tzinfo=UTC), started_at=NOON)
    later = NOON + timedelta(minutes=1)
    assert platform_jobs.jobs_tick(now=later, dispatch=lambda name, due: None) == []
    # Once it has been running for over an hour it counts as interrupted, and the job goes on.
    much_later = NOON + timedelta(hours=2)
    assert "ok-job" in platform_jobs.jobs_tick(now=much_later, dispatch=lambda name, due: None)
    assert JobRun.objects.get(name="ok-job").status == "failed"


@pytest.mark.postgres
@pytest.mark.xdist_group("concurrency")
@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_run_each_job_once(test_jobs):
    platform_jobs.ensure_schedules(now=NOON)
    def tick(_i: int) -> list[str]:
        return platform_jobs.jobs_tick(now=NOON + timedelta(seconds=5),
                                       dispatch=lambda name, due: platform_jobs.run_job(name=name, due_at=due))

    claimed = [name for names in run_concurrently(tick, 4, timeout=60).values for name in names]
    assert sorted(claimed) == ["broken-job", "ok-job"]
    assert sorted(CALLS) == ["broken", "ok"]
    assert JobRun.objects.count() == 2


def test_every_declared_job_can_run_through_the_recorder():
    names = {job.name for job in jobs.JOBS}
    assert {"run-automations", "complete-past-sessions", "expire-packages", "extend-recurring-bookings",
            "clear-expired-holds", "send-due-messages"} <= names
    assert jobs.celery_beat_schedule() == {"run-due-jobs": {"task": jobs.TICK_TASK,
                                                            "schedule": timedelta(minutes=1)}}


def test_the_jobs_api_is_for_platform_admins_only(test_jobs, org, time_machine):
    time_machine.move_to(NOON, tick=False)
    run_due_jobs.delay()
    web = DjangoClient()
    assert web.get("/api/v1/jobs").status_code == 401
    owner = member(org, "owner", email="owner-jobs@example.com")
    refused = web.get("/api/v1/jobs", **bearer(owner, org))
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    admin = UserFactory(email="root@coachos.example", is_staff=True, is_superuser=True)
    MembershipFactory(organization=org, user=admin, role="owner")  # a token belongs to a member of a business
    response = web.get("/api/v1/jobs", **bearer(admin, org))
    assert response.status_code == 200
    by_name = {row["name"]: row for row in response.json()}
    assert set(by_name) == {"ok-job", "broken-job"}
    assert by_name["ok-job"]["last_status"] == "succeeded" and by_name["broken-job"]["last_status"] == "failed"
    assert by_name["ok-job"]["last_run_at"].startswith("2025-06-02T")
    assert by_name["ok-job"]["next_run_at"] is not None and by_name["ok-job"]["last_duration_ms"] is not None


def test_the_jobs_page_is_for_platform_staff(test_jobs, org, time_machine):
    time_machine.move_to(NOON, tick=False)
    run_due_jobs.delay()
    staff = UserFactory(email="staff@coachos.example", is_staff=True)
    web = DjangoClient()
    web.force_login(staff)
    page = web.get("/platform/jobs/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "ok-job" in text and "broken-job" in text and "ValueError" in text
    outsider = member(org, "owner", email="not-staff@example.com")
    web.force_login(outsider)
    assert web.get("/platform/jobs/").status_code == 302  # to the admin login
