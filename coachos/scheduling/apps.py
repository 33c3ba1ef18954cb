from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "coachos.scheduling"
    label = "scheduling"
    verbose_name = "Scheduling"
