"""The sections of a client's page. Each loads on its own (htmx), so one failing section shows
its own error with a retry while the others still show.

The page belongs to clients (floor 1), but most sections belong to the apps above it: an app adds its
section with ``register`` in its ``AppConfig.ready`` (credits: packages, scheduling: bookings), so
clients never imports them. A section names its URL; one whose URL does not exist is left out."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coachos.tenancy.roles import Perm


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    url_name: str  # reversed with org_slug and client_id
    perm: str = Perm.BACKOFFICE
    order: int = 50  # place on the page, top first


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    """Add (or replace, by key) a section of the client's page."""
    _sections[section.key] = section


def registered() -> list[Section]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


# The client's own sections, and those of apps that name theirs here (a URL name is not an import).
for _section in (
    Section("profile", _("Profile"), "clients:section_profile", order=10),
    Section("messages", _("Messages"), "comms:client_section", order=40),
    Section("payments", _("Payments"), "billing:client_section", Perm.MONEY, order=50),
    Section("forms", _("Waivers and forms"), "onboarding:client_section", order=60),
    Section("notes", _("Notes"), "clients:section_notes", order=70),
):
    register(_section)


def sections_for(*, org_slug: str, client_id: int, membership: object) -> list[dict[str, str]]:
    """The sections this member may see, with their URLs; a section whose feature has not
    landed (its URL does not exist yet) is left out."""
    found = []
    for section in registered():
        if not getattr(membership, "has", lambda perm: False)(section.perm):
            continue
        try:
            url = reverse(section.url_name, kwargs={"org_slug": org_slug, "client_id": client_id})
        except NoReverseMatch:
            continue
        found.append({"key": section.key, "title": str(section.title), "url": url})
    return found


# --- actions in the page's header ------------------------------------------------------------------
# Buttons next to "Edit" that open another app's page about the client (chat: "Message"). Like the
# sections, an app adds its own by URL name, so clients never imports it.

@dataclass(frozen=True)
class HeaderAction:
    key: str
    label: str | Promise
    url_name: str  # reversed with org_slug and client_id
    perm: str = Perm.BACKOFFICE
    # "post": a button in a form (the page it posts to makes what it opens, e.g. a conversation).
    method: str = "get"
    order: int = 50


_actions: dict[str, HeaderAction] = {}


def register_action(action: HeaderAction) -> None:
    _actions[action.key] = action


def actions_for(*, org_slug: str, client_id: int, membership: object) -> list[dict[str, str]]:
    """The header actions this member may use, with their URLs (one whose URL does not exist is left out)."""
    found = []
    for action in sorted(_actions.values(), key=lambda a: (a.order, a.key)):
        if not getattr(membership, "has", lambda perm: False)(action.perm):
            continue
        try:
            url = reverse(action.url_name, kwargs={"org_slug": org_slug, "client_id": client_id})
        except NoReverseMatch:
            continue
        found.append({"key": action.key, "label": str(action.label), "url": url, "method": action.method})
    return found
