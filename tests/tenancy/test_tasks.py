"""Celery tasks that work inside one business, and the periodic job schedule."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.utils import timezone
from django_scopes import get_scope, scopes_disabled

from coachos.celery import app
from coachos.jobs import JOBS, TICK_TASK, beat_schedule, celery_beat_schedule
from coachos.tenancy.models import Membership, Organization
from coachos.tenancy.roles import Role
from coachos.tenancy.tasks import OrgTask

from ..factories import MembershipFactory, OrganizationFactory


@shared_task(base=OrgTask, bind=True, name="tests.tenancy.list_memberships")
def list_memberships(self: OrgTask, *, organization_id: int) -> dict[str, object]:
    return {
        "membership_ids": sorted(Membership.objects.values_list("pk", flat=True)),
        "timezone": str(timezone.get_current_timezone()),
        "scope_org": get_scope()["organization"].pk,
    }


@pytest.fixture
def businesses(db: None) -> dict[str, object]:
    chicago = OrganizationFactory(timezone="America/Chicago")
    tokyo = OrganizationFactory(timezone="Asia/Tokyo")
    a_ids = sorted(MembershipFactory(organization=chicago, role=role).pk for role in (Role.OWNER, Role.COACH))
    MembershipFactory(organization=tokyo)
    return {"a": chicago, "b": tokyo, "a_ids": a_ids}


def test_an_org_task_sees_only_its_business_and_its_time_zone(businesses: dict[str, object]):
    a: Organization = businesses["a"]  # type: ignore[assignment]
    result = list_memberships(organization_id=a.pk)
    assert result == {"membership_ids": businesses["a_ids"], "timezone": "America/Chicago", "scope_org": a.pk}
    b: Organization = businesses["b"]  # type: ignore[assignment]
    assert list_memberships(organization_id=b.pk)["timezone"] == "Asia/Tokyo"


def test_an_org_task_run_through_celery_enters_the_scope(businesses: dict[str, object]):
    a: Organization = businesses["a"]  # type: ignore[assignment]
    result = list_memberships.delay(organization_id=a.pk).get()
    assert result["membership_ids"] == businesses["a_ids"]
    assert result["timezone"] == "America/Chicago"


def test_the_scope_and_zone_end_with_the_task(businesses: dict[str, object]):
    a: Organization = businesses["a"]  # type: ignore[assignment]
    list_memberships(organization_id=a.pk)
    assert str(timezone.get_current_timezone()) == "UTC"
    from django_scopes import ScopeError

    with pytest.raises(ScopeError):
        list(Membership.objects.all())


def test_an_org_task_for_a_business_that_is_gone_does_nothing(businesses: dict[str, object]):
    with scopes_disabled():
        missing = (Organization.objects.order_by("-pk").first().pk or 0) + 1000
    assert list_memberships(organization_id=missing) is None
    assert list_memberships.delay(organization_id=missing).get() is None


def test_an_org_task_needs_the_business_id(businesses: dict[str, object]):
    with pytest.raises(TypeError):
        list_memberships()


def test_every_periodic_job_is_scheduled_and_its_task_exists():
    import coachos.accounts.tasks  # noqa: F401  (registers the tasks, as the worker's autodiscovery does)

    app.loader.import_default_modules()
    schedule = beat_schedule()
    assert len(JOBS) > 0
    assert set(schedule) == {job.name for job in JOBS}
    assert len({job.name for job in JOBS}) == len(JOBS), "two jobs share a name"
    for job in JOBS:
        assert schedule[job.name] == {"task": job.task, "schedule": job.every}
        assert job.every.total_seconds() > 0
        assert job.task in app.tasks, f"{job.name}: no task named {job.task} is registered"
    app.finalize()
    # Beat sends one tick a minute; the tick runs each job when due (coachos.automations.platform_jobs).
    assert app.conf.beat_schedule == celery_beat_schedule()
    assert TICK_TASK in app.tasks
