from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "coachos.chat"
    label = "chat"
    verbose_name = "Chat"

    def ready(self) -> None:
        from . import alerts, client_actions, listeners

        listeners.register()  # inbound texts join the client's conversation
        alerts.register_kinds()  # chat's notifications and texts in the comms catalog
        client_actions.register()  # "Message" on the client's page
