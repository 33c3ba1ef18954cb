"""Sending from the thread page's plain form (no script): text, "by text", and files in one POST.

The script sends through the API instead; both end in ``services.message_send`` with a key made for
the form when the page was drawn, so a double click or a resubmitted form makes one message.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest

from . import attachments, services
from .errors import ChatError
from .models import Attachment, Conversation
from .viewers import Viewer

MAX_FILES = services.MAX_ATTACHMENTS


def send_from_form(request: HttpRequest, viewer: Viewer, conversation: Conversation) -> dict[str, Any] | None:
    """Send what the form holds: None when sent, else what the page shows again (error and draft)."""
    body = request.POST.get("body", "")
    key = (request.POST.get("client_key", "") or "").strip()[:64] or uuid.uuid4().hex
    channel = "sms" if viewer.is_team and request.POST.get("channel") == "sms" else "in_app"
    files = request.FILES.getlist("file")[:MAX_FILES]
    stored: list[Attachment] = []
    try:
        for upload in files:
            if upload.size:
                stored.append(attachments.attachment_store(organization=viewer.organization,
                                                           uploaded_by=viewer.user, upload=upload))
        services.message_send(conversation=conversation, actor=viewer.user, body=body, client_key=key,
                              channel=channel, attachment_ids=[a.pk for a in stored])
    except ChatError as exc:
        _forget(stored)  # the form sends its files again with the next try
        return {"send_error": str(exc), "draft": body, "draft_channel": channel, "client_key": key}
    return None


def _forget(stored: list[Attachment]) -> None:
    for attachment in stored:
        if not Attachment.objects.filter(pk=attachment.pk, message__isnull=True).delete()[0]:
            continue  # it went with a message after all (a retry of a sent one)
        attachments.attachment_delete_files(attachment)
