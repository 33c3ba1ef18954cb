from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "coachos.common"
    label = "common"
    verbose_name = "Common"
