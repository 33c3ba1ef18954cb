from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "coachos.automations"
    label = "automations"
    verbose_name = "Automations"

    def ready(self) -> None:
        from coachos.common import events

        from . import actions, engine

        actions.register_message_kinds()
        events.subscribe(engine.on_event)
