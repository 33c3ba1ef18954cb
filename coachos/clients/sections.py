"""The sections of a client's page. Each loads on its own (htmx), so one failing section shows
its own error with a retry while the others still show. Features add their section here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from coachos.tenancy.roles import Perm


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    url_name: str  # reversed with org_slug and client_id
    perm: str = Perm.BACKOFFICE


SECTIONS: tuple[Section, ...] = (
    Section("profile", _("Profile"), "clients:section_profile"),
    Section("packages", _("Packages and credits"), "clients:section_packages"),
    Section("bookings", _("Bookings"), "clients:section_bookings"),
    Section("messages", _("Messages"), "comms:client_section"),
    Section("payments", _("Payments"), "billing:client_section", Perm.MONEY),
    Section("forms", _("Waivers and forms"), "onboarding:client_section"),
    Section("notes", _("Notes"), "clients:section_notes"),
)


def sections_for(*, org_slug: str, client_id: int, membership: object) -> list[dict[str, str]]:
    """The sections this member may see, with their URLs; a section whose feature has not
    landed (its URL does not exist yet) is left out."""
    found = []
    for section in SECTIONS:
        if not getattr(membership, "has", lambda perm: False)(section.perm):
            continue
        try:
            url = reverse(section.url_name, kwargs={"org_slug": org_slug, "client_id": client_id})
        except NoReverseMatch:
            continue
        found.append({"key": section.key, "title": str(section.title), "url": url})
    return found
