"""Truthful run records: what did not reach a client makes the run partial or failed, with a
reason a coach can read; a retry redoes only that; run by hand."""

from __future__ import annotations

from datetime import date
from datetime import time as wall

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.automations import engine, services
from coachos.automations.models import AutomationRun, Todo
from coachos.comms.models import Notification, OutboundMessage, SmsOptOut
from tests.factories import ClientFactory, member

from .conftest import local, make

pytestmark = pytest.mark.django_db

SMS = [{"type": "send_sms", "message_kind": "automation", "text": "Hi {client_first_name}, see you soon!"}]


def scheduled(org, **extra):
    return make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0), **extra)


def run_at_nine(org, time_machine, automation) -> AutomationRun:
    time_machine.move_to(local(org, date(2025, 6, 3), 9), tick=False)
    engine.tick()
    with scopes_disabled():
        return AutomationRun.objects.filter(automation=automation).latest("id")


@pytest.fixture
def at_eight(org, time_machine):
    time_machine.move_to(local(org, date(2025, 6, 3), 8), tick=False)


def test_every_message_queued_is_a_success(sms_org, texter, time_machine, at_eight):
    automation = scheduled(sms_org, actions=SMS)
    run = run_at_nine(sms_org, time_machine, automation)
    assert run.status == "succeeded" and run.error == ""
    assert run.clients_reached == 1 and run.client_ids == [texter.pk]
    assert run.results[0]["ok"] == 1 and run.results[0]["status"] == "ok"
    with scopes_disabled():
        message = OutboundMessage.objects.get(client=texter)
    assert message.body == "Hi Tess, see you soon!" and message.kind == "automation"
    assert run.outcomes[0]["message"] == message.pk


def test_a_client_who_texted_stop_makes_the_run_failed_with_a_readable_reason(sms_org, texter, time_machine,
                                                                              at_eight):
    with scopes_disabled():
        SmsOptOut.objects.create(organization=sms_org, phone=texter.phone, opted_out_at=timezone.now())
    automation = scheduled(sms_org, actions=SMS)
    run = run_at_nine(sms_org, time_machine, automation)
    assert run.status == "failed"  # never "succeeded" when nothing reached anyone
    assert "SMS not sent: The recipient texted STOP" in run.error
    assert run.results[0]["not_sent"] == 1 and run.clients_reached == 0


def test_some_reached_some_not_is_partial(sms_org, texter, time_machine, at_eight):
    with scope(organization=sms_org):
        no_consent = ClientFactory(organization=sms_org, phone="+13125550177", sms_consent=False)
    automation = scheduled(sms_org, actions=SMS + [{"type": "add_tag", "tag": "Nudged"}])
    run = run_at_nine(sms_org, time_machine, automation)
    assert run.status == "partial"
    assert run.clients_reached == 1 and sorted(run.client_ids) == sorted([texter.pk, no_consent.pk])
    assert "1 of 2 not done" in run.error and "has not agreed to texts" in run.error
    sms, tag = run.results
    assert (sms["ok"], sms["not_sent"], sms["status"]) == (1, 1, "partial")
    assert (tag["ok"], tag["status"]) == (2, "ok")


def test_an_action_that_raises_fails_with_its_message_and_the_others_still_happen(sms_org, texter, time_machine,
                                                                                  at_eight, monkeypatch):
    from coachos.automations import runner
    from coachos.comms.outbox import CommsError

    def broken(**kwargs):
        raise CommsError("The message is empty.")

    monkeypatch.setattr(runner.outbox, "enqueue", broken)
    automation = scheduled(sms_org, actions=SMS + [{"type": "create_todo", "title": "Call {client_first_name}"}])
    run = run_at_nine(sms_org, time_machine, automation)
    assert run.status == "partial"
    assert run.results[0]["failed"] == 1 and "The message is empty." in run.error
    with scope(organization=sms_org):
        assert [t.title for t in Todo.objects.all()] == ["Call Tess"]


