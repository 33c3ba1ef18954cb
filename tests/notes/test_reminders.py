"""The gentle journal reminder: from Thursday 18:00 in the client's zone, once a week, only when behind
a goal the client set with reminders on; their notification preferences apply."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from coachos.comms.models import Notification, NotificationPreference, OutboundMessage
from coachos.notes.models import JournalEntry, JournalGoal
from coachos.notes.reminders import reminders_send
from coachos.notes.tasks import send_journal_reminders

from .conftest import Person

pytestmark = pytest.mark.django_db

# Thursday 13 March 2025, 18:30 in Chicago (CDT, UTC-5).
THURSDAY_EVENING = datetime(2025, 3, 13, 23, 30, tzinfo=UTC)


def _goal(org, person: Person, *, per_week: int = 3, remind: bool = True, written: int = 1) -> JournalGoal:
    with scope(organization=org):
        goal = JournalGoal.objects.create(organization=org, client=person.client, entries_per_week=per_week,
                                          remind=remind)
        for n in range(written):
            JournalEntry.objects.create(organization=org, client=person.client, body_html="<p>x</p>", mood=3,
                                        created_at=datetime(2025, 3, 10, 15, n, tzinfo=UTC))
    return goal


def _reminders(person: Person) -> tuple[int, int]:
    with scopes_disabled():
        return (Notification.objects.filter(kind="journal_reminder", user=person.user).count(),
                OutboundMessage.objects.filter(kind="journal_reminder", client=person.client).count())


def test_a_client_behind_their_goal_is_reminded_once_late_in_the_week(org, olivia: Person) -> None:
    _goal(org, olivia)
    with time_machine.travel(THURSDAY_EVENING - timedelta(hours=1), tick=False):  # 17:30: not yet
        assert reminders_send() == 0
    with time_machine.travel(THURSDAY_EVENING, tick=False):
        assert send_journal_reminders() == 1
        assert reminders_send() == 0
    assert _reminders(olivia) == (1, 1)
    with scopes_disabled():
        email = OutboundMessage.objects.get(kind="journal_reminder")
        assert email.channel == "email" and "3 entries a week" in email.body and "written 1" in email.body
    with time_machine.travel(THURSDAY_EVENING + timedelta(days=2), tick=False):  # Saturday: still this week
        assert reminders_send() == 0
    with time_machine.travel(THURSDAY_EVENING + timedelta(days=7), tick=False):  # next week, no entries yet
        assert reminders_send() == 1
    assert _reminders(olivia) == (2, 2)


def test_on_track_or_reminders_off_means_no_message(org, olivia: Person, noah: Person) -> None:
    _goal(org, olivia, written=3)
    _goal(org, noah, remind=False, written=0)
    with time_machine.travel(THURSDAY_EVENING, tick=False):
        assert reminders_send() == 0
    assert _reminders(olivia) == (0, 0) and _reminders(noah) == (0, 0)


def test_the_clients_own_zone_decides_when_thursday_evening_is(org, olivia: Person) -> None:
    with scopes_disabled():
        olivia.client.timezone = "Asia/Tokyo"
        olivia.client.save()
    _goal(org, olivia, written=0)
    # Thursday 18:30 in Chicago is already Friday 08:30 in Tokyo: due there since Thursday 09:00 UTC.
    with time_machine.travel(datetime(2025, 3, 13, 8, 30, tzinfo=UTC), tick=False):  # Thu 17:30 in Tokyo
        assert reminders_send() == 0
    with time_machine.travel(datetime(2025, 3, 13, 9, 30, tzinfo=UTC), tick=False):  # Thu 18:30 in Tokyo
        assert reminders_send() == 1


def test_the_clients_preferences_apply(org, olivia: Person) -> None:
    _goal(org, olivia)
    with scope(organization=org):
        # Every channel off (comms counts a kind's missing SMS as "on" when deciding whether the client
        # switched a message off, so email alone off would still send the email).
        for via in ("in_app", "email", "sms"):
            NotificationPreference.objects.create(organization=org, user=olivia.user, kind="journal_reminder",
                                                  via=via, enabled=False)
    with time_machine.travel(THURSDAY_EVENING, tick=False):
        assert reminders_send() == 1
    with scopes_disabled():
        assert not Notification.objects.filter(kind="journal_reminder").exists()
        assert list(OutboundMessage.objects.filter(kind="journal_reminder").values_list("status", flat=True)) == [
            "suppressed"]
