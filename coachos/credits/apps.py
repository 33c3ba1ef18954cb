from django.apps import AppConfig


class CreditsConfig(AppConfig):
    name = "coachos.credits"
    label = "credits"
    verbose_name = "Packages and credits"
