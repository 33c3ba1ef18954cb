"""A message POST runs a fixed number of queries, whatever the conversation's history and however many
people see it: the real-time path's budget (docs/chat.md, "Performance"). Each query of a send costs
every message of every business, so a new one has to be worth it: change the numbers here knowingly.

Counted: every statement of the whole request (token, membership, the business's billing state for a
team write, then chat's own), without SAVEPOINT / RELEASE (in production the send's transaction is
BEGIN / COMMIT, which the driver issues).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client as DjangoClient
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from coachos.chat.models import Message, UnreadNotice
from coachos.comms.models import Notification
from coachos.tenancy.roles import Role

from .conftest import Person, open_conversation, portal_client, post, send, team_member

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)

# A plain in-app message in a client's conversation, from the team: token, membership, the business's
# billing state (a team write), the conversation with its client and coach (visibility checked in the
# same query), the client_key check, INSERT message, UPDATE conversation, UPDATE others' archive marks,
# UPDATE the sender's read mark, the audience (team side; the client's login came with the
# conversation), muted states, bell preferences, INSERT bells, the business's chat settings (the
# client's text delay), INSERT unread notices. Nothing is read back for the answer or the frames.
TEAM_TO_CLIENT = 15
# From the client: their client records instead of the billing state; no chat settings (the team is
# emailed after a fixed delay).
CLIENT_TO_TEAM = 14
# A group, from the team: its client members, its team members and the users to ring are read too
# (none of them came with the conversation); no chat settings.
GROUP_BY_TEAM = 17


def _statements(http: DjangoClient, conversation_id: int, person: Person, key: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = send(http, conversation_id, f"message {key}", person.headers, key)
    assert response.status_code == 201, response.content
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def _shape(statements: list[str]) -> list[str]:
    """What each statement is, for a readable failure: its verb and first table."""
    shown = []
    for sql in statements:
        verb = sql.split()[0]
        table = sql.split('"')[1] if '"' in sql else ""
        shown.append(f"{verb} {table}")
    return shown


def _history(conversation_id: int, org: Any, sender: Any, count: int) -> None:
    with scope(organization=org):
        Message.objects.bulk_create(
            Message(organization=org, conversation_id=conversation_id, sender=sender, body=f"old {n}",
                    client_key=f"old-{n}") for n in range(count))


def test_a_coachs_message_costs_the_same_with_a_long_history_and_a_bigger_team(client, org, boss):
    coach = team_member(org, sees_all_clients=False, name="Casey Coach")
    olivia = portal_client(org, coach=coach)
    with time_machine.travel(NOON, tick=False):
        conversation = open_conversation(client, olivia.client, coach.headers)["id"]
        send(client, conversation, "first", coach.headers, "warm")  # the sender's own state is made once
        first = _statements(client, conversation, coach, "a")
        _history(conversation, org, olivia.user, 120)
        for n in range(4):
            team_member(org, Role.STAFF, name=f"Staff {n}", email=f"staff{n}@example.com")
        later = _statements(client, conversation, coach, "b")
    assert len(first) == TEAM_TO_CLIENT, _shape(first)
    assert _shape(later) == _shape(first)
    with scope(organization=org):
        # What the cheap path still does: the client's bell and their unread notice, once each.
        assert Notification.objects.filter(user=olivia.user, related_type="message").count() == 3
        assert UnreadNotice.objects.filter(client=olivia.client).count() == 3


def test_a_clients_message_costs_the_same(client, org, boss):
    coach = team_member(org, sees_all_clients=False, name="Casey Coach")
    olivia = portal_client(org, coach=coach)
    with time_machine.travel(NOON, tick=False):
        conversation = open_conversation(client, olivia.client, olivia.headers)["id"]
        send(client, conversation, "first", olivia.headers, "warm")
        first = _statements(client, conversation, olivia, "a")
        _history(conversation, org, coach.user, 120)
        later = _statements(client, conversation, olivia, "b")
    assert len(first) == CLIENT_TO_TEAM, _shape(first)
    assert _shape(later) == _shape(first)
    with scope(organization=org):
        assert Notification.objects.filter(user=coach.user, related_type="message").count() == 3


def test_a_group_message_costs_the_same_for_three_or_eight_members(client, org, boss):
    coach = team_member(org, name="Casey Coach")
    members = [portal_client(org, first_name=f"Member{n}", last_name="Group", coach=coach) for n in range(8)]
    with time_machine.travel(NOON, tick=False):
        counts = []
        for size in (3, 8):
            group = post(client, "/api/v1/conversations/groups",
                         {"title": f"Group of {size}", "clients": [m.client.pk for m in members[:size]],
                          "memberships": []}, coach.headers).json()["id"]
            send(client, group, "first", coach.headers, f"warm-{size}")
            statements = _statements(client, group, coach, f"g{size}")
            counts.append(_shape(statements))
    assert len(counts[0]) == GROUP_BY_TEAM, counts[0]
    assert counts[1] == counts[0]
    with scope(organization=org):
        rung = Notification.objects.filter(related_type="message", kind="chat_message_client")
        assert rung.filter(user__in=[m.user for m in members]).count() == 2 * 3 + 2 * 8  # each group: its first message and the one counted
