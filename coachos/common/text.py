"""Small wording helpers shared by pages and messages (no Django imports)."""

from __future__ import annotations

import re
import unicodedata

# "… at 9 a.m." + "." gives "a.m.."; an ellipsis ("...") is left alone.
_DOUBLE_PERIOD = re.compile(r"(?<!\.)\.\.(?!\.)")


def sentence(text: str) -> str:
    """One period where a value that ends in one ("9 a.m.") meets the sentence's own period."""
    return _DOUBLE_PERIOD.sub(".", text)


# --- names people type -------------------------------------------------------------------------

# Bidirectional embeddings, overrides and isolates, and the marks: "‮gnp.exe" shows as "exe.png", and
# an unclosed override turns the rest of a page's line around. A name never needs one.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Invisible characters that make two names look alike (zero-width space, word joiner, byte-order mark).
# The zero-width (non-)joiners stay: Persian, the Indic scripts and emoji sequences need them.
_INVISIBLE = "\u200b\u2060\ufeff"
_DROP = {ord(c): None for c in _BIDI + _INVISIBLE}


def clean_name(value: str) -> str:
    """A name as typed, made safe to show anywhere: control characters (tabs, line breaks, NUL, the
    C1 range), line and paragraph separators and surrogates become spaces or go, bidirectional
    overrides and invisible characters go, and runs of spaces become one. For every name a person
    types: clients, users, businesses, session types, tags."""
    kept = []
    for char in value.translate(_DROP):
        category = unicodedata.category(char)
        if category in {"Cc", "Zl", "Zp"}:
            kept.append(" ")
        elif category != "Cs":
            kept.append(char)
    return " ".join("".join(kept).split())
