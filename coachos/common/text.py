"""Small wording helpers shared by pages and messages (no Django imports)."""

from __future__ import annotations

import re

# "… at 9 a.m." + "." gives "a.m.."; an ellipsis ("...") is left alone.
_DOUBLE_PERIOD = re.compile(r"(?<!\.)\.\.(?!\.)")


def sentence(text: str) -> str:
    """One period where a value that ends in one ("9 a.m.") meets the sentence's own period."""
    return _DOUBLE_PERIOD.sub(".", text)
