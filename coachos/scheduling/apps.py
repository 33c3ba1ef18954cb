from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "coachos.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"

    def ready(self) -> None:
        from . import client_sections, listeners_tenancy

        listeners_tenancy.register()  # owners and coaches get a Coach record (required)
        client_sections.register()  # the client page's bookings section and the list's last booking