def test_a_retry_redoes_only_what_did_not_happen(sms_org, texter, time_machine, at_eight, sms_sent):
    with scope(organization=sms_org):
        later = ClientFactory(organization=sms_org, first_name="Lee", phone="+13125550178", sms_consent=False)
    automation = scheduled(sms_org, actions=SMS + [{"type": "create_todo", "title": "Call {client_first_name}"}])
    run = run_at_nine(sms_org, time_machine, automation)
    assert run.status == "partial"
    with scopes_disabled():
        type(later).objects.filter(pk=later.pk).update(sms_consent=True)  # the client agreed since
    with scope(organization=sms_org):
        retry = services.automation_run_retry(run=run, actor=None)
    assert retry.trigger == "retry" and retry.retry_of_id == run.pk
    assert retry.status == "succeeded" and retry.client_ids == [later.pk]
    assert [(o["client"], o["action"]) for o in retry.outcomes] == [(later.pk, 0)]  # not the to-do again
    with scopes_disabled():
        assert OutboundMessage.objects.filter(client=texter).count() == 1  # no second text to Tess
        assert OutboundMessage.objects.filter(client=later, status__in=["queued", "sent"]).count() == 1
        assert Todo.objects.count() == 2
    with scope(organization=sms_org), pytest.raises(engine.AutomationError, match="already retried"):
        services.automation_run_retry(run=run, actor=None)
    with scope(organization=sms_org), pytest.raises(engine.AutomationError, match="Only a failed"):
        services.automation_run_retry(run=retry, actor=None)


def test_an_interrupted_run_is_retried_in_full(sms_org, texter, time_machine, at_eight):
    automation = scheduled(sms_org, actions=SMS)
    with scopes_disabled():
        run = AutomationRun.objects.create(organization=sms_org, automation=automation, trigger="schedule",
                                           due_at=local(sms_org, date(2025, 6, 2), 9),
                                           started_at=local(sms_org, date(2025, 6, 2), 9), status="failed",
                                           error="interrupted")
    with scope(organization=sms_org):
        retry = services.automation_run_retry(run=run, actor=None)
    assert retry.status == "succeeded" and retry.client_ids == [texter.pk]


def test_run_by_hand_and_notify_the_team(sms_org, texter, time_machine, at_eight):
    owner = member(sms_org, "owner", email="boss@example.com")
    automation = scheduled(sms_org, actions=[{"type": "add_tag", "tag": "Hello"},
                                              {"type": "notify_team", "text": "Say hi"}])
    with scope(organization=sms_org):
        run = services.automation_run_now(automation=automation, actor=owner)
    assert run.trigger == "manual" and run.status == "succeeded" and run.created_by_id == owner.pk
    assert [r["status"] for r in run.results] == ["ok", "ok"]
    with scopes_disabled():
        notification = Notification.objects.get(user=owner)
    assert "Say hi" in notification.title and "Tess Texter" in notification.title
    with scope(organization=sms_org):
        event_automation = make(sms_org, trigger_type="event", event="client.created")
        with pytest.raises(engine.AutomationError):
            services.automation_run_now(automation=event_automation, actor=owner)


def test_a_run_with_nobody_to_reach_succeeds_and_says_so(org, time_machine, at_eight):
    automation = make(org, trigger_type="schedule", frequency="daily", time_of_day=wall(9, 0), statuses=["lead"])
    run = run_at_nine(org, time_machine, automation)
    assert run.status == "succeeded" and run.client_ids == [] and run.results[0]["status"] == "skipped"


def test_an_unexpected_error_fails_the_runs_of_the_business_truthfully(org, time_machine, at_eight, monkeypatch):
    from coachos.automations import audience

    ClientFactory(organization=org)
    automation = scheduled(org)

    def boom(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(audience, "load_facts_many", boom)
    run = run_at_nine(org, time_machine, automation)
    assert run.status == "failed" and "RuntimeError" in run.error and "database" not in run.error
    assert run.can_retry
