"""The notes API's request and response bodies (the contract in docs/notes.md and the OpenAPI).

Strict: unknown fields are a 422. ``body_html`` is accepted as written and stored sanitized: scripts,
event handlers and links other than http(s)/mailto are dropped (the answer shows what was kept)."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field
from pydantic import AfterValidator, ConfigDict

from coachos.common.schema import Schema

from .services.text import HTML_MAX, TAG_MAX, TAGS_MAX, TITLE_MAX

MAX_ID = 2**63 - 1
BODY = ("Rich text as HTML: p, br, strong/b, em/i, u, s, ul/ol/li, a (http, https, mailto), h2–h4, "
        "blockquote, code, pre. Anything else is removed when saved (scripts and styles with their content).")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("may not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
TagName = Annotated[str, AfterValidator(_no_nul), Field(max_length=TAG_MAX)]
Tags = list[TagName]
Sort = Literal["date", "oldest", "updated", "client"]


# --- notes: in -----------------------------------------------------------------------------------

class NoteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field("", max_length=TITLE_MAX)
    body_html: Text = Field("", max_length=HTML_MAX, description=BODY + " Empty with `note_template`: the "
                                                                       "template's sections.")
    shared: bool = Field(False, description="Shared with the client (false: private to the team).")
    session: int | None = Field(None, ge=1, le=MAX_ID, description="A session the client has a place in.")
    tags: Tags = Field(default_factory=list, max_length=TAGS_MAX, description="Tag names (new ones are made).")
    note_template: int | None = Field(None, ge=1, le=MAX_ID, description="The template the note starts from "
                                                                         "(GET /note-templates).")


class NotePatch(Schema):
    """Only the fields sent change (``tags`` replaces the note's tags)."""

    model_config = ConfigDict(extra="forbid")

    base_version: int = Field(ge=1, le=MAX_ID, description="The `version` your text started from. Another "
                                                          "version is now current → 409 with `current_version`; "
                                                          "nothing is overwritten.")
    title: Text = Field(None, max_length=TITLE_MAX)
    body_html: Text = Field(None, max_length=HTML_MAX, description=BODY)
    shared: bool = Field(None)
    tags: Tags = Field(None, max_length=TAGS_MAX)
    autosave: bool = Field(False, description="true while typing: keeps title and text (no action items, "
                                              "one version per few minutes); false: an explicit save.")


class NoteRestoreIn(Schema):
    model_config = ConfigDict(extra="forbid")

    base_version: int | None = Field(None, ge=1, le=MAX_ID, description="When given, 409 if the note changed.")


class ActionItemPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    done: bool


class NoteListQuery(Schema):
    client: int | None = Field(None, ge=1, le=MAX_ID, description="Notes about this client.")
    session: int | None = Field(None, ge=1, le=MAX_ID, description="Notes on this session.")
    author: int | None = Field(None, ge=1, le=MAX_ID, description="Notes written by this team member (their "
                                                                 "membership id).")
    tag: Text = Field("", max_length=TAG_MAX, description="A tag's name (any case).")
    shared: bool | None = Field(None, description="true: shared with the client; false: private to the team.")
    q: Text = Field("", max_length=200, description="Words in the title or text (each must match; a word's "
                                                    "beginning is enough).")
    sort: Sort = Field("date", description="date (newest first), oldest, updated, client (by name).")
    cursor: str = Field("", max_length=200, description="From `next` of the previous page.")
    limit: int = Field(30, ge=1, le=100)


# --- notes: out ----------------------------------------------------------------------------------

class PersonOut(Schema):
    id: int
    name: str


class ActionItemOut(Schema):
    id: int
    note: int
    client: int | None
    text: str
    assignee: Literal["client", "coach"]
    done: bool
    done_at: datetime | None
    created_at: datetime


class NoteAttachmentOut(Schema):
    id: int
    name: str = Field(description="The uploader's file name, with the extension of what the file really is.")
    size: int = Field(description="Bytes.")
    content_type: str = Field(description="What the bytes are (read from the file, not from its name).")
    width: int | None
    height: int | None
    url: str = Field(description="Download it (the team who sees the note; the client once it is shared).")
    thumbnail_url: str | None = Field(description="A small JPEG of an image; null for documents.")
    created_at: datetime


class NoteOut(Schema):
    id: int
    client: int | None = Field(description="Null only for a note on a whole session (an old class note).")
    session: int | None
    author: PersonOut | None
    title: str
    body_html: str = Field(description="Sanitized HTML: safe to show as it is.")
    preview: str = Field(description="The first words of the text, plain.")
    tags: list[str]
    shared: bool
    shared_at: datetime | None
    note_template: int | None
    version: int = Field(description="Send it back as `base_version` when saving.")
    created_at: datetime
    updated_at: datetime
    action_items: list[ActionItemOut]
    attachments: list[NoteAttachmentOut]


class NotePage(Schema):
    results: list[NoteOut]
    next: str | None = Field(description="The next page's URL; null on the last page.")


class NoteVersionOut(Schema):
    id: int
    version: int
    title: str
    body_html: str
    author: PersonOut | None
    reason: Literal["save", "autosave", "restore", "import"]
    created_at: datetime
    updated_at: datetime


class SectionIO(Schema):
    model_config = ConfigDict(extra="forbid")

    heading: Text = Field(min_length=1, max_length=120)
    hint: Text = Field("", max_length=300)


class NoteTemplateOut(Schema):
    id: int
    kind: Literal["note", "journal"]
    name: str
    sections: list[SectionIO]
    body_html: str = Field(description="The rich text a note or entry starts from.")
    builtin: bool
    active: bool


class NoteTemplateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=120)
    kind: Literal["note", "journal"] = "note"
    sections: list[SectionIO] = Field(min_length=1, max_length=20)


class NoteTemplatePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(None, min_length=1, max_length=120)
    sections: list[SectionIO] = Field(None, min_length=1, max_length=20)
    active: bool = Field(None, description="false: no longer offered (kept for the notes that used it).")


class TemplateQuery(Schema):
    kind: Literal["note", "journal"] = "note"


# --- journal ---------------------------------------------------------------------------------------

class JournalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field("", max_length=TITLE_MAX)
    body_html: Text = Field("", max_length=HTML_MAX, description=BODY)
    mood: int = Field(None, ge=1, le=5, description="1 awful, 2 low, 3 okay, 4 good, 5 great. Required unless "
                                                    "`draft`.")
    shared: bool = Field(False, description="Share with my coach (false: private to me).")
    tags: Tags = Field(default_factory=list, max_length=TAGS_MAX)
    draft: bool = Field(False, description="true: an autosaved draft, never shown to the team.")


class JournalPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    base_version: int = Field(None, ge=1, le=MAX_ID, description="When given, 409 if the entry changed since.")
    title: Text = Field(None, max_length=TITLE_MAX)
    body_html: Text = Field(None, max_length=HTML_MAX, description=BODY)
    mood: int = Field(None, ge=1, le=5)
    shared: bool = Field(None)
    tags: Tags = Field(None, max_length=TAGS_MAX)
    draft: bool = Field(None, description="false keeps a draft as an entry.")
    autosave: bool = Field(False, description="true while typing (title and text only; needs `base_version`).")


class JournalQuery(Schema):
    q: Text = Field("", max_length=200)
    mood: int | None = Field(None, ge=1, le=5)
    tag: Text = Field("", max_length=TAG_MAX)
    since: date | None = Field(None, description="From this day (in the reader's zone).")
    until: date | None = Field(None, description="Up to this day, inclusive.")
    drafts: bool | None = Field(None, description="The client: true for drafts only, false for saved entries.")
    cursor: str = Field("", max_length=200)
    limit: int = Field(30, ge=1, le=100)


class JournalListQuery(JournalQuery):
    client: int | None = Field(None, ge=1, le=MAX_ID, description="Team: one client's shared entries.")


class JournalOut(Schema):
    id: int
    client: int
    title: str
    body_html: str
    preview: str
    mood: int | None
    mood_label: str
    tags: list[str]
    session: int | None
    prompt: int | None
    shared: bool
    shared_at: datetime | None
    draft: bool
    version: int
    created_at: datetime
    updated_at: datetime


class JournalPage(Schema):
    results: list[JournalOut]
    next: str | None


class WeekOut(Schema):
    start: date
    entries: int
    mood_average: float | None


class TagCountOut(Schema):
    name: str
    count: int


class InsightsOut(Schema):
    total: int
    weeks: list[WeekOut]
    common_tags: list[TagCountOut]
    longest_streak: int
    current_streak: int
    this_week: int
    entries_per_week_goal: int | None = Field(description="The client's own goal (null for the team).")


class JournalGoalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    entries_per_week: int | None = Field(ge=1, le=14, description="null: no goal.")
    remind: bool = True


class JournalGoalOut(Schema):
    entries_per_week: int | None
    remind: bool


class PromptIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: Text = Field(min_length=1, max_length=500)
    clients: list[int] = Field(default_factory=list, max_length=500)
    tag: int | None = Field(None, ge=1, le=MAX_ID, description="Also every client with this tag.")


class PromptOut(Schema):
    id: int
    text: str
    author: PersonOut | None
    created_at: datetime
    sent_count: int | None = Field(description="Team: how many clients got it.")
    shared_answers_count: int | None = Field(description="Team: answers the clients shared.")
    answered: bool | None = Field(description="Client: whether you answered it.")


# --- ratings -------------------------------------------------------------------------------------

class RatingIn(Schema):
    model_config = ConfigDict(extra="forbid")

    stars: int = Field(ge=1, le=5)
    comment: Text = Field("", max_length=2000)


class RatingPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    stars: int = Field(None, ge=1, le=5)
    comment: Text = Field(None, max_length=2000)


class RatingOut(Schema):
    id: int
    session: int
    client: int
    stars: int
    comment: str
    created_at: datetime
    updated_at: datetime
    editable_until: datetime


class RatingSummaryOut(Schema):
    coach: int
    average: float | None
    count: int


# --- problems ------------------------------------------------------------------------------------

class FieldErrorOut(Schema):
    field: str
    message: str


class ProblemOut(Schema):
    """An RFC 9457 problem details body (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    code: str | None = None
    current_version: int | None = None
    errors: list[FieldErrorOut] | None = None


def problems(*statuses: int) -> dict[int, type[ProblemOut]]:
    return {status: ProblemOut for status in (401, 403, 404, *statuses)}
