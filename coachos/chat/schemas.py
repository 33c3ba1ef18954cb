"""The chat API's request and response bodies (the contract in docs/chat.md and the OpenAPI)."""

from datetime import datetime
from typing import Literal

from ninja import Field
from pydantic import ConfigDict, field_validator

from coachos.common.schema import Schema

from .services import BODY_MAX, MAX_ATTACHMENTS, TITLE_MAX

MAX_ID = 2**63 - 1
MessageKind = Literal["in_app", "sms_in", "sms_out", "email_out", "system"]
State = Literal["sending", "sent", "delivered", "read", "failed"]


# --- in ------------------------------------------------------------------------------------------

class ConversationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    client: int = Field(ge=1, le=MAX_ID, description="The client whose conversation it is (a client may name only "
                                                     "themself).")


class ChatGroupIn(Schema):
    model_config = ConfigDict(extra="forbid")

    @field_validator("title")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if "\x00" in value:  # PostgreSQL text cannot hold it (schemathesis found the 500)
            raise ValueError("may not contain NUL characters")
        return value

    title: str = Field(min_length=1, max_length=TITLE_MAX, description="The group's name, e.g. Saturday bootcamp.")
    clients: list[int] = Field(default_factory=list, max_length=200, description="Client ids of the members.")
    memberships: list[int] = Field(default_factory=list, max_length=50,
                                   description="Team members' membership ids (the creator joins anyway).")


class ConversationPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    archived: bool | None = Field(None, description="Archive (true) or bring back (false), for you only.")
    muted: bool | None = Field(None, description="No bells or emails about it for you (true).")


class ChatMessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field("", max_length=BODY_MAX, description="The text, as typed (it is escaped where it is shown). "
                                                           "May be empty when files are attached.")
    client_key: str = Field(min_length=1, max_length=64,
                            description="A key your app makes for each message (e.g. a UUID). Sending again with "
                                        "the same key returns the first message (200) instead of a second one.")
    channel: Literal["in_app", "sms", "email"] = Field(
        "in_app", description="in_app, or for the team in a client's conversation: sms / email, sent through the "
                              "outbox (consent, STOP and quiet hours apply).")
    attachments: list[int] = Field(default_factory=list, max_length=MAX_ATTACHMENTS,
                                   description="Attachment ids from POST /api/v1/attachments (your own uploads).")


class ChatMessageEditIn(Schema):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(max_length=BODY_MAX, description="The new text (the sender, within 5 minutes).")


class ChatReactionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    emoji: str = Field(min_length=1, max_length=32, description="One emoji, e.g. 👍")


class ChatReadIn(Schema):
    model_config = ConfigDict(extra="forbid")

    up_to: int = Field(ge=1, le=MAX_ID, description="The id of the last message you have read (of this "
                                                    "conversation).")


class ChatReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field("", max_length=1000, description="What is wrong with it (optional).")


class ChatListQuery(Schema):
    unread: bool = Field(False, description="Only conversations with unread messages.")
    mine: bool = Field(False, description="Only your clients' conversations (the clients you coach) and your groups.")
    archived: bool = Field(False, description="The ones you archived (instead of the others).")
    q: str = Field("", max_length=100, description="Search names, group titles and message text.")
    cursor: str = Field("", max_length=200, description="From `next` of the previous page.")
    limit: int = Field(30, ge=1, le=100)


class ChatThreadQuery(Schema):
    after: int | None = Field(None, ge=0, le=MAX_ID, description="The messages after this message, oldest first "
                                                                  "(what you missed since the last one you saw).")
    before: int | None = Field(None, ge=1, le=MAX_ID, description="One page of history before this message "
                                                                   "(oldest first within the page).")
    limit: int = Field(50, ge=1, le=200)
    q: str = Field("", max_length=100, description="Only messages whose text contains these words.")


# --- out -----------------------------------------------------------------------------------------

class ChatSenderOut(Schema):
    id: int | None = Field(description="The sender's user id; null for a text from the client.")
    client: int | None = Field(description="The client record, when a client wrote it (team only).")
    name: str = Field(description="Full name for the team; first name for clients.")
    team: bool


class ChatReactionOut(Schema):
    emoji: str
    count: int
    users: list[int] = Field(description="User ids of those who reacted with it.")


class ChatAttachmentOut(Schema):
    id: int
    name: str
    size: int = Field(description="Bytes.")
    content_type: str = Field(description="What the file is, read from its bytes.")
    is_image: bool
    url: str = Field(description="The download on the pages (session).")
    thumbnail_url: str | None = Field(description="A JPEG preview of an image (session); null for documents.")
    api_url: str = Field(description="The download for an API token; add /thumbnail for the preview.")


class ChatMessageOut(Schema):
    id: int
    conversation: int
    kind: MessageKind
    channel: Literal["in_app", "sms", "email", "system"]
    body: str = Field(description="As typed; empty once deleted.")
    sender: ChatSenderOut
    client_key: str | None
    created_at: datetime
    edited_at: datetime | None
    edited: bool
    deleted: bool
    state: State | None = Field(description="For the sender: sending / sent / delivered / read; a text or email "
                                            "also failed (see `error`). Null for texts from the client.")
    error: str | None
    reactions: list[ChatReactionOut]
    attachments: list[ChatAttachmentOut]


class ChatOwnerOut(Schema):
    id: int
    name: str


class ChatLastMessageOut(Schema):
    id: int
    kind: MessageKind
    preview: str
    sender: str
    created_at: datetime
    deleted: bool


class ChatMemberOut(Schema):
    name: str
    team: bool
    client: int | None


class ConversationOut(Schema):
    id: int
    kind: Literal["direct", "group"]
    client: int | None = Field(description="The client of a direct conversation; null for a group.")
    title: str = Field(description="The client's name (team) or the business's name (client); a group's title.")
    owner: ChatOwnerOut | None = Field(description="The client's coach.")
    unread: int = Field(description="Messages you have not read.")
    archived: bool
    muted: bool
    last_message: ChatLastMessageOut | None
    last_activity_at: datetime
    created_at: datetime
    members: list[ChatMemberOut] = Field(description="A group's members (first names for clients).")


class ConversationPage(Schema):
    results: list[ConversationOut]
    next: str | None = Field(description="The next page's URL; null on the last page.")


class ChatReportOut(Schema):
    id: int


class ChatFieldError(Schema):
    field: str
    message: str


class ChatProblem(Schema):
    """An RFC 9457 problem details body (`application/problem+json`)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    code: str | None = None
    errors: list[ChatFieldError] | None = None


def problems(*statuses: int) -> dict[int, type[ChatProblem]]:
    return {status: ChatProblem for status in (401, 403, 404, *statuses)}
