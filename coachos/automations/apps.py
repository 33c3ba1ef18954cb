from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "coachos.automations"
    label = "automations"
    verbose_name = "Automations"

    def ready(self) -> None:
        from coachos.common import events

        # tasks: imported to register the Celery tasks that dispatch.py queues by name
        from . import actions, engine, services, tasks  # noqa: F401

        actions.register_message_kinds()
        events.subscribe(engine.on_event, services.EVENT_NAMES)  # only what an automation can listen to
