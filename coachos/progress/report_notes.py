"""The coach's notes shared with the client, for the progress report (issue 14: "coach's shared notes").

Progress sits above notes (pyproject.toml's floors), so it reads notes' models directly. Only notes the
team *shared* with this client are taken: the report is the client's to read, and a private note must
never reach it. Notes about a whole class (no client) stay out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coachos.clients.models import Client
from coachos.notes.models import Note
from coachos.notes.richtext import to_text

LIMIT = 50  # the newest shared notes of the range; a report is not an archive


@dataclass(frozen=True)
class SharedNote:
    written_on: date  # the business's local date
    author: str  # the coach's name as the client sees it
    text: str  # plain text (no HTML)


def shared_notes(client: Client, *, start: date, end: date) -> list[SharedNote]:
    """The coach's notes shared with ``client`` written between two local dates (inclusive), oldest first."""
    zone = ZoneInfo(client.organization.timezone)
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    notes = (Note.objects.filter(organization_id=client.organization_id, client=client, shared=True,
                                 created_at__gte=since, created_at__lt=until)
             .select_related("author").order_by("-created_at", "-id")[:LIMIT])
    found = []
    for note in reversed(list(notes)):
        text = to_text(note.body_html).strip()
        if note.title:
            text = f"{note.title}: {text}" if text else note.title
        if not text:
            continue
        author = note.author
        name = ((getattr(author, "name", "") or "").split(" ")[0] if author is not None else "")
        found.append(SharedNote(written_on=note.created_at.astimezone(zone).date(), author=name, text=text))
    return found
