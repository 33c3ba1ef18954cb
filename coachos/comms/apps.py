from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "coachos.comms"
    label = "comms"
    verbose_name = "Messages and notifications"

    def ready(self) -> None:
        from . import listeners, listeners_accounts, listeners_public

        listeners.register()  # what scheduling and credits events tell clients and the team (required)
        listeners_public.register()  # the public booking page's email codes
        listeners_accounts.register()  # invitation messages (required)
