from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "coachos.credits"
    label = "credits"
    verbose_name = "Packages and credits"

    def ready(self) -> None:
        from coachos.common import events

        from . import client_sections, listeners

        # Required: a booking's credit moves with its change or the change fails (DESIGN.md, floors).
        events.subscribe(listeners.booking_changed, listeners.BOOKING_EVENTS, required=True)
        client_sections.register()  # the client page's packages section and the list's credit facts
