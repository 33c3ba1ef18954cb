from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coachos.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from coachos.tenancy.middleware import set_token_authenticator

        from .tokens import token_authenticate

        set_token_authenticator(token_authenticate)
        from . import security_signals

        security_signals.connect()  # sign-ins, failures, two-factor and passwords → the security log
