"""The Celery application. Workers and beat import this; so does Django (coachos/__init__)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coachos.settings")

app = Celery("coachos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_schedule(sender: Celery, **kwargs: object) -> None:
    from coachos.jobs import celery_beat_schedule

    sender.conf.beat_schedule = celery_beat_schedule()
