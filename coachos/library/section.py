"""The client page's "Library" section: what was shared with the client and how far they got."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from coachos.clients import sections


def register() -> None:
    sections.register(sections.Section("library", _("Library"), "library:client_section", order=65))
