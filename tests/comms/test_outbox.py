"""Writing to the outbox: rendering, dedupe, suppression, quiet-hours deferral, transactions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_scopes import scope

from coachos.comms import outbox
from coachos.comms.models import MessageTemplate, OutboundMessage, SmsOptOut
from coachos.tenancy.models import Organization
from tests.factories import BookingFactory, ClientFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db
Status = OutboundMessage.Status

# Tuesday, November 24 2026, 15:00 in Chicago (21:00 UTC): outside quiet hours.
AFTERNOON = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
# 22:30 in Chicago: inside the default 21:00–08:00 quiet hours.
LATE_EVENING = datetime(2026, 11, 25, 4, 30, tzinfo=UTC)


def _booking(org: Organization, client: Any, starts_at: datetime) -> Any:
    session = TrainingSessionFactory(organization=org, coach__organization=org, starts_at=starts_at,
                                     ends_at=starts_at + timedelta(hours=1))
    return BookingFactory(organization=org, session=session, client=client)


@time_machine.travel(AFTERNOON, tick=False)
def test_renders_the_template_in_the_business_zone(sms_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        # 17:30 in Chicago on Wednesday, November 25.
        booking = _booking(sms_org, texter, datetime(2026, 11, 25, 23, 30, tzinfo=UTC))
        with timezone.override("Europe/London"):  # whoever triggers it, the business's zone wins
            message = outbox.enqueue(organization=sms_org, channel="sms", kind="booking_confirmation",
                                     client=texter, related=booking)
    assert message is not None
    assert message.status == Status.QUEUED
    assert message.to == "+13125550142"
    assert message.sender == "+13125550199"
    assert "Hi Tess" in message.body
    assert "Wednesday, November 25" in message.body
    assert "at 5:30 PM" in message.body  # 17:30 in Chicago, not London's 23:30
    assert (message.related_type, message.related_id) == ("booking", booking.pk)


@time_machine.travel(AFTERNOON, tick=False)
def test_business_wording_replaces_the_default(sms_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        MessageTemplate.objects.create(organization=sms_org, kind="custom", channel="sms",
                                       body="Yo {client_first_name}! {message}")
        message = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                                 context={"message": "Bring water."})
    assert message is not None and message.body == "Yo Tess! Bring water."


@time_machine.travel(AFTERNOON, tick=False)
def test_switched_off_message_is_not_written(sms_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        MessageTemplate.objects.create(organization=sms_org, kind="follow_up", channel="sms", body="x",
                                       enabled=False)
        assert outbox.enqueue(organization=sms_org, channel="sms", kind="follow_up", client=texter) is None
        assert not OutboundMessage.objects.exists()


@time_machine.travel(AFTERNOON, tick=False)
def test_dedupe_key_makes_a_second_enqueue_a_no_op(sms_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        first = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                               context={"message": "one"}, dedupe_key="k:1")
        second = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                                context={"message": "two"}, dedupe_key="k:1")
        assert first is not None and second is not None and first.pk == second.pk
        assert OutboundMessage.objects.count() == 1
        assert OutboundMessage.objects.get().body == "one"


@time_machine.travel(AFTERNOON, tick=False)
def test_dedupe_keys_are_per_business(sms_org: Organization, other_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        outbox.enqueue(organization=sms_org, channel="email", kind="custom", client=texter,
                       context={"message": "a"}, dedupe_key="same")
    with scope(organization=other_org):
        someone = ClientFactory(organization=other_org, email="x@example.com")
        assert outbox.enqueue(organization=other_org, channel="email", kind="custom", client=someone,
                              context={"message": "b"}, dedupe_key="same") is not None
        assert OutboundMessage.objects.count() == 1


@pytest.mark.parametrize(("change", "reason"), [
    ({"phone": ""}, "No mobile number"),
    ({"sms_consent": False}, "not agreed to texts"),
])
@time_machine.travel(AFTERNOON, tick=False)
def test_unsendable_sms_is_recorded_as_suppressed_with_the_reason(
        sms_org: Organization, texter: Any, change: dict[str, Any], reason: str) -> None:
    with scope(organization=sms_org):
        for field, value in change.items():
            setattr(texter, field, value)
        texter.save()
        message = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                                 context={"message": "hi"})
    assert message is not None
    assert message.status == Status.SUPPRESSED
    assert reason in message.last_error


@time_machine.travel(AFTERNOON, tick=False)
def test_opted_out_number_is_suppressed(sms_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        SmsOptOut.objects.create(organization=sms_org, phone=texter.phone, opted_out_at=timezone.now())
        message = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                                 context={"message": "hi"})
    assert message is not None and message.status == Status.SUPPRESSED
    assert "STOP" in message.last_error


@time_machine.travel(AFTERNOON, tick=False)
def test_business_without_sms_number_cannot_text(org: Organization) -> None:
    with scope(organization=org):
        client = ClientFactory(organization=org, sms_consent=True)
        message = outbox.enqueue(organization=org, channel="sms", kind="custom", client=client,
                                 context={"message": "hi"})
    assert message is not None and message.status == Status.SUPPRESSED
    assert "no SMS number" in message.last_error


@time_machine.travel(AFTERNOON, tick=False)
def test_promotional_email_needs_consent(sms_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        texter.email_consent = False
        texter.save()
        promo = outbox.enqueue(organization=sms_org, channel="email", kind="promotion", client=texter,
                               context={"message": "20% off"})
        service = outbox.enqueue(organization=sms_org, channel="email", kind="custom", client=texter,
                                 context={"message": "Your session moved"})
    assert promo is not None and promo.status == Status.SUPPRESSED and promo.promotional
    assert service is not None and service.status == Status.QUEUED


@time_machine.travel(LATE_EVENING, tick=False)
def test_due_in_quiet_hours_is_deferred_to_the_end_of_the_window(sms_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        message = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                                 context={"message": "hi"})
    assert message is not None
    assert message.status == Status.DEFERRED
    assert message.scheduled_for == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # 08:00 in Chicago


@time_machine.travel(LATE_EVENING, tick=False)
def test_the_clients_own_confirmation_may_go_at_once(sms_org: Organization, texter: Any) -> None:
    """``requested``: the caller says the client's own action caused it (comms/listeners.py decides)."""
    with scope(organization=sms_org):
        booking = _booking(sms_org, texter, datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
        message = outbox.enqueue(organization=sms_org, channel="sms", kind="booking_confirmation",
                                 client=texter, related=booking, requested=True)
        assert message is not None and message.status == Status.QUEUED and message.quiet_hours_exempt
        Organization.objects.filter(pk=sms_org.pk).update(quiet_hours_exempt_requested=False)
        sms_org.refresh_from_db()
        held = outbox.enqueue(organization=sms_org, channel="sms", kind="booking_confirmation",
                              client=texter, related=booking, dedupe_key="again", requested=True)
    assert held is not None and held.status == Status.DEFERRED


@time_machine.travel(LATE_EVENING, tick=False)
def test_a_confirmation_nobody_says_the_client_asked_for_waits(sms_org: Organization, texter: Any) -> None:
    """The coach's, the API's or a job's booking: a booking confirmation is not exempt by its kind alone."""
    with scope(organization=sms_org):
        booking = _booking(sms_org, texter, datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
        for requested, key in ((None, "default"), (False, "staff")):
            message = outbox.enqueue(organization=sms_org, channel="sms", kind="booking_confirmation",
                                     client=texter, related=booking, dedupe_key=key, requested=requested)
            assert message is not None and message.status == Status.DEFERRED and not message.quiet_hours_exempt


@time_machine.travel(LATE_EVENING, tick=False)
def test_reminder_that_would_arrive_after_the_start_is_suppressed(sms_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        starts_at = datetime(2026, 11, 25, 13, 30, tzinfo=UTC)  # 07:30 Chicago, inside quiet hours
        booking = _booking(sms_org, texter, starts_at)
        message = outbox.enqueue(organization=sms_org, channel="sms", kind="reminder_2h", client=texter,
                                 related=booking, expires_at=starts_at, dedupe_key=f"reminder-2h:{booking.pk}")
    assert message is not None
    assert message.status == Status.SUPPRESSED
    assert "after" in message.last_error


@time_machine.travel(AFTERNOON, tick=False)
def test_a_window_that_does_not_wrap(sms_org: Organization, texter: Any) -> None:
    Organization.objects.filter(pk=sms_org.pk).update(quiet_hours_start=time(14), quiet_hours_end=time(16))
    sms_org.refresh_from_db()
    with scope(organization=sms_org):
        message = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                                 context={"message": "hi"})  # 15:00 Chicago: quiet
    assert message is not None and message.status == Status.DEFERRED
    assert message.scheduled_for == datetime(2026, 11, 24, 22, 0, tzinfo=UTC)  # 16:00 Chicago


@pytest.mark.django_db(transaction=True)
@time_machine.travel(AFTERNOON, tick=False)
def test_rolled_back_event_leaves_no_message(sms_org: Organization, texter: Any) -> None:
    with scope(organization=sms_org):
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                           context={"message": "hi"})
            raise RuntimeError("the event failed")
        assert not OutboundMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
@time_machine.travel(AFTERNOON, tick=False)
def test_committed_message_is_sent_after_commit(sms_org: Organization, texter: Any,
                                                sms_sent: list[Any]) -> None:
    with scope(organization=sms_org):
        with transaction.atomic():
            message = outbox.enqueue(organization=sms_org, channel="sms", kind="custom", client=texter,
                                     context={"message": "hi"})
            assert sms_sent == []  # nothing leaves before the event commits
        assert message is not None
        message.refresh_from_db()
    assert message.status == Status.SENT
    assert [s.body for s in sms_sent] == ["hi"]


def test_amounts_are_worded_with_the_currency_symbol(org: Organization) -> None:
    from coachos.comms.context import money

    assert money(org, 16000, "usd") == "$160.00"  # Stripe's lower-case code reads the same
    assert money(org, 123456, "EUR") == "€1,234.56"
    assert money(org, 5000, "JPY") == "¥5,000"  # no minor unit
