"""Two reminder jobs at the same moment (two beats, or a slow run overlapping the next) write and
send each reminder once: real threads, real transactions, PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from coachos.comms import reminders
from coachos.comms.models import Notification, OutboundMessage
from coachos.tenancy.roles import Role

from ..concurrency import run_concurrently
from ..factories import BookingFactory, ClientFactory, CoachFactory, TrainingSessionFactory, member

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("concurrency")]

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_write_and_send_each_reminder_once(sms_org, time_machine, sms_sent):
    time_machine.move_to(datetime(2025, 6, 2, 10, tzinfo=CHICAGO), tick=False)
    with scope(organization=sms_org):
        coach = CoachFactory(organization=sms_org)
        bookings = []
        for i in range(6):
            client = ClientFactory(organization=sms_org, phone=f"+1312555{7000 + i}", sms_consent=True,
                                   user=member(sms_org, Role.CLIENT) if i % 2 else None)
            starts_at = datetime(2025, 6, 5, 9 + i, tzinfo=CHICAGO)
            session = TrainingSessionFactory(coach=coach, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
            bookings.append(BookingFactory(session=session, client=client))
    time_machine.move_to(datetime(2025, 6, 4, 15, tzinfo=CHICAGO), tick=False)  # every 24 h reminder is due

    run_concurrently(lambda _i: reminders.reminders_send(), 2, timeout=120)

    with scope(organization=sms_org):
        keys = list(OutboundMessage.objects.filter(kind="reminder_24h").values_list("dedupe_key", flat=True))
        statuses = set(OutboundMessage.objects.filter(kind="reminder_24h").values_list("status", flat=True))
        bell = Notification.objects.filter(kind="reminder_24h").count()
    assert sorted(keys) == sorted(f"reminder-24h:{b.pk}:{channel}" for b in bookings for channel in ("sms", "email"))
    assert statuses == {OutboundMessage.Status.SENT}
    assert sorted(s.to for s in sms_sent) == sorted(b.client.phone for b in bookings)  # one text each
    assert bell == 3  # the three clients with a portal login, once each
