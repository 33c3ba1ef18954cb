"""The in-memory channel layer: channels' own, with its clean-up walk over every channel and group at
most once a second instead of on every receive (one per frame per socket)."""

from __future__ import annotations

import asyncio
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer as ChannelsLayer

from coachos.chat import layers


def test_frames_reach_every_channel_of_a_group_and_the_walk_runs_once_for_many_receives(monkeypatch):
    walks: list[int] = []
    original = ChannelsLayer._clean_expired

    def counted(self: Any) -> None:
        walks.append(1)
        original(self)

    monkeypatch.setattr(ChannelsLayer, "_clean_expired", counted)
    layer = layers.InMemoryChannelLayer()

    async def scenario() -> list[dict[str, Any]]:
        channels = [await layer.new_channel() for _ in range(50)]
        for channel in channels:
            await layer.group_add("chat.1.7", channel)
        received = []
        for n in range(4):
            await layer.group_send("chat.1.7", {"type": "chat.frame", "text": f"frame {n}"})
            received += [await layer.receive(channel) for channel in channels]
        return received

    received = async_to_sync(scenario)()
    assert len(received) == 200 and {m["text"] for m in received} == {f"frame {n}" for n in range(4)}
    assert len(walks) == 1  # 200 receives in well under a second


def test_expired_messages_are_still_dropped_and_their_channel_leaves_its_groups():
    layer = layers.InMemoryChannelLayer(expiry=0)

    async def scenario() -> tuple[bool, dict[str, Any]]:
        gone, alive = await layer.new_channel(), await layer.new_channel()
        await layer.group_add("chat.1.7", gone)
        await layer.send(gone, {"type": "chat.frame", "text": "too late"})
        await asyncio.sleep(0.01)
        layer.expiry = 60
        await layer.send(alive, {"type": "chat.frame", "text": "in time"})
        message = await layer.receive(alive)  # the first receive walks: the expired message goes
        return gone in layer.groups.get("chat.1.7", {}), message

    still_member, message = async_to_sync(scenario)()
    assert message["text"] == "in time"
    assert not still_member
