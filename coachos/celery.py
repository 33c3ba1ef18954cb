"""The Celery application. Workers and beat import this; so does Django (coachos/__init__)."""

import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachos.settings")

app = Celery("coachos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_schedule(sender: Celery, **kwargs: object) -> None:
    from coachos.jobs import celery_beat_schedule

    sender.conf.beat_schedule = celery_beat_schedule()


@worker_process_init.connect
def _own_database_pool(**kwargs: object) -> None:
    """A forked worker process must not use a connection pool its parent opened: the pooled connections'
    sockets are the parent's and the pool's threads did not survive the fork. Forget it (without closing
    the parent's connections); the child opens its own pool on first use."""
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper._connection_pools.clear()  # type: ignore[attr-defined]
