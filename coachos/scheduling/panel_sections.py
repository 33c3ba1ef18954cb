"""Parts of the calendar's session panel that belong to the apps above scheduling (notes: the session's
notes and "Add a note"). In the style of ``clients.sections``: an app registers its part by URL name in
its ``AppConfig.ready``, so scheduling never imports it. Each part loads on its own with htmx
(``hx-trigger="load"``); without script the panel links to ``fallback_url_name`` instead. A part whose
URL does not exist is left out."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from coachos.tenancy.roles import Perm


@dataclass(frozen=True)
class PanelSection:
    key: str
    title: str | Promise
    url_name: str  # reversed with org_slug and session_id: the part, an htmx fragment
    fallback_url_name: str = ""  # reversed with org_slug only, ``?session=<id>`` added: a page without script
    perm: str = Perm.BACKOFFICE
    order: int = 50


_sections: dict[str, PanelSection] = {}


def register(section: PanelSection) -> None:
    """Add (or replace, by key) a part of the session panel."""
    _sections[section.key] = section


def sections_for(*, org_slug: str, session_id: int, membership: object) -> list[dict[str, str]]:
    """The parts this member may see, with their URLs."""
    found = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        if not getattr(membership, "has", lambda perm: False)(section.perm):
            continue
        try:
            url = reverse(section.url_name, kwargs={"org_slug": org_slug, "session_id": session_id})
            fallback = (reverse(section.fallback_url_name, kwargs={"org_slug": org_slug}) + f"?session={session_id}"
                        if section.fallback_url_name else url)
        except NoReverseMatch:
            continue
        found.append({"key": section.key, "title": str(section.title), "url": url, "fallback": fallback})
    return found
