"""The production job path: a real Celery worker on the real Redis broker runs a task sent
by the web side, inside the right business's scope.

The test builds its own Celery app from the same settings, pointed at Redis (the suite's main
app is eager): every shared task of the project registers on it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from django_scopes import scopes_disabled

from coachos.accounts.models import Invitation
from coachos.celery import app as main_app

from .factories import InvitationFactory

REDIS = "redis://127.0.0.1:6379/15"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("redis")]


@pytest.fixture
def redis_app():
    app = Celery("coachos-redis-test")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.conf.update(broker_url=REDIS, result_backend=REDIS, task_always_eager=False, task_default_queue=queue,
                    task_ignore_result=False, broker_transport_options={})
    app.autodiscover_tasks(force=True)
    app.finalize()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[queue],
                          shutdown_timeout=10):
            yield app
    finally:
        main_app.set_current()


def test_a_task_sent_to_redis_runs_on_the_worker(redis_app, org, mailoutbox):
    invitation = InvitationFactory(organization=org, email="new.coach@example.com", role="coach")
    task = redis_app.tasks["coachos.accounts.tasks.send_invitation_email"]
    result = task.apply_async(kwargs={"organization_id": org.pk, "invitation_id": invitation.pk})
    assert result.get(timeout=20) is None
    assert [m.to for m in mailoutbox] == [["new.coach@example.com"]]
    with scopes_disabled():
        assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


def test_a_periodic_job_runs_on_the_worker(redis_app, org):
    stale = InvitationFactory(organization=org, expires_at=timezone.now() - timedelta(minutes=1))
    fresh = InvitationFactory(organization=org)
    task = redis_app.tasks["coachos.accounts.tasks.expire_invitations"]
    assert task.apply_async().get(timeout=20) == 1
    with scopes_disabled():
        assert Invitation.objects.get(pk=stale.pk).status == Invitation.Status.EXPIRED
        assert Invitation.objects.get(pk=fresh.pk).status == Invitation.Status.PENDING
