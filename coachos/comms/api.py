"""Messages and notifications API: the outbox of a business, and sending a client a message.

No ``from __future__ import annotations`` here: ``@paginate`` wraps the view, and django-ninja
resolves string annotations in the wrapper's module, where the filter schema is unknown.
"""

from datetime import datetime
from typing import Annotated, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Header, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.pagination import CursorPagination, paginate
from pydantic import AfterValidator, ConfigDict

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.common.api import found_first, require_perm
from coachos.common.problems import problem_response
from coachos.common.schema import Schema
from coachos.tenancy.roles import Perm

from . import catalog, compose, selectors
from .models import OutboundMessage

router = Router(tags=["messages and notifications"])

MAX_ID = 2**63 - 1
StatusName = Literal["queued", "deferred", "sending", "sent", "delivered", "failed", "suppressed"]
STATUS_HELP = (
    "queued (waiting to go), deferred (held by quiet hours until `scheduled_for`), sending, sent, delivered "
    "(the carrier confirmed it), failed (the provider refused it; see `error`), suppressed (not sent on "
    "purpose: no number, opted out, no consent, too late; see `error`)."
)


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("may not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


def _local(value: datetime | None, request: HttpRequest) -> datetime | None:
    if value is None:
        return None
    return timezone.localtime(value, request.organization.tzinfo)  # type: ignore[attr-defined]


class MessageOut(Schema):
    id: int
    channel: Literal["sms", "email", "push"]
    kind: str = Field(description="The kind of message, e.g. booking_confirmation, reminder_24h, custom.")
    status: StatusName = Field(description=STATUS_HELP)
    body: str = Field(description="The text as rendered for the recipient.")
    scheduled_for: datetime = Field(description="When it is (or was) due to go, ISO 8601 in the business's time "
                                           "zone with its offset. Later than written when quiet hours held it.")
    sent_at: datetime | None = Field(description="When the provider accepted it; null until then.")
    error: str | None = Field(description="Why it failed or was not sent (or why the last try failed); "
                                          "null when there is nothing to report.")

    @staticmethod
    def resolve_scheduled_for(obj: OutboundMessage, context: dict[str, HttpRequest]) -> datetime | None:
        return _local(obj.scheduled_for, context["request"])

    @staticmethod
    def resolve_sent_at(obj: OutboundMessage, context: dict[str, HttpRequest]) -> datetime | None:
        return _local(obj.sent_at, context["request"])

    @staticmethod
    def resolve_error(obj: OutboundMessage) -> str | None:
        return obj.last_error or None


class MessageDetailOut(MessageOut):
    client: int | None = Field(None, alias="client_id", description="The client it went to; null for the team.")
    to: str = Field(description="The phone number or email address it went to.")
    subject: str = Field(description="Email subject; empty for texts.")
    attempts: int
    provider_id: str = Field(description="Twilio's message SID or the email's Message-ID, once sent.")
    error_code: str = Field(description="The provider's error code, e.g. 21610 (the recipient texted STOP).")
    created_at: datetime
    delivered_at: datetime | None

    @staticmethod
    def resolve_created_at(obj: OutboundMessage, context: dict[str, HttpRequest]) -> datetime | None:
        return _local(obj.created_at, context["request"])

    @staticmethod
    def resolve_delivered_at(obj: OutboundMessage, context: dict[str, HttpRequest]) -> datetime | None:
        return _local(obj.delivered_at, context["request"])


class MessageFilters(Schema):
    client: int | None = Field(None, ge=1, le=MAX_ID, description="Only messages to this client (404 if the "
                                                                  "business has no such client, or you may not "
                                                                  "see them).")
    status: StatusName | None = Field(None, description="Only messages in this status.")
    kind: str | None = Field(None, max_length=40, description="Only this kind of message, e.g. reminder_24h.")


class MessageIn(Schema):
    model_config = ConfigDict(extra="forbid")

    channel: Literal["sms", "email"]
    body: Text = Field(min_length=1, max_length=compose.EMAIL_MAX,
                       description=f"The text (at most {compose.SMS_MAX} characters for SMS). `{{variables}}` "
                                   "such as {client_first_name} are filled in like a template's.")
    subject: Text = Field("", max_length=200, description="Email subject; the business's default when empty.")


def _visible_clients(request: HttpRequest) -> QuerySet[Client]:
    """The clients this member may see; the role is checked first (a client's token is a 403)."""
    require_perm(request, Perm.BACKOFFICE)
    return clients_visible_to(request.membership)  # type: ignore[attr-defined]


def _messages(request: HttpRequest) -> QuerySet[OutboundMessage]:
    """The outbox without the messages to clients a coach limited to their own clients may not see."""
    membership = request.membership  # type: ignore[attr-defined]
    clients = clients_visible_to(membership) if membership.own_clients_only else None
    return selectors.about_clients(OutboundMessage.objects.all(), clients)


def _invalid(field: str, message: str) -> HttpResponse:
    return problem_response(422, "Invalid request", f"{field}: {message}", errors=[{"field": field,
                                                                                    "message": message}])


@router.get("/messages", response=list[MessageOut], summary="Outgoing texts and emails, newest first",
            description="Every message the business sent or will send, as written in the outbox. Filter by "
                        "`client`, `status` and `kind`. A message that did not go says why in `error`.")
@paginate(CursorPagination, ordering=("-created_at", "-id"))
def message_list(request: HttpRequest, filters: Query[MessageFilters]) -> object:
    require_perm(request, Perm.BACKOFFICE)
    messages = _messages(request)
    if filters.client is not None:
        messages = messages.filter(client=get_object_or_404(_visible_clients(request), pk=filters.client))
    if filters.status:
        messages = messages.filter(status=filters.status)
    if filters.kind:
        messages = messages.filter(kind=filters.kind)
    return messages


@router.get("/messages/{message_id}", response=MessageDetailOut, summary="One outgoing message")
def message_get(request: HttpRequest, message_id: int) -> OutboundMessage:
    require_perm(request, Perm.BACKOFFICE)
    return get_object_or_404(_messages(request), pk=message_id)


@router.post("/clients/{client_id}/messages", response={201: MessageDetailOut},
             summary="Send a client a text or an email you write",
             description="Written to the outbox (kind `custom`) and sent by the worker, within quiet hours' rules. "
                         "When it may not go (no number or address, the client opted out or has not agreed to "
                         "texts) it is still recorded, with status `suppressed` and the reason in `error`. Send an "
                         "`Idempotency-Key` header to make a retry safe: the same key returns the same message.")
@decorate_view(found_first(client_id=_visible_clients))
def client_message_send(request: HttpRequest, client_id: int, payload: MessageIn,
                        idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=80)
                        ) -> Status[OutboundMessage] | HttpResponse:
    require_perm(request, Perm.BACKOFFICE)
    client = get_object_or_404(_visible_clients(request), pk=client_id)
    if payload.channel == "sms" and len(payload.body) > compose.SMS_MAX:
        return _invalid("body", f"A text can be at most {compose.SMS_MAX} characters.")
    unknown = catalog.unknown_variables(payload.body + " " + payload.subject)
    if unknown:
        return _invalid("body", "Unknown placeholder(s): " + ", ".join(f"{{{n}}}" for n in unknown))
    try:
        message = compose.message_send(organization=request.organization,  # type: ignore[attr-defined]
                                       actor=request.auth, client=client,  # type: ignore[attr-defined]
                                       channel=payload.channel, body=payload.body, subject=payload.subject,
                                       dedupe_key=f"api:{client.pk}:{idempotency_key}" if idempotency_key else None)
    except compose.CommsError as exc:
        return _invalid("body", str(exc))
    return Status(201, message)
