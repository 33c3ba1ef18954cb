from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Watching the platform: the job lag in /healthz, Prometheus metrics at /metrics, feature flags.
    It reads the apps below (outbox, jobs); nothing but ``site`` may import it."""

    name = "coachos.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from coachos.common import health

        from . import lag, sentry

        health.register("jobs", lag.jobs_check)
        sentry.init_from_settings()  # error tracking only with SENTRY_DSN
