from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "coachos.integrations"
    label = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from . import wiring

        wiring.register()
