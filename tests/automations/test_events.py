"""Event triggers: the services emit, the automation runs for that client after the commit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from coachos.automations import engine
from coachos.automations.models import AutomationRun, Todo
from coachos.clients.services import client_create
from coachos.common import events
from coachos.credits.services import package_grant, use_session
from coachos.scheduling.services import booking_cancel, booking_create, session_complete
from tests.factories import (
    BookingFactory,
    ClientFactory,
    CoachFactory,
    PackagePlanFactory,
    SessionTypeFactory,
    TrainingSessionFactory,
)

from .conftest import make

pytestmark = pytest.mark.django_db


def runs(org) -> list[AutomationRun]:
    with scopes_disabled():
        return list(AutomationRun.objects.filter(organization=org).order_by("id"))


def test_a_new_client_is_tagged_by_a_client_created_automation(org, django_capture_on_commit_callbacks):
    make(org, trigger_type="event", event="client.created", actions=[{"type": "add_tag", "tag": "New"}])
    with scope(organization=org), django_capture_on_commit_callbacks(execute=True):
        client = client_create(organization=org, actor=None, first_name="Nia", email="nia@example.com")
    [run] = runs(org)
    assert run.trigger == "event" and run.status == "succeeded" and run.client_ids == [client.pk]
    assert run.trigger_data["name"] == "client.created"
    with scope(organization=org):
        assert [t.name for t in client.tags.all()] == ["New"]


def test_nothing_happens_when_the_transaction_rolls_back(org, django_capture_on_commit_callbacks):
    from django.db import transaction

    make(org, trigger_type="event", event="client.created", actions=[{"type": "add_tag", "tag": "New"}])
    with scope(organization=org), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            client_create(organization=org, actor=None, first_name="Gone", email="gone@example.com")
            raise RuntimeError("rolled back")
    assert callbacks == [] and runs(org) == []


def test_an_event_delivered_twice_runs_once(org):
    automation = make(org, trigger_type="event", event="client.created")
    client = ClientFactory(organization=org)
    event = events.Event(name="client.created", organization_id=org.pk, client_id=client.pk, object_type="client",
                         object_id=client.pk, key=f"client.created:client:{client.pk}")
    with scope(organization=org):
        engine.handle_event(organization=org, event=event)
        engine.handle_event(organization=org, event=event)
        assert Todo.objects.filter(automation=automation).count() == 1
    assert len(runs(org)) == 1


def test_a_booking_and_its_cancellation(org, django_capture_on_commit_callbacks):
    booked = make(org, name="Booked", trigger_type="event", event="booking.created")
    cancelled = make(org, name="Cancelled", trigger_type="event", event="booking.cancelled")
    coach = CoachFactory(organization=org)
    session_type = SessionTypeFactory(organization=org)
    client = ClientFactory(organization=org)
    starts = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    with scope(organization=org), django_capture_on_commit_callbacks(execute=True):
        booking = booking_create(coach=coach, session_type=session_type, client=client, starts_at=starts,
                                 actor=None, mode="coach")
    with scope(organization=org), django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, actor=None, by="coach")
    assert [(r.automation_id, r.trigger_data["object_id"]) for r in runs(org)] == [
        (booked.pk, booking.pk), (cancelled.pk, booking.pk)]


def test_review_request_runs_after_the_fifth_completed_session_only(org, django_capture_on_commit_callbacks):
    automation = make(org, trigger_type="event", event="booking.completed", session_number=5)
    coach = CoachFactory(organization=org)
    client = ClientFactory(organization=org)
    other = ClientFactory(organization=org)
    start = timezone.now() - timedelta(days=30)
    for n in range(7):
        at = start + timedelta(days=n)
        session = TrainingSessionFactory(coach=coach, starts_at=at, ends_at=at + timedelta(hours=1))
        BookingFactory(session=session, client=client)
        if n < 2:
            BookingFactory(session=TrainingSessionFactory(coach=coach, starts_at=at + timedelta(hours=3),
                                                          ends_at=at + timedelta(hours=4)), client=other)
        with scope(organization=org), django_capture_on_commit_callbacks(execute=True):
            session_complete(session=session, actor=None)
    [run] = runs(org)
    assert run.automation_id == automation.pk and run.client_ids == [client.pk]
    with scopes_disabled():
        fifth = client.bookings.order_by("session__starts_at")[4]
    assert run.trigger_data["object_id"] == fifth.pk


def test_low_credits_event_runs_once_per_package_at_the_threshold(org, django_capture_on_commit_callbacks):
    automation = make(org, trigger_type="event", event="package.low_credits", credits_threshold=1)
    client = ClientFactory(organization=org)
    plan = PackagePlanFactory(organization=org, sessions=3)
    with scope(organization=org):
        package = package_grant(client=client, plan=plan, actor=None)
        for n in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                use_session(client=client, actor=None, idempotency_key=f"use-{n}")
            if n == 0:
                assert runs(org) == []  # 2 left: above the threshold
    [run] = runs(org)
    assert run.automation_id == automation.pk
    assert run.trigger_data["data"] == {"remaining": 1}
    assert run.trigger_data["object_id"] == package.pk


def test_filters_apply_to_event_triggers(org, django_capture_on_commit_callbacks):
    make(org, trigger_type="event", event="package.granted", statuses=["active"])
    plan = PackagePlanFactory(organization=org)
    paused = ClientFactory(organization=org, status="paused")
    active = ClientFactory(organization=org)
    with scope(organization=org), django_capture_on_commit_callbacks(execute=True):
        package_grant(client=paused, plan=plan, actor=None)
        package_grant(client=active, plan=plan, actor=None)
    assert [r.client_ids for r in runs(org)] == [[active.pk]]


def test_no_listening_automation_means_no_task(org, django_capture_on_commit_callbacks):
    make(org, trigger_type="event", event="waiver.signed", enabled=False)
    with scope(organization=org), django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_create(organization=org, actor=None, first_name="Quiet", email="quiet@example.com")
    assert callbacks == []


def test_the_hook_refuses_unknown_names_and_survives_a_failing_listener(org):
    with pytest.raises(ValueError):
        events.emit("booking.exploded", organization=org)
    seen: list[events.Event] = []

    def broken(event: events.Event) -> None:
        raise RuntimeError("listener bug")

    events.subscribe(broken)
    events.subscribe(seen.append, names=["client.created"])
    try:
        client = ClientFactory(organization=org)
        event = events.emit("client.created", organization=org, client=client, obj=client, data={"at": timezone.now()})
        events.emit("waiver.signed", organization=org, client=client.pk)
    finally:
        events.unsubscribe(broken)
        events.unsubscribe(seen.append)
    assert seen == [event] and event.client_id == client.pk and event.key == f"client.created:client:{client.pk}"
    assert isinstance(event.data["at"], str)  # plain data, ready for a task


def test_a_no_show_is_an_event_per_attendee(org, django_capture_on_commit_callbacks):
    make(org, trigger_type="event", event="booking.no_show")
    coach = CoachFactory(organization=org)
    at = timezone.now() - timedelta(days=1)
    session = TrainingSessionFactory(coach=coach, starts_at=at, ends_at=at + timedelta(hours=1), capacity=3)
    attendees = [BookingFactory(session=session, client=ClientFactory(organization=org)) for _ in range(2)]
    from coachos.scheduling.services import session_no_show

    with scope(organization=org), django_capture_on_commit_callbacks(execute=True):
        session_no_show(session=session, actor=None)
    assert sorted(r.trigger_data["object_id"] for r in runs(org)) == sorted(b.pk for b in attendees)
