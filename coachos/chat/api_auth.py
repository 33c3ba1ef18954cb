"""How chat's API knows who is asking, for which business: an API token (apps), or the pages' own
session cookie with a CSRF token on writes and the business named by ``X-Business: <slug>`` (or
``?business=<slug>``). A client with a portal login uses either, like a team member.

``chat_view`` wraps each operation *before* ninja authenticates and reads the body:

- a session request naming a business the person belongs to gets that business (and its scope,
  time zone and the person's language) as a token request already has from the tenancy middleware;
- the objects the path names (conversation, message, attachment) are looked up first: one the
  person may not see is a 404 whatever the body holds, so a foreign id never reads as a bad request;
- an upload announcing more than the size limit is refused before its body is read (413).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from coachos.common.problems import problem_response
from coachos.tenancy.middleware import language_of
from coachos.tenancy.models import Membership, Organization

from . import attachments, selectors
from .errors import ChatError
from .models import Attachment, Conversation, Message
from .viewers import Viewer, viewer_for

BUSINESS_HEADER = "X-Business"


class ChatTokenAuth(HttpBearer):
    """An API token: the tenancy middleware has checked it and entered its business's scope."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = getattr(request, "api_token", None)
        return api_token.user if api_token is not None else None


class ChatSessionAuth(APIKeyCookie):
    """The pages' session (``chat_view`` resolved the business); writes need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key or not getattr(request, "chat_session", False):
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed")
        return request.user


AUTH = [ChatTokenAuth(), ChatSessionAuth()]


def _session_business(request: HttpRequest) -> bool:
    """A signed-in person naming a business they belong to: remember it on the request."""
    if getattr(request, "api_token", None) is not None:
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    slug = (request.headers.get(BUSINESS_HEADER) or request.GET.get("business") or "").strip()
    if not slug or len(slug) > 50:
        return False
    with scopes_disabled():
        organization = Organization.objects.filter(slug=slug).first()
        membership = (Membership.objects.filter(organization=organization, user=user).first()
                      if organization is not None else None)
    if membership is None:
        return False
    request.organization = organization  # type: ignore[attr-defined]
    request.membership = membership  # type: ignore[attr-defined]
    request.chat_session = True  # type: ignore[attr-defined]
    return True


def _int(value: Any) -> int | None:
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


def attachment_visible(viewer: Viewer, attachment_id: int) -> Attachment | None:
    """An attachment the viewer may fetch: their own upload not yet sent, or one in a message they may read."""
    attachment = Attachment.objects.filter(pk=attachment_id).select_related("message").first()
    if attachment is None:
        return None
    if attachment.message is None:
        return attachment if attachment.uploaded_by_id == viewer.user_id else None
    if attachment.message.deleted_at is not None:
        return None
    if not selectors.visible_conversations(viewer).filter(pk=attachment.message.conversation_id).exists():
        return None
    return attachment


def _path_hidden(request: HttpRequest, viewer: Viewer, kwargs: dict[str, Any]) -> bool:
    """True when an object the path names does not exist for this viewer. The conversation found is
    kept on the request (``path_conversation``): one lookup, with what the endpoints read of it."""
    if "conversation_id" in kwargs:
        conversation_id = _int(kwargs["conversation_id"])
        if conversation_id is not None:
            conversation = selectors.conversation_visible_or_none(viewer, conversation_id)
            if conversation is None:
                return True
            request.chat_conversation = conversation  # type: ignore[attr-defined]
        message_id = _int(kwargs.get("chat_message_id", ""))
        if message_id is not None and (conversation_id is None or not Message.objects.filter(pk=message_id,
                                                                 conversation_id=conversation_id).exists()):
            return True
    attachment_id = _int(kwargs.get("attachment_id", ""))
    return attachment_id is not None and attachment_visible(viewer, attachment_id) is None


def chat_view(*, upload: bool = False) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(run)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if upload and request.method == "POST":
                try:
                    attachments.refuse_oversized_request(request)
                except ChatError as exc:
                    return problem_response(exc.status, "File too large", str(exc),
                                            errors=[{"field": "file", "message": str(exc)}])
            session = _session_business(request)
            organization = getattr(request, "organization", None)
            if organization is None or getattr(request, "membership", None) is None:
                return run(request, *args, **kwargs)  # no credentials: the operation answers 401
            with ExitStack() as stack:
                if session:
                    stack.enter_context(scope(organization=organization))
                    stack.enter_context(timezone.override(organization.tzinfo))
                    stack.enter_context(translation.override(language_of(request.user) or organization.locale))
                token = getattr(request, "api_token", None)
                # The token's user is loaded with it; the membership's would be one more query.
                user = token.user if token is not None else request.user
                viewer = viewer_for(user=user, organization=organization,
                                    membership=request.membership)  # type: ignore[attr-defined]
                if viewer is None or _path_hidden(request, viewer, kwargs):
                    return problem_response(404, "Not found", "No such object.")
                request.chat_viewer = viewer  # type: ignore[attr-defined]
                return run(request, *args, **kwargs)

        return wrapper

    return decorator


def viewer_of(request: HttpRequest) -> Viewer:
    return request.chat_viewer  # type: ignore[attr-defined, no-any-return]


def path_conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    """The conversation the path names, as ``chat_view`` found it (visible to the viewer: checked)."""
    found = getattr(request, "chat_conversation", None)
    if found is not None and found.pk == conversation_id:
        return found  # type: ignore[no-any-return]
    return selectors.conversation_visible(viewer_of(request), conversation_id)
