"""Action items in a note: which lines of the rich text are things to do, and for whom.

A list item is an action item when

- it carries ``data-action="client"`` or ``data-action="coach"`` (the editor's checklist button
  writes it; the sanitizer keeps only these two values), or
- its text starts with ``[ ]`` — a task for the client — or ``[me]`` — a to-do for the coach who
  wrote the note (a shortcut that works when typing, in any editor).

The marker is not part of the item's text. Items are read from the saved HTML when a note is
*saved* (not on every autosave), so a half-typed line never becomes a task.

No Django here: this module is pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

CLIENT = "client"
COACH = "coach"
MAX_TEXT = 300
MAX_ITEMS = 100
_PREFIX = re.compile(r"^\s*\[(?P<mark> |me)\]\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Item:
    text: str
    assignee: str  # CLIENT | COACH


class _ListItems(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[int, str | None, list[str]]] = []
        self.found: list[tuple[int, str | None, str]] = []
        self.opened = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li":
            # Ordered by where an item starts, so a nested item comes after its parent.
            self.stack.append((self.opened, dict(attrs).get("data-action"), []))
            self.opened += 1
        elif tag == "br" and self.stack:
            self.stack[-1][2].append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "li" and self.stack:
            self.close_one()

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.stack[-1][2].append(data)

    def close_one(self) -> None:
        order, marker, parts = self.stack.pop()
        self.found.append((order, marker, "".join(parts)))


def parse(body_html: str) -> list[Item]:
    """The action items of a note's (sanitized) HTML, in document order, without duplicates."""
    parser = _ListItems()
    parser.feed(body_html or "")
    parser.close()
    while parser.stack:  # an unclosed item still counts
        parser.close_one()
    items: list[Item] = []
    seen: set[tuple[str, str]] = set()
    for _order, marker, raw in sorted(parser.found, key=lambda found: found[0]):
        text = " ".join(raw.split())
        assignee = marker if marker in (CLIENT, COACH) else None
        match = _PREFIX.match(text)
        if match is not None:
            text = text[match.end():].strip()
            if assignee is None:
                assignee = COACH if match.group("mark").lower() == "me" else CLIENT
        if assignee is None or not text:
            continue
        text = text[:MAX_TEXT]
        key = (assignee, text.casefold())
        if key in seen:
            continue
        seen.add(key)
        items.append(Item(text=text, assignee=assignee))
        if len(items) >= MAX_ITEMS:
            break
    return items


def key_of(text: str, assignee: str) -> str:
    """What identifies an item across saves: who it is for and its words (case and spacing aside)."""
    return f"{assignee}:{' '.join(text.split()).casefold()}"[:400]
