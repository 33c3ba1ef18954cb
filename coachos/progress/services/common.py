"""What progress's services share: who may act, clean text, today in the business's zone."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from coachos.clients.models import Client
from coachos.tenancy.models import Membership

from ..errors import FORBIDDEN, ProgressError
from ..selectors.access import may_act_for, membership_of, today_for

__all__ = ["by_of", "clean_text", "require_actor", "today_of"]


def require_actor(actor: Any, client: Client, *, team_only: bool = False) -> None:
    """Refuse (403) an actor who may not change this client's progress; the API and pages have already
    answered 404 for a client the caller may not see."""
    if not may_act_for(actor, client, team_only=team_only):
        if team_only:
            raise ProgressError(_("Only the team can do this."), code=FORBIDDEN)
        raise ProgressError(_("You cannot change this client's progress."), code=FORBIDDEN)


def by_of(actor: Any, client: Client) -> str:
    """Who did it, for events: 'team', 'client', or 'auto' (no actor)."""
    if actor is None:
        return "auto"
    membership: Membership | None = membership_of(actor, client.organization_id)
    return "team" if membership is not None and membership.is_team else "client"


def clean_text(value: str | None, *, field: str, limit: int, required: bool = False, one_line: bool = True) -> str:
    """Text as typed, trimmed (a title on one line); too long or missing is a 422 on ``field``."""
    text = (value or "").replace("\x00", "")
    text = " ".join(text.split()) if one_line else text.strip()
    if required and not text:
        raise ProgressError(_("This field is required."), field=field)
    if len(text) > limit:
        raise ProgressError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return text


def today_of(client: Client) -> date:
    return today_for(client.organization)
