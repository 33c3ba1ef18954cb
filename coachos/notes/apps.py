from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class NotesConfig(AppConfig):
    name = "coachos.notes"
    label = "notes"
    verbose_name = "Notes"

    def ready(self) -> None:
        from coachos.clients import sections
        from coachos.comms import notifications
        from coachos.scheduling import panel_sections

        from . import kinds, listeners

        kinds.register()  # the journal prompt, the goal reminder and the low-rating bell in the comms catalog
        # ...and the two a client may switch off on their notification settings.
        notifications.register_client_kind(kinds.JOURNAL_PROMPT)
        notifications.register_client_kind(kinds.JOURNAL_REMINDER)
        listeners.register()  # a note the old client-page form adds also becomes a Note
        # The client page's "Notes" section: the same key replaces the clients app's old one.
        sections.register(sections.Section("notes", gettext_lazy("Notes"), "notes:client_section", order=70))
        # The calendar's session panel: the session's notes and "Add a note" (instead of the old text field).
        panel_sections.register(panel_sections.PanelSection("notes", gettext_lazy("Notes"), "notes:session_panel",
                                                            fallback_url_name="notes:index"))
        # The client page's "Journal" section (shared entries only) and, in the calendar's panel, the
        # session's ratings with a link to its page.
        sections.register(sections.Section("journal", gettext_lazy("Journal"), "journal:section", order=75))
        panel_sections.register(panel_sections.PanelSection(
            "session_page", gettext_lazy("Ratings and session page"), "sessions:panel",
            fallback_url_name="sessions:open", order=60))
