"""Sharing: scheduled shares wait for the due-driven job; drips release one item a week at the same local
time across daylight-saving changes; shares can be changed or cancelled before they go, and the history
says who did what; clients are told (bell and email) once per run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from coachos.comms.models import Notification, OutboundMessage
from coachos.library import schedule
from coachos.library.models import Grant, Share
from coachos.library.sharing import shares_run_due
from tests.factories import TagFactory

from .conftest import Person, assert_problem, get, patch_json, post_json

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
START = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


def link(coach: Person, title: str) -> int:
    return int(post_json(coach, "/api/v1/resources", {"title": title, "url": f"https://example.com/{title}"}).json()["id"])


def visible(person: Person) -> list[str]:
    return [row["title"] for row in get(person, f"/api/v1/clients/{person.client.pk}/resources").json()]


def test_weekly_occurrences_keep_local_time_across_dst() -> None:
    first = datetime(2030, 3, 4, 9, 0, tzinfo=CHICAGO)  # a Monday, before the clocks go forward (10 March)
    runs = [schedule.occurrence(first, CHICAGO, "weekly", n) for n in range(3)]
    assert [r.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M") for r in runs] == [
        "2030-03-04 09:00", "2030-03-11 09:00", "2030-03-18 09:00"]
    assert [r.hour for r in runs] == [15, 14, 14]  # UTC: the offset changed, the wall clock did not
    autumn = datetime(2030, 10, 28, 9, 0, tzinfo=CHICAGO)  # clocks go back on 3 November
    assert schedule.occurrence(autumn, CHICAGO, "weekly", 1) == datetime(2030, 11, 4, 15, 0, tzinfo=UTC)
    month_end = datetime(2030, 1, 31, 9, 0, tzinfo=CHICAGO)
    assert schedule.occurrence(month_end, CHICAGO, "monthly", 1).astimezone(CHICAGO).date().isoformat() == "2030-02-28"
    assert schedule.next_after(first, CHICAGO, "weekly", 3, 3) is None


def test_a_drip_releases_one_item_a_week_at_nine_local_across_dst(coach: Person, olivia: Person, org: Any) -> None:
    ids = [link(coach, f"Lesson{n}") for n in range(1, 4)]
    collection = post_json(coach, "/api/v1/collections", {"title": "Course", "resources": ids}).json()
    with time_machine.travel(START, tick=False):
        made = post_json(coach, "/api/v1/shares", {"collection": collection["id"], "clients": [olivia.client.pk],
                                                   "at": "2030-03-04T09:00:00-06:00", "repeat": "weekly",
                                                   "message": "One a week"})
        assert made.status_code == 201, made.content
        assert made.json()["next_run_at"] == "2030-03-04T15:00:00Z"  # 09:00 in Chicago (CST)
        assert visible(olivia) == []
    with time_machine.travel(datetime(2030, 3, 4, 15, 0, tzinfo=UTC), tick=False):
        assert shares_run_due()["shares"] == 1
        assert shares_run_due()["shares"] == 0  # the same run never goes twice
    assert visible(olivia) == ["Lesson1"]
    with time_machine.travel(datetime(2030, 3, 11, 13, 59, tzinfo=UTC), tick=False):
        assert shares_run_due()["shares"] == 0  # 08:59 CDT: not yet
    with time_machine.travel(datetime(2030, 3, 11, 14, 0, tzinfo=UTC), tick=False):  # 09:00 CDT
        assert shares_run_due()["shares"] == 1
    assert visible(olivia) == ["Lesson1", "Lesson2"]
    with time_machine.travel(datetime(2030, 3, 18, 14, 0, tzinfo=UTC), tick=False):
        shares_run_due()
    assert visible(olivia) == ["Lesson1", "Lesson2", "Lesson3"]
    with scope(organization=org):
        share = Share.objects.get()
        assert (share.status, share.next_run_at, share.runs) == (Share.Status.SENT, None, 3)
        # One bell entry per run, leading to the library.
        assert Notification.objects.filter(user=olivia.user, kind="library_shared").count() == 3


def test_scheduled_share_can_be_changed_then_cancelled_with_history(coach: Person, olivia: Person, liam: Person,
                                                                     org: Any) -> None:
    resource = link(coach, "Plan")
    with time_machine.travel(START, tick=False):
        share = post_json(coach, "/api/v1/shares", {"resource": resource, "clients": [olivia.client.pk],
                                                    "at": "2030-03-02T08:00:00-06:00"}).json()
        changed = patch_json(coach, f"/api/v1/shares/{share['id']}", {"clients": [liam.client.pk],
                                                                      "message": "For you"})
        assert changed.status_code == 200
        assert changed.json()["clients"] == [liam.client.pk]
    with time_machine.travel(datetime(2030, 3, 2, 14, 0, tzinfo=UTC), tick=False):
        shares_run_due()
    assert visible(liam) == ["Plan"] and visible(olivia) == []
    history = get(coach, f"/api/v1/shares/{share['id']}").json()["history"]
    assert [h["action"] for h in history] == ["created", "changed", "delivered"]
    assert history[0]["actor"] == "Jordan Reyes" and history[1]["audience"] == "Liam Johnson"
    assert_problem(post_json(coach, f"/api/v1/shares/{share['id']}/cancel", {}), 409)

    with time_machine.travel(START, tick=False):
        later = post_json(coach, "/api/v1/shares", {"resource": resource, "clients": [olivia.client.pk],
                                                    "at": "2030-03-05T08:00:00-06:00"}).json()
        cancelled = post_json(coach, f"/api/v1/shares/{later['id']}/cancel", {})
        assert cancelled.json()["status"] == "cancelled"
    with time_machine.travel(datetime(2030, 3, 6, tzinfo=UTC), tick=False):
        shares_run_due()
    assert visible(olivia) == []


def test_share_with_a_tag_or_everyone_reads_the_audience_when_it_goes(coach: Person, boss: Person,
                                                                        olivia: Person, liam: Person, org: Any) -> None:
    resource = link(coach, "Tips")
    with scope(organization=org):
        tag = TagFactory(organization=org, name="Runners")
        olivia.client.tags.add(tag)
    assert post_json(boss, "/api/v1/shares", {"resource": resource, "tag": tag.pk}).status_code == 201
    assert visible(olivia) == ["Tips"] and visible(liam) == []
    everyone = link(coach, "Welcome")
    assert post_json(boss, "/api/v1/shares", {"resource": everyone, "all_clients": True}).status_code == 201
    assert "Welcome" in visible(liam)
    with scopes_disabled():
        assert Grant.objects.filter(resource_id=everyone).count() == 2
        email = OutboundMessage.objects.filter(client=liam.client, kind="library_shared").get()
        assert "Welcome" in email.subject and "/portal/" in email.body


def test_limited_coach_shares_only_with_own_clients(org: Any, olivia: Person, liam: Person) -> None:
    from tests.people import team_member

    limited = team_member(org, sees_all_clients=False, name="Lee Limited")
    olivia.client.coach_membership = limited.membership
    with scope(organization=org):
        olivia.client.save()
    resource = link(limited, "Mine")
    assert post_json(limited, "/api/v1/shares", {"resource": resource, "clients": [olivia.client.pk]}).status_code == 201
    assert_problem(post_json(limited, "/api/v1/shares", {"resource": resource, "clients": [liam.client.pk]}), 422,
                   "clients")
    assert_problem(post_json(limited, "/api/v1/shares", {"resource": resource, "all_clients": True}), 403)


def test_a_due_share_goes_once(coach: Person, olivia: Person, org: Any) -> None:
    resource = link(coach, "Once")
    with time_machine.travel(START, tick=False):
        post_json(coach, "/api/v1/shares", {"resource": resource, "clients": [olivia.client.pk],
                                            "at": "2030-03-01T12:30:00Z"})
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        first, second = shares_run_due(), shares_run_due()
    assert (first["shares"], second["shares"]) == (1, 0)
    with scopes_disabled():
        assert OutboundMessage.objects.filter(kind="library_shared", client=olivia.client).count() == 1
