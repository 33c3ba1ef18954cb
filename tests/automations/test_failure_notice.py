"""A run that ends failed or partly done tells the coach (bell, and email as they chose), once per
run, with the reason and a link to the run; a run that succeeded tells nobody."""

from __future__ import annotations

from datetime import date
from datetime import time as wall

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.automations import engine, runner, services
from coachos.automations.models import AutomationRun
from coachos.comms.models import Notification, OutboundMessage, SmsOptOut
from tests.factories import ClientFactory

from .conftest import local, make

pytestmark = pytest.mark.django_db

SMS = [{"type": "send_sms", "message_kind": "automation", "text": "Hi {client_first_name}!"}]


def scheduled(org, **extra):
    return make(org, name="Morning hello", trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0),
                **extra)


def tick_at_nine(org, time_machine) -> None:
    time_machine.move_to(local(org, date(2025, 6, 3), 9), tick=False)
    engine.tick()


def notices(org) -> list[Notification]:
    with scopes_disabled():
        return list(Notification.objects.filter(organization=org, kind="automation_failed").order_by("id"))


@pytest.fixture
def at_eight(sms_org, time_machine):
    time_machine.move_to(local(sms_org, date(2025, 6, 3), 8), tick=False)


def test_a_failed_run_tells_the_owner_once_with_the_reason_and_a_link(sms_org, owner, texter, time_machine,
                                                                        at_eight):
    with scopes_disabled():
        SmsOptOut.objects.create(organization=sms_org, phone=texter.phone, opted_out_at=timezone.now())
    automation = scheduled(sms_org, actions=SMS)
    tick_at_nine(sms_org, time_machine)
    with scopes_disabled():
        run = AutomationRun.objects.get(automation=automation)
    assert run.status == "failed"
    [notice] = notices(sms_org)
    assert notice.user_id == owner.pk
    assert notice.title.startswith("“Morning hello” failed: ")
    assert "texted STOP" in notice.title
    assert (notice.related_type, notice.related_id) == ("automationrun", run.pk)
    assert notice.url == f"/o/{sms_org.slug}/automations/runs/{run.pk}/"
    with scopes_disabled():  # and by email, the kind's default for the team
        email = OutboundMessage.objects.get(organization=sms_org, kind="automation_failed", user=owner)
    assert email.channel == "email" and "Morning hello" in email.subject
    # Telling again about the same run (e.g. a task delivered twice) adds nothing.
    with scope(organization=sms_org):
        runner.notify_failure(run)
    assert len(notices(sms_org)) == 1


def test_a_partly_done_run_says_so(sms_org, owner, texter, time_machine, at_eight):
    with scope(organization=sms_org):
        ClientFactory(organization=sms_org, phone="+13125550177", sms_consent=False)
    scheduled(sms_org, actions=SMS)
    tick_at_nine(sms_org, time_machine)
    [notice] = notices(sms_org)
    assert notice.title.startswith("“Morning hello” was only partly done: ")
    assert "has not agreed to texts" in notice.title


def test_a_run_that_succeeded_tells_nobody(sms_org, owner, texter, time_machine, at_eight):
    automation = scheduled(sms_org, actions=SMS)
    tick_at_nine(sms_org, time_machine)
    with scopes_disabled():
        assert AutomationRun.objects.get(automation=automation).status == "succeeded"
    assert notices(sms_org) == []


def test_a_retry_that_fails_again_is_its_own_notice(sms_org, owner, texter, time_machine, at_eight):
    with scopes_disabled():
        SmsOptOut.objects.create(organization=sms_org, phone=texter.phone, opted_out_at=timezone.now())
    automation = scheduled(sms_org, actions=SMS)
    tick_at_nine(sms_org, time_machine)
    with scopes_disabled():
        run = AutomationRun.objects.get(automation=automation)
    with scope(organization=sms_org):
        again = services.automation_run_retry(run=run, actor=owner)
    assert again.status == "failed"
    assert [n.related_id for n in notices(sms_org)] == [run.pk, again.pk]


def test_an_interrupted_run_tells_the_owner(sms_org, owner, time_machine, at_eight):
    automation = scheduled(sms_org)
    with scopes_disabled():
        stuck = AutomationRun.objects.create(organization=sms_org, automation=automation, trigger="schedule",
                                             due_at=local(sms_org, date(2025, 6, 2), 9),
                                             started_at=local(sms_org, date(2025, 6, 2), 9))
    assert engine.tick()["interrupted"] == 1
    [notice] = notices(sms_org)
    assert notice.related_id == stuck.pk and "interrupted" in notice.title
    assert engine.tick()["interrupted"] == 0
    assert len(notices(sms_org)) == 1


def test_a_run_stopped_by_an_error_tells_the_owner(sms_org, owner, texter, time_machine, at_eight, monkeypatch):
    from coachos.automations import audience

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(audience, "load_facts_many", boom)
    scheduled(sms_org)
    tick_at_nine(sms_org, time_machine)
    [notice] = notices(sms_org)
    assert "failed: The run stopped on an error (RuntimeError)" in notice.title
    assert "database" not in notice.title


def test_trouble_telling_the_team_never_changes_the_run(sms_org, owner, texter, time_machine, at_eight,
                                                        monkeypatch):
    with scopes_disabled():
        SmsOptOut.objects.create(organization=sms_org, phone=texter.phone, opted_out_at=timezone.now())

    def broken(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(runner.notify, "team", broken)
    automation = scheduled(sms_org, actions=SMS + [{"type": "create_todo", "title": "Call {client_first_name}"}])
    tick_at_nine(sms_org, time_machine)
    with scopes_disabled():
        run = AutomationRun.objects.get(automation=automation)
    assert run.status == "partial" and "texted STOP" in run.error
    assert run.results[1]["status"] == "ok"  # the to-do was kept
