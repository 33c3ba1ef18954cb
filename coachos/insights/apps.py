from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "coachos.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from . import digest

        digest.register()  # the weekly digest's wording in the comms catalog
