from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "coachos.comms"
    label = "comms"
    verbose_name = "Messages and notifications"
