"""Progress's parts of pages that belong to lower apps, registered in ``ProgressConfig.ready``: the client
page's "Progress" section (coachos/clients/sections.py; ``views.section``) and the calendar's session
panel's "Measurements" (coachos/scheduling/panel_sections.py; ``views_session.session_panel``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from coachos.clients import sections
from coachos.scheduling import panel_sections


def register() -> None:
    # After the bookings: what the client did, then how they are doing.
    sections.register(sections.Section("progress", gettext_lazy("Progress"), "progress:section", order=35))
    # Between the notes (50) and the session's page (60): a weight taken at the session, logged there.
    panel_sections.register(panel_sections.PanelSection("progress", gettext_lazy("Measurements"),
                                                        "progress:session_panel", order=55))
