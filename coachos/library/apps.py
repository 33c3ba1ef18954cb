from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "coachos.library"
    label = "library"
    verbose_name = "Library"

    def ready(self) -> None:
        from . import alerts, section

        alerts.register()  # "new in your library" in the comms catalog and on the client's settings
        section.register()  # the client page's "Library" section
