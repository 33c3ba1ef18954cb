from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachos.accounts"
    label = "accounts"
    verbose_name = "Accounts"
