from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "coachos.tenancy"
    label = "tenancy"
    verbose_name = "Businesses"
