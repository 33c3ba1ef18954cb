"""Where things of a conversation live, for the team (``/o/<slug>/…``) and for clients (``/portal/<slug>/…``).

The pages of chat may not exist yet: each link falls back to the nearest page that does (the client's
page, the portal's home), so a notification never carries a broken link.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse


def _first(*candidates: tuple[str, dict[str, Any]]) -> str:
    for name, kwargs in candidates:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return ""


def conversation_path(*, slug: str, conversation_id: int, team: bool, client_id: int | None = None) -> str:
    """The conversation's page for a team member or for a client."""
    if team:
        fallback = [("clients:detail", {"org_slug": slug, "client_id": client_id})] if client_id else []
        return _first(("chat:conversation", {"org_slug": slug, "conversation_id": conversation_id}),
                      ("chat:index", {"org_slug": slug}), *fallback,
                      ("backoffice:dashboard", {"org_slug": slug}))
    return _first(("portal_chat:conversation", {"org_slug": slug, "conversation_id": conversation_id}),
                  ("portal_chat:index", {"org_slug": slug}), ("portal:home", {"org_slug": slug}))


def attachment_path(*, slug: str, attachment_id: int, team: bool, thumbnail: bool = False) -> str:
    name = ("chat:" if team else "portal_chat:") + ("attachment_thumbnail" if thumbnail else "attachment")
    return _first((name, {"org_slug": slug, "attachment_id": attachment_id}))


def attachment_api_path(attachment_id: int, *, thumbnail: bool = False) -> str:
    return f"/api/v1/attachments/{attachment_id}" + ("/thumbnail" if thumbnail else "")
