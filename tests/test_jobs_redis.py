"""The production job path: a real Celery worker on the real Redis broker runs a task sent
by the web side, inside the right business's scope."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone
from django_scopes import scopes_disabled

from coachos.accounts.models import Invitation
from coachos.accounts.tasks import expire_invitations, send_invitation_email
from coachos.celery import app

from .factories import InvitationFactory

REDIS = "redis://127.0.0.1:6379/15"
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("redis")]


@pytest.fixture
def redis_worker():
    saved = {k: app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager", "task_default_queue",
                                      "task_ignore_result")}
    queue = f"test-{uuid.uuid4().hex[:8]}"
    app.conf.update(broker_url=REDIS, result_backend=REDIS, task_always_eager=False, task_default_queue=queue,
                    task_ignore_result=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", queues=[queue],
                          shutdown_timeout=10):
            yield app
    finally:
        app.conf.update(saved)


def test_a_task_sent_to_redis_runs_on_the_worker(redis_worker, org, mailoutbox):
    invitation = InvitationFactory(organization=org, email="new.coach@example.com", role="coach")
    result = send_invitation_email.apply_async(
        kwargs={"organization_id": org.pk, "invitation_id": invitation.pk}, ignore_result=False
    )
    assert result.get(timeout=20) is None
    assert [m.to for m in mailoutbox] == [["new.coach@example.com"]]
    with scopes_disabled():
        assert Invitation.objects.get(pk=invitation.pk).sent_at is not None


def test_a_periodic_job_runs_on_the_worker(redis_worker, org):
    stale = InvitationFactory(organization=org, expires_at=timezone.now() - timedelta(minutes=1))
    fresh = InvitationFactory(organization=org)
    assert expire_invitations.apply_async(ignore_result=False).get(timeout=20) == 1
    with scopes_disabled():
        assert Invitation.objects.get(pk=stale.pk).status == Invitation.Status.EXPIRED
        assert Invitation.objects.get(pk=fresh.pk).status == Invitation.Status.PENDING
