"""realtime.publish (after commit, per business and user, never failing the write) and presence."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.db import transaction

from coachos.chat import realtime

FRAME = {"type": "message.created", "conversation": 7, "message": {"id": 9, "body": "see you at 6, Dana"}}


class FakeLayer:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.fail = fail

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        if self.fail:
            raise ConnectionError("Error connecting to redis://:hunter2@10.0.0.9:6379")
        self.sent.append((group, message))


@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> FakeLayer:
    fake = FakeLayer()
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: fake)
    return fake


def test_a_frame_goes_out_after_commit_to_each_users_group_in_the_business(db, layer,
                                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        realtime.publish(organization_id=3, user_ids=[12, 11, 12, 14], frame=FRAME, exclude_user_id=14)
        assert layer.sent == []  # not before the transaction commits
    assert len(callbacks) == 1
    # Encoded once: every socket sends the same JSON text as it is.
    assert [(group, message["type"], json.loads(message["text"])) for group, message in layer.sent] == [
        ("chat.3.11", "chat.frame", FRAME), ("chat.3.12", "chat.frame", FRAME)]
    assert layer.sent[0][1] is layer.sent[1][1]


def test_a_rolled_back_write_publishes_nothing(db, layer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            realtime.publish(organization_id=3, user_ids=[11], frame=FRAME)
            raise RuntimeError("the write failed")
    assert callbacks == []
    assert layer.sent == []


def test_no_one_to_tell_registers_nothing(db, layer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        realtime.publish(organization_id=3, user_ids=[11], frame=FRAME, exclude_user_id=11)
        realtime.publish(organization_id=3, user_ids=[], frame=FRAME)
    assert callbacks == []


def test_a_layer_that_is_down_never_fails_the_caller_and_logs_no_personal_data(
        db, monkeypatch, caplog, django_capture_on_commit_callbacks):
    monkeypatch.setattr(realtime, "get_channel_layer", lambda: FakeLayer(fail=True))
    with caplog.at_level(logging.WARNING, logger="coachos.chat.realtime"):
        with django_capture_on_commit_callbacks(execute=True):
            realtime.publish(organization_id=3, user_ids=[11, 12], frame=FRAME)  # no exception
    [record] = [r for r in caplog.records if r.name == "coachos.chat.realtime"]
    assert record.getMessage() == "chat frame not published"
    assert record.error == "ConnectionError" and record.recipients == 2 and record.frame_type == "message.created"
    logged = caplog.text + repr(record.__dict__)
    assert "Dana" not in logged and "hunter2" not in logged and not hasattr(record, "user_ids")


def test_publish_reaches_the_real_in_memory_layer(settings, db, django_capture_on_commit_callbacks):
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

    async def listen() -> str:
        channel = await get_channel_layer().new_channel()
        await get_channel_layer().group_add("chat.3.11", channel)
        return channel

    async def receive(channel: str) -> dict[str, Any]:
        return await get_channel_layer().receive(channel)

    channel = async_to_sync(listen)()
    with django_capture_on_commit_callbacks(execute=True):
        realtime.publish(organization_id=3, user_ids=[11], frame=FRAME)
    received = async_to_sync(receive)(channel)
    assert received["type"] == "chat.frame" and json.loads(received["text"]) == FRAME


# --- presence ------------------------------------------------------------------------------------

def test_viewing_counts_until_the_ttl_runs_out_unless_refreshed(time_machine):
    time_machine.move_to("2031-03-04 10:00:00+00:00", tick=False)
    realtime.presence_enter(user_id=5, conversation_id=8, socket_id="tab-1")
    assert realtime.is_viewing(user_id=5, conversation_id=8)
    assert not realtime.is_viewing(user_id=5, conversation_id=9)
    assert not realtime.is_viewing(user_id=6, conversation_id=8)

    time_machine.shift(realtime.PRESENCE_TTL - 10)
    realtime.presence_enter(user_id=5, conversation_id=8, socket_id="tab-1")  # the socket's ping
    time_machine.shift(realtime.PRESENCE_TTL - 10)
    assert realtime.is_viewing(user_id=5, conversation_id=8)

    time_machine.shift(11)  # a page that went quiet (laptop closed) stops counting
    assert not realtime.is_viewing(user_id=5, conversation_id=8)


def test_one_tab_leaving_does_not_hide_another_tab_of_the_same_user(time_machine):
    time_machine.move_to("2031-03-04 10:00:00+00:00", tick=False)
    realtime.presence_enter(user_id=5, conversation_id=8, socket_id="tab-1")
    realtime.presence_enter(user_id=5, conversation_id=8, socket_id="tab-2")
    realtime.presence_leave(user_id=5, conversation_id=8, socket_id="tab-1")
    assert realtime.is_viewing(user_id=5, conversation_id=8)
    realtime.presence_leave(user_id=5, conversation_id=8, socket_id="tab-2")
    assert not realtime.is_viewing(user_id=5, conversation_id=8)


def test_a_stale_tab_does_not_keep_a_leaving_tab_present(time_machine):
    time_machine.move_to("2031-03-04 10:00:00+00:00", tick=False)
    realtime.presence_enter(user_id=5, conversation_id=8, socket_id="tab-1")
    time_machine.shift(realtime.PRESENCE_TTL - 5)
    realtime.presence_enter(user_id=5, conversation_id=8, socket_id="tab-2")
    time_machine.shift(10)  # tab-1 has expired; tab-2 has not
    assert realtime.is_viewing(user_id=5, conversation_id=8)
    realtime.presence_leave(user_id=5, conversation_id=8, socket_id="tab-2")
    assert not realtime.is_viewing(user_id=5, conversation_id=8)
