"""The in-memory channel layer (one process, no Redis) without its cost per frame.

Channels' ``InMemoryChannelLayer`` cleans up expired messages and group memberships on every
``receive``: a walk over every channel and every group. Each open socket calls ``receive`` again
after each frame it gets, so with S sockets a frame costs O(S) work (about a millisecond per frame
with 400 sockets: bench/bench_chat.py). The clean-up only matters at the scale of the expiry (60 s
for messages), so it runs at most once a second here; everything else is channels' own.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

CLEAN_EVERY = 1.0  # seconds


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    _cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < CLEAN_EVERY:
            return
        self._cleaned_at = now
        super()._clean_expired()
