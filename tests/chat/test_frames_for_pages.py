"""What the live pages rely on in the frames: "delivered" reaches the sender's page (when the other
side's app fetches the thread, the latest message of someone else up to there goes out again as
message.updated with its new state), and an update's frame carries the message as it now is."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient

from .conftest import open_conversation, post, send

pytestmark = pytest.mark.django_db


def test_fetching_the_thread_tells_the_sender_it_was_delivered(org, coach, olivia, frames):
    http = DjangoClient()
    conversation = open_conversation(http, olivia.client, coach.headers)
    first = send(http, conversation["id"], "First", coach.headers, "a").json()
    second = send(http, conversation["id"], "Second", coach.headers, "b").json()
    assert second["state"] == "sent"
    frames.clear()

    answer = http.get(f"/api/v1/conversations/{conversation['id']}/messages", **olivia.headers)
    assert [m["id"] for m in answer.json()] == [first["id"], second["id"]]
    updated = [f for f in frames if f["frame"]["type"] == "message.updated"]
    team_frames = [f for f in updated if coach.user.pk in f["user_ids"]]
    assert len(team_frames) == 1
    assert team_frames[0]["frame"]["message"]["id"] == second["id"]
    assert team_frames[0]["frame"]["message"]["state"] == "delivered"

    # Fetching again moves nothing: no frame.
    frames.clear()
    http.get(f"/api/v1/conversations/{conversation['id']}/messages", **olivia.headers)
    assert [f for f in frames if f["frame"]["type"] == "message.updated"] == []


def test_the_senders_own_fetch_announces_nothing_of_theirs(org, coach, olivia, frames):
    http = DjangoClient()
    conversation = open_conversation(http, olivia.client, coach.headers)
    send(http, conversation["id"], "Mine", coach.headers, "a")
    frames.clear()
    http.get(f"/api/v1/conversations/{conversation['id']}/messages", **coach.headers)
    assert [f for f in frames if f["frame"]["type"] == "message.updated"] == []


def test_a_reactions_frame_carries_the_reaction(org, coach, olivia, frames):
    http = DjangoClient()
    conversation = open_conversation(http, olivia.client, coach.headers)
    message = send(http, conversation["id"], "Great session", coach.headers, "a").json()
    frames.clear()
    url = f"/api/v1/conversations/{conversation['id']}/messages/{message['id']}/reactions"
    assert post(http, url, {"emoji": "👍"}, olivia.headers).status_code == 200
    updated = [f["frame"] for f in frames if f["frame"]["type"] == "message.updated"]
    assert updated and all(f["message"]["reactions"] == [{"emoji": "👍", "count": 1, "users": [olivia.user.pk]}]
                           for f in updated)
    frames.clear()
    assert http.delete(f"{url}?emoji=👍", **olivia.headers).status_code == 200
    updated = [f["frame"] for f in frames if f["frame"]["type"] == "message.updated"]
    assert updated and all(f["message"]["reactions"] == [] for f in updated)
