"""The chat API: conversations, messages, reads, reactions, files. One set of endpoints for both sides:
a team member sees the business's conversations they may see, a client only their own (anything else
is a 404). Authenticate with an API token, or from the pages with the session cookie, the CSRF token
on writes and ``X-Business: <slug>`` (see ``api_auth``). Endpoints stay thin: parse, call one service
or selector, answer.

No ``from __future__ import annotations``: django-ninja reads the annotations at import time.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status, UploadedFile
from ninja.decorators import decorate_view

from coachos.clients.models import Client
from coachos.clients.selectors import clients_visible_to
from coachos.common.problems import problem_response
from coachos.tenancy.models import Membership

from . import attachments, selectors, serialize, services
from .api_auth import AUTH, attachment_visible, chat_view, path_conversation, viewer_of
from .errors import FORBIDDEN, ChatError
from .models import Conversation, Message
from .schemas import (
    ChatAttachmentOut,
    ChatGroupIn,
    ChatListQuery,
    ChatMessageEditIn,
    ChatMessageIn,
    ChatMessageOut,
    ChatReactionIn,
    ChatReadIn,
    ChatReportIn,
    ChatReportOut,
    ChatThreadQuery,
    ConversationIn,
    ConversationOut,
    ConversationPage,
    ConversationPatch,
    problems,
)

router = Router(tags=["chat"], auth=AUTH)


def _conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return path_conversation(request, conversation_id)


def _message(request: HttpRequest, conversation_id: int, chat_message_id: int) -> Message:
    return selectors.message_in(_conversation(request, conversation_id), chat_message_id)


def _message_out(request: HttpRequest, message: Message) -> dict[str, Any]:
    fresh = selectors.message_in(message.conversation, message.pk)
    return selectors.message_json(fresh, viewer=viewer_of(request))


def _invalid(field: str, message: str) -> HttpResponse:
    return problem_response(422, "Invalid request", f"{field}: {message}",
                            errors=[{"field": field, "message": message}])


# --- conversations -------------------------------------------------------------------------------

@router.post("/conversations", response={200: ConversationOut, 201: ConversationOut, **problems(422)},
             summary="Open a client's conversation (made on first use)",
             description="201 with the new conversation; the same client again → 200 with the same one. A "
                         "client may open only their own.")
@decorate_view(chat_view())
def conversation_open(request: HttpRequest, payload: ConversationIn) -> Any:
    viewer = viewer_of(request)
    if viewer.is_team:
        client = clients_visible_to(viewer.membership).filter(pk=payload.client).first()
    else:
        client = Client.objects.filter(pk=payload.client).first() if payload.client in viewer.client_ids else None
    if client is None:
        return _invalid("client", _("No such client in this business."))
    conversation, created = services.conversation_get_or_create(client=client, actor=request.auth)
    conversation = selectors.conversation_visible(viewer, conversation.pk)
    return Status(201 if created else 200, selectors.conversation_detail(viewer, conversation))


@router.post("/conversations/groups", response={201: ConversationOut, **problems(422)},
             summary="Start a group conversation (team)")
@decorate_view(chat_view())
def group_open(request: HttpRequest, payload: ChatGroupIn) -> Any:
    viewer = viewer_of(request)
    if not viewer.is_team:
        raise ChatError(_("Only the team can start a group."), code=FORBIDDEN)
    clients = list(Client.objects.filter(pk__in=payload.clients))
    memberships = list(Membership.objects.filter(pk__in=payload.memberships))
    if len(clients) != len(set(payload.clients)):
        return _invalid("clients", _("No such client in this business."))
    if len(memberships) != len(set(payload.memberships)):
        return _invalid("memberships", _("No such team member in this business."))
    conversation = services.group_create(organization=viewer.organization, actor=request.auth, title=payload.title,
                                         clients=clients, memberships=memberships)
    conversation = selectors.conversation_visible(viewer, conversation.pk)
    return Status(201, selectors.conversation_detail(viewer, conversation))


@router.get("/conversations", response={200: ConversationPage, **problems(422)},
            summary="Your conversations, most recent first",
            description="Each with its last message, your unread count and whether you archived or muted it. "
                        "Archived ones only with `archived=true`.")
@decorate_view(chat_view())
def conversation_list(request: HttpRequest, filters: Query[ChatListQuery]) -> Any:
    viewer = viewer_of(request)
    wanted = selectors.ListFilters(unread=filters.unread, mine=filters.mine, archived=filters.archived, q=filters.q)
    try:
        rows, cursor = selectors.conversation_list(viewer, wanted, cursor=filters.cursor, limit=filters.limit)
    except selectors.BadCursor:
        return _invalid("cursor", _("The cursor is not valid. Start again from the first page."))
    next_url = None
    if cursor is not None:
        query = request.GET.copy()
        query["cursor"] = cursor
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"results": rows, "next": next_url}


@router.get("/conversations/{conversation_id}", response={200: ConversationOut, **problems()},
            summary="One conversation")
@decorate_view(chat_view())
def conversation_get(request: HttpRequest, conversation_id: int) -> Any:
    return selectors.conversation_detail(viewer_of(request), _conversation(request, conversation_id))


@router.patch("/conversations/{conversation_id}", response={200: ConversationOut, **problems(422)},
              summary="Archive or mute a conversation (for you only)")
@decorate_view(chat_view())
def conversation_patch(request: HttpRequest, conversation_id: int, payload: ConversationPatch) -> Any:
    conversation = _conversation(request, conversation_id)
    if payload.archived is not None:
        services.conversation_archive(conversation=conversation, actor=request.auth, archived=payload.archived)
    if payload.muted is not None:
        services.conversation_mute(conversation=conversation, actor=request.auth, muted=payload.muted)
    return selectors.conversation_detail(viewer_of(request), conversation)


@router.post("/conversations/{conversation_id}/archive", response={200: ConversationOut, **problems()},
             summary="Archive a conversation (for you only)")
@decorate_view(chat_view())
def conversation_archive(request: HttpRequest, conversation_id: int) -> Any:
    conversation = _conversation(request, conversation_id)
    services.conversation_archive(conversation=conversation, actor=request.auth, archived=True)
    return selectors.conversation_detail(viewer_of(request), conversation)


@router.delete("/conversations/{conversation_id}/archive", response={200: ConversationOut, **problems()},
               summary="Bring an archived conversation back")
@decorate_view(chat_view())
def conversation_unarchive(request: HttpRequest, conversation_id: int) -> Any:
    conversation = _conversation(request, conversation_id)
    services.conversation_archive(conversation=conversation, actor=request.auth, archived=False)
    return selectors.conversation_detail(viewer_of(request), conversation)


@router.post("/conversations/{conversation_id}/read", response={204: None, **problems(422)},
             summary="Mark the conversation read up to a message",
             description="Never moves back. The others see a `message.read` frame.")
@decorate_view(chat_view())
def conversation_read(request: HttpRequest, conversation_id: int, payload: ChatReadIn) -> Any:
    conversation = _conversation(request, conversation_id)
    services.conversation_mark_read(conversation=conversation, actor=request.auth, up_to=payload.up_to)
    return Status(204, None)


# --- messages ------------------------------------------------------------------------------------

def _cursor_in(conversation: Conversation, value: int | None) -> bool:
    return value is None or value == 0 or Message.objects.filter(conversation=conversation, pk=value).exists()


@router.get("/conversations/{conversation_id}/messages", response={200: list[ChatMessageOut], **problems(422)},
            summary="Messages of a conversation, oldest first",
            description="`after=ID`: the messages after that one (after a reconnect, what you missed); "
                        "`before=ID&limit=N`: one page of history further back; neither: the latest page. "
                        "A page has at most `limit` messages, oldest first; a shorter page is the end. "
                        "`q`: only messages containing these words.")
@decorate_view(chat_view())
def message_list(request: HttpRequest, conversation_id: int, query: Query[ChatThreadQuery]) -> Any:
    conversation = _conversation(request, conversation_id)
    if not _cursor_in(conversation, query.after):
        return _invalid("after", _("No such message in this conversation."))
    if not _cursor_in(conversation, query.before):
        return _invalid("before", _("No such message in this conversation."))
    page = selectors.thread_messages(conversation, selectors.ThreadQuery(
        after=query.after, before=query.before, limit=query.limit, q=query.q))
    if page:
        services.conversation_mark_delivered(conversation=conversation, actor=request.auth, up_to=page[-1].pk)
    return serialize.messages_json(page, team=viewer_of(request).is_team, conversation=conversation)


@router.post("/conversations/{conversation_id}/messages", response={200: ChatMessageOut, 201: ChatMessageOut,
                                                                    **problems(409, 422, 429)},
             summary="Send a message",
             description="201 with the new message; the same `client_key` again → 200 with the same message "
                         "(a retry never makes a second one; a different text with a used key is a 409). At most "
                         "30 messages a minute per person (429 with Retry-After).")
@decorate_view(chat_view())
def message_send(request: HttpRequest, conversation_id: int, payload: ChatMessageIn) -> Any:
    conversation = _conversation(request, conversation_id)
    viewer = viewer_of(request)
    message, created = services.message_send(conversation=conversation, actor=request.auth, body=payload.body,
                                             client_key=payload.client_key, channel=payload.channel,
                                             attachment_ids=payload.attachments, viewer=viewer)
    if created:  # the JSON its frames carry: the same answer, not read back
        return Status(201, services.sent_json(message, team=viewer.is_team))
    message.conversation = conversation
    return Status(200, _message_out(request, message))


@router.patch("/conversations/{conversation_id}/messages/{chat_message_id}",
              response={200: ChatMessageOut, **problems(409, 422)},
              summary="Change a message's text (its sender, within 5 minutes; the edit is marked)")
@decorate_view(chat_view())
def message_edit(request: HttpRequest, conversation_id: int, chat_message_id: int, payload: ChatMessageEditIn) -> Any:
    message = _message(request, conversation_id, chat_message_id)
    services.message_edit(message=message, actor=request.auth, body=payload.body)
    return _message_out(request, message)


@router.delete("/conversations/{conversation_id}/messages/{chat_message_id}", response={200: ChatMessageOut,
                                                                                          **problems()},
               summary="Delete a message (its sender, or an owner); \"message deleted\" stays in the thread")
@decorate_view(chat_view())
def message_delete(request: HttpRequest, conversation_id: int, chat_message_id: int) -> Any:
    message = _message(request, conversation_id, chat_message_id)
    services.message_delete(message=message, actor=request.auth)
    return _message_out(request, message)


@router.post("/conversations/{conversation_id}/messages/{chat_message_id}/reactions",
             response={200: ChatMessageOut, **problems(409, 422)}, summary="React to a message")
@decorate_view(chat_view())
def reaction_add(request: HttpRequest, conversation_id: int, chat_message_id: int, payload: ChatReactionIn) -> Any:
    message = _message(request, conversation_id, chat_message_id)
    services.reaction_add(message=message, actor=request.auth, emoji=payload.emoji)
    return _message_out(request, message)


@router.delete("/conversations/{conversation_id}/messages/{chat_message_id}/reactions",
               response={200: ChatMessageOut, **problems(422)}, summary="Take your reaction back")
@decorate_view(chat_view())
def reaction_remove(request: HttpRequest, conversation_id: int, chat_message_id: int, emoji: str) -> Any:
    message = _message(request, conversation_id, chat_message_id)
    services.reaction_remove(message=message, actor=request.auth, emoji=emoji[:32])
    return _message_out(request, message)


@router.post("/conversations/{conversation_id}/messages/{chat_message_id}/report",
             response={201: ChatReportOut, **problems(409, 422)},
             summary="Report a message to the business's owners")
@decorate_view(chat_view())
def message_report(request: HttpRequest, conversation_id: int, chat_message_id: int, payload: ChatReportIn) -> Any:
    message = _message(request, conversation_id, chat_message_id)
    report = services.message_report(message=message, actor=request.auth, reason=payload.reason)
    return Status(201, {"id": report.pk})


# --- files ---------------------------------------------------------------------------------------

@router.post("/attachments", response={201: ChatAttachmentOut, **problems(413, 415, 422)},
             summary="Upload a file to attach to your next message",
             description="multipart/form-data with `file`. Images (JPEG, PNG, GIF, WebP, HEIC) and documents "
                         "(PDF, Word, Excel, PowerPoint, OpenDocument text), at most 10 MB, checked by their "
                         "content. Then send a message with `attachments: [id]`.")
@decorate_view(chat_view(upload=True))
def attachment_upload(request: HttpRequest, file: File[UploadedFile]) -> Any:
    viewer = viewer_of(request)
    attachment = attachments.attachment_store(organization=viewer.organization, uploaded_by=request.auth,
                                              upload=file)
    return Status(201, serialize.attachment_json(attachment, slug=viewer.organization.slug, team=viewer.is_team))


@router.get("/attachments/{attachment_id}", response={200: None, **problems()},
            summary="Download a file (as an attachment; `inline=true` shows an image as an image)")
@decorate_view(chat_view())
def attachment_download(request: HttpRequest, attachment_id: int, inline: bool = False) -> Any:
    attachment = attachment_visible(viewer_of(request), attachment_id)
    if attachment is None:
        return problem_response(404, "Not found", "No such object.")
    return attachments.attachment_response(attachment, inline=inline)


@router.get("/attachments/{attachment_id}/thumbnail", response={200: None, **problems()},
            summary="An image's preview (JPEG)")
@decorate_view(chat_view())
def attachment_thumbnail(request: HttpRequest, attachment_id: int) -> Any:
    attachment = attachment_visible(viewer_of(request), attachment_id)
    if attachment is None or not attachment.thumbnail:
        return problem_response(404, "Not found", "No such object.")
    return attachments.attachment_response(attachment, thumbnail=True)
