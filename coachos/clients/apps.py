from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "coachos.clients"
    label = "clients"
    verbose_name = "Clients"

    def ready(self) -> None:
        from . import listeners_accounts, listeners_bookings

        listeners_accounts.register()  # a client invitation accepted links the client record (required)
        listeners_bookings.register()  # the first booking's coach becomes the client's coach (required)
