"""What scheduling's events tell clients and the team (coachos/comms/listeners.py).

Quiet hours: only what the client's own action caused (the public page, their portal, their own
text) may go during them, when the business allows it; what the coach, the API or a job causes
waits for the window's end. Skipped recurring occurrences: the client and the coach are told.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse
from django_scopes import scope

from coachos.common import events
from coachos.comms import reminders, sender
from coachos.comms.models import Notification, OutboundMessage
from coachos.scheduling import services
from coachos.scheduling.services import CLIENT, COACH
from coachos.tenancy.models import Organization
from coachos.tenancy.roles import Role

from ..factories import (
    ClientFactory,
    CoachFactory,
    RecurringBookingFactory,
    SessionTypeFactory,
    SkippedOccurrenceFactory,
    WeeklyAvailabilityFactory,
    member,
)

pytestmark = pytest.mark.django_db

Status = OutboundMessage.Status
CHICAGO = ZoneInfo("America/Chicago")
SEVEN_PM = datetime(2026, 12, 7, 19, 0, tzinfo=CHICAGO)  # Monday, inside 18:45–20:45
WINDOW_END = datetime(2026, 12, 7, 20, 45, tzinfo=CHICAGO)
TOMORROW_10 = datetime(2026, 12, 8, 10, 0, tzinfo=CHICAGO)


@pytest.fixture
def quiet_org(sms_org: Organization) -> Organization:
    """Quiet from 18:45 to 20:45; what clients just asked for may go during them (the default)."""
    Organization.objects.filter(pk=sms_org.pk).update(quiet_hours_start=time(18, 45), quiet_hours_end=time(20, 45),
                                                      quiet_hours_exempt_requested=True)
    sms_org.refresh_from_db()
    return sms_org


@pytest.fixture
def seven_pm(time_machine: Any) -> None:
    time_machine.move_to(SEVEN_PM, tick=False)


@pytest.fixture
def coach(quiet_org: Organization) -> Any:
    with scope(organization=quiet_org):
        coach = CoachFactory(organization=quiet_org, display_name="Jordan")
        for weekday in range(7):
            WeeklyAvailabilityFactory(coach=coach, weekday=weekday, start_time=time(7), end_time=time(20))
    return coach


@pytest.fixture
def pt(quiet_org: Organization) -> Any:
    with scope(organization=quiet_org):
        return SessionTypeFactory(organization=quiet_org, name="Personal training", duration_minutes=60)


def book(org: Organization, coach: Any, session_type: Any, client: Any, *, mode: str, actor: Any,
         starts_at: datetime = TOMORROW_10) -> Any:
    with scope(organization=org):
        return services.booking_create(coach=coach, session_type=session_type, client=client,
                                       starts_at=starts_at, actor=actor, mode=mode)


def rows(org: Organization, **filters: Any) -> list[OutboundMessage]:
    with scope(organization=org):
        return list(OutboundMessage.objects.filter(**filters).order_by("channel"))


# --- quiet hours: who caused the message -----------------------------------------------------------

@pytest.mark.usefixtures("seven_pm")
def test_a_booking_the_coach_makes_at_7pm_waits_for_the_end_of_quiet_hours(quiet_org, coach, pt, texter, owner):
    book(quiet_org, coach, pt, texter, mode=COACH, actor=owner)
    confirmations = rows(quiet_org, kind="booking_confirmation")
    assert [(m.channel, m.status, m.quiet_hours_exempt) for m in confirmations] == [
        ("email", Status.DEFERRED, False), ("sms", Status.DEFERRED, False)]
    assert {m.scheduled_for for m in confirmations} == {WINDOW_END}
    sender.send_due()
    assert {m.status for m in rows(quiet_org, kind="booking_confirmation")} == {Status.DEFERRED}


@pytest.mark.usefixtures("seven_pm")
def test_a_booking_staff_make_through_the_api_waits_too(quiet_org, coach, pt, texter, owner):
    """The API books "as a client would" (open times only), but the client did not ask for anything."""
    book(quiet_org, coach, pt, texter, mode=CLIENT, actor=owner)
    assert {(m.status, m.scheduled_for) for m in rows(quiet_org, kind="booking_confirmation")} == {
        (Status.DEFERRED, WINDOW_END)}


@pytest.mark.usefixtures("seven_pm")
@pytest.mark.parametrize("where", ["public page", "portal"])
def test_a_booking_the_client_makes_at_7pm_is_confirmed_at_once(quiet_org, coach, pt, texter, where, sms_sent):
    actor = None  # the public booking page, nobody signed in
    if where == "portal":
        actor = member(quiet_org, Role.CLIENT)
        with scope(organization=quiet_org):
            texter.user = actor
            texter.save(update_fields=["user"])
    book(quiet_org, coach, pt, texter, mode=CLIENT, actor=actor)
    confirmations = rows(quiet_org, kind="booking_confirmation")
    assert [(m.status, m.quiet_hours_exempt, m.scheduled_for) for m in confirmations] == [
        (Status.QUEUED, True, SEVEN_PM), (Status.QUEUED, True, SEVEN_PM)]
    sender.send_due()
    assert {m.status for m in rows(quiet_org, kind="booking_confirmation")} == {Status.SENT}
    assert [s.to for s in sms_sent] == [texter.phone]


@pytest.mark.usefixtures("seven_pm")
def test_a_client_booking_waits_too_when_the_business_holds_everything(quiet_org, coach, pt, texter):
    Organization.objects.filter(pk=quiet_org.pk).update(quiet_hours_exempt_requested=False)
    quiet_org.refresh_from_db()
    book(quiet_org, coach, pt, texter, mode=CLIENT, actor=None)
    assert {m.status for m in rows(quiet_org, kind="booking_confirmation")} == {Status.DEFERRED}


@pytest.mark.usefixtures("seven_pm")
def test_someone_signed_in_who_is_not_the_client_does_not_make_it_the_clients_request(quiet_org, coach, pt,
                                                                                        texter):
    other_client_user = member(quiet_org, Role.CLIENT)
    book(quiet_org, coach, pt, texter, mode=CLIENT, actor=other_client_user)
    assert {m.status for m in rows(quiet_org, kind="booking_confirmation")} == {Status.DEFERRED}


def test_a_move_the_client_makes_in_the_portal_goes_at_once_and_the_coachs_waits(quiet_org, coach, pt, texter, owner,
                                                                                 time_machine):
    user = member(quiet_org, Role.CLIENT)
    with scope(organization=quiet_org):
        texter.user = user
        texter.save(update_fields=["user"])
    thursday_10 = TOMORROW_10 + timedelta(days=2)  # outside the cancellation window: the client may move it
    time_machine.move_to(SEVEN_PM - timedelta(days=3, hours=8), tick=False)  # booked on Friday morning
    booking = book(quiet_org, coach, pt, texter, mode=COACH, actor=owner, starts_at=thursday_10)
    time_machine.move_to(SEVEN_PM, tick=False)
    with scope(organization=quiet_org):
        services.booking_reschedule(booking=booking, starts_at=thursday_10 + timedelta(hours=1), actor=user,
                                    by=CLIENT)
    assert {(m.status, m.quiet_hours_exempt) for m in rows(quiet_org, kind="reschedule")} == {(Status.QUEUED, True)}
    with scope(organization=quiet_org):
        OutboundMessage.objects.filter(kind="reschedule").delete()
        services.session_move(session=booking.session, starts_at=thursday_10 + timedelta(hours=2), actor=owner)
    assert {(m.status, m.scheduled_for) for m in rows(quiet_org, kind="reschedule")} == {
        (Status.DEFERRED, WINDOW_END)}


# --- recurring occurrences the daily job skipped ------------------------------------------------------

def skipped_event(org: Organization, skipped: Any) -> None:
    """What the daily job emits for a skipped occurrence (scheduling's recurring extension)."""
    rb = skipped.recurring_booking
    with scope(organization=org), transaction.atomic():
        events.emit("recurring.occurrence_skipped", organization=org, client=rb.client_id, obj=rb,
                    data={"starts_at": skipped.starts_at, "reason": skipped.reason, "skipped_id": skipped.pk},
                    key=f"recurring.occurrence_skipped:{skipped.pk}")


@pytest.fixture
def skipped(quiet_org: Organization, coach: Any, pt: Any, texter: Any, time_machine: Any) -> Any:
    time_machine.move_to(datetime(2026, 12, 7, 2, 5, tzinfo=CHICAGO), tick=False)  # the job's hour
    with scope(organization=quiet_org):
        rb = RecurringBookingFactory(organization=quiet_org, coach=coach, client=texter, session_type=pt,
                                     weekday=1, start_time=time(10))
        return SkippedOccurrenceFactory(recurring_booking=rb, starts_at=TOMORROW_10 + timedelta(days=7),
                                        ends_at=TOMORROW_10 + timedelta(days=7, hours=1), reason="blocked")


def test_a_skipped_occurrence_tells_the_client_once_in_the_business_zone(quiet_org, skipped, texter):
    skipped_event(quiet_org, skipped)
    skipped_event(quiet_org, skipped)  # the same occurrence again: nobody hears twice
    messages = rows(quiet_org, kind="recurring_skipped")
    key = f"recurring-skipped:{skipped.pk}"
    assert [(m.channel, m.dedupe_key, m.client_id) for m in messages] == [
        ("email", f"{key}:email", texter.pk), ("sms", f"{key}:sms", texter.pk)]
    sms = messages[1]
    assert sms.body.startswith(f"{quiet_org.name}: we couldn't book your usual Personal training on Tuesday, "
                               "December 15 at 10:00 AM.")
    assert reverse("booking:index", kwargs={"org_slug": quiet_org.slug}) in sms.body  # no portal login
    assert sms.expires_at == skipped.starts_at  # useless once the time has passed
    assert sms.status == Status.QUEUED  # 02:05 is outside this business's quiet hours


def test_a_skipped_occurrence_links_a_portal_client_to_their_bookings(quiet_org, skipped, texter):
    user = member(quiet_org, Role.CLIENT)
    with scope(organization=quiet_org):
        texter.user = user
        texter.save(update_fields=["user"])
    skipped_event(quiet_org, skipped)
    [sms] = rows(quiet_org, kind="recurring_skipped", channel="sms")
    assert f"/portal/{quiet_org.slug}/bookings/" in sms.body
    with scope(organization=quiet_org):
        assert Notification.objects.filter(user=user, kind="recurring_skipped").count() == 1


def test_a_skipped_occurrence_rings_the_coachs_and_owners_bell_with_the_conflicts_page(quiet_org, skipped, owner,
                                                                                        coach):
    with scope(organization=quiet_org):
        other_coach = CoachFactory(organization=quiet_org)
    skipped_event(quiet_org, skipped)
    skipped_event(quiet_org, skipped)
    with scope(organization=quiet_org):
        bells = list(Notification.objects.filter(kind="recurring_skipped_team").order_by("user_id"))
    assert sorted(n.user_id for n in bells) == sorted([owner.pk, coach.membership.user_id])
    assert other_coach.membership.user_id not in {n.user_id for n in bells}
    assert {n.url for n in bells} == {f"/o/{quiet_org.slug}/schedule/conflicts/"}
    assert {n.dedupe_key for n in bells} == {f"recurring-skipped-team:{skipped.pk}"}
    title = bells[0].title
    assert "Tess Texter" in title and "Tuesday, December 15" in title and "10:00 AM" in title
    assert "the coach is away" in title


def test_a_skipped_occurrence_told_during_quiet_hours_waits_for_their_end(quiet_org, skipped, time_machine):
    time_machine.move_to(SEVEN_PM, tick=False)  # a job, not the client: held
    skipped_event(quiet_org, skipped)
    assert {(m.status, m.scheduled_for) for m in rows(quiet_org, kind="recurring_skipped")} == {
        (Status.DEFERRED, WINDOW_END)}


def test_a_skipped_occurrence_of_another_business_is_not_told_here(quiet_org, skipped, other_org):
    with scope(organization=other_org):
        theirs = SkippedOccurrenceFactory(recurring_booking=RecurringBookingFactory(
            coach=CoachFactory(organization=other_org), client=ClientFactory(organization=other_org)))
    skipped_event(other_org, theirs)
    assert rows(quiet_org, kind="recurring_skipped") == []
    with scope(organization=other_org):
        assert OutboundMessage.objects.filter(kind="recurring_skipped",
                                              dedupe_key__startswith=f"recurring-skipped:{theirs.pk}:").count() == 1


def test_a_move_the_coach_chose_not_to_announce_writes_no_message_but_retires_the_old_reminder(
        quiet_org, coach, pt, texter, owner, time_machine):
    time_machine.move_to(datetime(2026, 12, 7, 9, 0, tzinfo=CHICAGO), tick=False)
    booking = book(quiet_org, coach, pt, texter, mode=COACH, actor=owner)  # tomorrow 10:00: 25 hours ahead
    time_machine.move_to(datetime(2026, 12, 7, 10, 30, tzinfo=CHICAGO), tick=False)
    assert reminders.reminders_send()["reminder_24h"] == 1
    with scope(organization=quiet_org):
        services.session_move(session=booking.session, starts_at=TOMORROW_10 + timedelta(days=7), actor=owner,
                              notify=False)
    assert rows(quiet_org, kind="reschedule") == []
    # The reminder worded with the old time was retired: its key is free for the new time's.
    assert {m.dedupe_key.split(":moved:")[0] for m in rows(quiet_org, kind="reminder_24h")} == {
        f"reminder-24h:{booking.pk}:email", f"reminder-24h:{booking.pk}:sms"}
    assert all(":moved:" in (m.dedupe_key or "") for m in rows(quiet_org, kind="reminder_24h"))
