from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "coachos.clients"
    label = "clients"
    verbose_name = "Clients"
