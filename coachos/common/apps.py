from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "coachos.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from django.core import checks

        from .secret_key import check_secret_key

        checks.register(check_secret_key, checks.Tags.security, deploy=True)
