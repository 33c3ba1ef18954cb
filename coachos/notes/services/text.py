"""Checks shared by the writes of notes and journal entries: titles, rich text, tag names."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from coachos.notes import richtext
from coachos.notes.errors import NotesError

TITLE_MAX = 200
HTML_MAX = 200_000  # characters of HTML as sent (a long note with formatting is far below this)
TAG_MAX = 40
TAGS_MAX = 20


def clean_title(title: str) -> str:
    if "\x00" in title:
        raise NotesError(_("The title contains a character that cannot be saved."), field="title")
    title = " ".join(title.split())
    if len(title) > TITLE_MAX:
        raise NotesError(_("A title can be at most %(n)d characters.") % {"n": TITLE_MAX}, field="title")
    return title


def clean_body(body_html: str, *, field: str = "body_html") -> tuple[str, str]:
    """(sanitized HTML, its plain text). Scripts, event handlers and unsafe links are dropped."""
    if len(body_html) > HTML_MAX:
        raise NotesError(_("The text is too long to save (at most %(n)d characters of formatted text).")
                         % {"n": HTML_MAX}, field=field)
    safe = richtext.sanitize(body_html)
    return safe, richtext.to_text(safe)


def clean_tag_names(names: Iterable[str], *, field: str = "tags") -> list[str]:
    """Tag names as given, spaces collapsed, duplicates (case aside) dropped, in order."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in names:
        if "\x00" in raw:
            raise NotesError(_("A tag contains a character that cannot be saved."), field=field)
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > TAG_MAX:
            raise NotesError(_("A tag can be at most %(n)d characters.") % {"n": TAG_MAX}, field=field)
        if name.casefold() in seen:
            continue
        seen.add(name.casefold())
        cleaned.append(name)
    if len(cleaned) > TAGS_MAX:
        raise NotesError(_("At most %(n)d tags.") % {"n": TAGS_MAX}, field=field)
    return cleaned
